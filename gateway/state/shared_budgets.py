"""Budgets every worker shares: look-ups that missed, per caller, in a sliding window (a sorted
set of miss times per caller on the shared store). When the store fails, the worker's own
budget stands in (counted in `govgraph_state_fallbacks_total`), and the shared one resumes when
the store is back."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from connectors.errors import StateUnavailableError
from gateway.access.lookups import InMemoryMissBudget
from gateway.state.shared import SharedState


class SharedMissBudget:
    def __init__(
        self,
        state: SharedState,
        allowed: int,
        window_s: float,
        on_fallback: Callable[[str], None] = lambda what: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = state
        self.allowed = allowed
        self.window_s = window_s
        self.clock = clock
        self.on_fallback = on_fallback
        self.local = InMemoryMissBudget(allowed, window_s)

    def _key(self, subject: str) -> str:
        return self.state.key("misses", subject)

    async def spent(self, subject: str) -> bool:
        key, now = self._key(subject), self.clock()
        pipe = self.state.redis.pipeline(transaction=True)
        pipe.zremrangebyscore(key, "-inf", now - self.window_s)
        pipe.zcard(key)
        try:
            _, count = await self.state.run(pipe.execute())
        except StateUnavailableError:
            self.on_fallback("miss_budget")
            return await self.local.spent(subject)
        return int(count) >= self.allowed

    async def miss(self, subject: str) -> None:
        key, now = self._key(subject), self.clock()
        pipe = self.state.redis.pipeline(transaction=True)
        pipe.zadd(key, {uuid.uuid4().hex: now})
        pipe.expire(key, int(self.window_s) + 1)
        await self.local.miss(subject)  # the worker's own count, ready to stand in
        try:
            await self.state.run(pipe.execute())
        except StateUnavailableError:
            self.on_fallback("miss_budget")
