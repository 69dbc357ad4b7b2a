"""Idempotency keys for mutations (IETF draft "The Idempotency-Key HTTP Header Field"):
a missing key is 400, the same key with a different request 422, the same key still running
409, and a completed key returns the stored answer again. Keys belong to their caller and
expire. A write whose outcome is unknown (the backend timed out after it was sent) is marked
so; the next attempt with that key first looks for the write at the backend (reconciliation)
before sending it again, so there is neither a duplicate nor a loss.

The store is in process by default; a shared store (Redis) implements `IdempotencyStore`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Protocol

from cachetools import TTLCache


class KeyState(Enum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    UNKNOWN = "unknown"


@dataclass(slots=True)
class StoredKey:
    fingerprint: str
    state: KeyState
    first_attempt_at: datetime
    status: int = 0
    body: dict[str, Any] | None = None


class IdempotencyStore(Protocol):
    async def claim(
        self, owner: str, key: str, fingerprint: str, now: datetime
    ) -> StoredKey | None:
        """None if the key was free and is now held by this request; else what it holds."""

    async def complete(self, owner: str, key: str, status: int, body: dict[str, Any]) -> None: ...

    async def mark_unknown(self, owner: str, key: str) -> None: ...

    async def release(self, owner: str, key: str) -> None:
        """The attempt failed without writing anything: the key may be used afresh."""

    async def resume(self, owner: str, key: str) -> None:
        """An unknown outcome is being reconciled by a new attempt."""


class InMemoryIdempotencyStore:
    def __init__(self, ttl_s: float, max_keys: int) -> None:
        self._keys: TTLCache[tuple[str, str], StoredKey] = TTLCache(maxsize=max_keys, ttl=ttl_s)

    async def claim(
        self, owner: str, key: str, fingerprint: str, now: datetime
    ) -> StoredKey | None:
        existing = self._keys.get((owner, key))
        if existing is not None:
            return existing
        self._keys[(owner, key)] = StoredKey(fingerprint, KeyState.IN_PROGRESS, now)
        return None

    async def complete(self, owner: str, key: str, status: int, body: dict[str, Any]) -> None:
        stored = self._keys.get((owner, key))
        if stored is not None:
            stored.state, stored.status, stored.body = KeyState.COMPLETED, status, body
            self._keys[(owner, key)] = stored

    async def mark_unknown(self, owner: str, key: str) -> None:
        stored = self._keys.get((owner, key))
        if stored is not None:
            stored.state = KeyState.UNKNOWN

    async def release(self, owner: str, key: str) -> None:
        self._keys.pop((owner, key), None)

    async def resume(self, owner: str, key: str) -> None:
        stored = self._keys.get((owner, key))
        if stored is not None:
            stored.state = KeyState.IN_PROGRESS
