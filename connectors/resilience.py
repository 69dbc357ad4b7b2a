"""Protecting fragile legacy systems, and callers from them: a circuit breaker per backend, a
retry budget so retries never exceed a set share of a backend's traffic, exponential backoff
with jitter, and the request's deadline passed down to every backend call."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum

_DEADLINE: ContextVar[float | None] = ContextVar("govgraph_deadline", default=None)


@contextmanager
def deadline(seconds: float, clock: Callable[[], float] = time.monotonic) -> Iterator[None]:
    """Every backend call made inside (and in tasks started inside) gets at most the time left."""
    token = _DEADLINE.set(clock() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining(clock: Callable[[], float] = time.monotonic) -> float | None:
    moment = _DEADLINE.get()
    return None if moment is None else moment - clock()


@dataclass(frozen=True, slots=True)
class ResiliencePolicy:
    max_attempts: int = 3
    base_backoff_s: float = 0.05
    max_backoff_s: float = 2.0
    max_retry_after_s: float = 5.0
    retry_ratio: float = 0.2  # retries may add at most this share of a backend's requests
    retry_floor: float = 3.0  # … beyond a few to start with
    breaker_failures: int = 5
    breaker_cooldown_s: float = 10.0


class BreakerState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after `failures` failures in a row; after the cool-down lets one probe through;
    the probe's success closes it, its failure opens it again."""

    def __init__(self, failures: int, cooldown_s: float, clock: Callable[[], float]) -> None:
        self.threshold = failures
        self.cooldown_s = cooldown_s
        self.clock = clock
        self.failures = 0
        self.opened_at = 0.0
        self._state = BreakerState.CLOSED
        self._probing = False
        self.opened_count = 0

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self.clock() - self.opened_at >= self.cooldown_s:
            return BreakerState.HALF_OPEN
        return self._state

    def allow(self) -> bool:
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def succeeded(self) -> None:
        self.failures = 0
        self._probing = False
        self._state = BreakerState.CLOSED

    def failed(self) -> None:
        self.failures += 1
        if self._probing or self.failures >= self.threshold:
            if self._state is not BreakerState.OPEN or self._probing:
                self.opened_count += 1
            self._state = BreakerState.OPEN
            self.opened_at = self.clock()
            self._probing = False


class RetryBudget:
    """Each request earns `ratio` of a retry; each retry spends one."""

    def __init__(self, ratio: float, floor: float) -> None:
        self.ratio = ratio
        self.floor = floor
        self.tokens = floor
        self.requests = 0
        self.retries = 0

    def requested(self) -> None:
        self.requests += 1
        self.tokens = min(self.tokens + self.ratio, self.floor + self.ratio * 100)

    def try_spend(self) -> bool:
        if self.tokens < 1:
            return False
        self.tokens -= 1
        self.retries += 1
        return True


def backoff(attempt: int, policy: ResiliencePolicy, rng: random.Random) -> float:
    """Full jitter: a random wait up to base × 2^(attempt-1), capped."""
    ceiling = min(policy.max_backoff_s, policy.base_backoff_s * 2 ** (attempt - 1))
    return rng.uniform(0, ceiling)
