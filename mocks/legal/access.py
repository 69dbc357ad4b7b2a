"""OAuth2 client credentials with short-lived tokens, and a per-client token-bucket rate limit."""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class Bucket:
    tokens: float
    updated: float


class TokenIssuer:
    def __init__(self, clients: dict[str, str], ttl_s: float, clock: Callable[[], float]) -> None:
        self.clients = clients
        self.ttl_s = ttl_s
        self.clock = clock
        self.tokens: dict[str, tuple[str, float]] = {}

    def issue(self, client_id: str, client_secret: str) -> str | None:
        expected = self.clients.get(client_id)
        if expected is None or not secrets.compare_digest(expected, client_secret):
            return None
        now = self.clock()
        self.tokens = {t: v for t, v in self.tokens.items() if v[1] > now}
        token = secrets.token_urlsafe(24)
        self.tokens[token] = (client_id, now + self.ttl_s)
        return token

    def client_of(self, token: str) -> tuple[str | None, str]:
        """The client a token belongs to, or None and why not."""
        entry = self.tokens.get(token)
        if entry is None:
            return None, "unknown token"
        if entry[1] <= self.clock():
            return None, "token expired"
        return entry[0], ""


class RateLimiter:
    """Token bucket per client: `rate` requests a second, bursts up to `rate`."""

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.clock = clock
        self.buckets: dict[str, Bucket] = {}

    def acquire(self, client: str) -> int:
        """0 when the request may go ahead, else the seconds to wait (for Retry-After)."""
        now = self.clock()
        bucket = self.buckets.setdefault(client, Bucket(self.rate, now))
        bucket.tokens = min(self.rate, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0
        return max(1, math.ceil((1 - bucket.tokens) / self.rate))
