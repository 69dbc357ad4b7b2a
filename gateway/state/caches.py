"""Cross-request caches for reference data, and coalescing of identical calls in flight.

cachetools' `@cached` cannot wrap `async def` (it would cache the coroutine), so the cache is a
TTLCache read and written by hand, with one load in flight per key: concurrent misses share it.
Personal data is never put here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from cachetools import LRUCache, TTLCache

from connectors.errors import BackendError

T = TypeVar("T")


class InFlight:
    """Identical calls under way at once become one; nothing is kept once it finishes."""

    def __init__(self) -> None:
        self._pending: dict[Hashable, asyncio.Future[Any]] = {}
        self.coalesced = 0

    def start(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> asyncio.Future[T]:
        """The call under way for `key`, joined, or else started now; forgotten when it ends.
        Whoever awaits it shields it: it is shared."""
        pending = self._pending.get(key)
        if pending is not None:
            self.coalesced += 1
            return pending
        future: asyncio.Future[T] = asyncio.ensure_future(call())
        self._pending[key] = future
        future.add_done_callback(lambda _: self._forget(key, future))
        return future

    def _forget(self, key: Hashable, future: asyncio.Future[Any]) -> None:
        if self._pending.get(key) is future:
            del self._pending[key]

    async def run(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        pending = self._pending.get(key)
        if pending is not None:
            self.coalesced += 1
            result: T = await asyncio.shield(pending)
            return result
        future: asyncio.Future[Any] = asyncio.ensure_future(call())
        self._pending[key] = future
        try:
            return await asyncio.shield(future)
        finally:
            if self._pending.get(key) is future:
                del self._pending[key]


_STALE: ContextVar[set[str] | None] = ContextVar("govgraph_stale", default=None)


@contextmanager
def noting_stale() -> Iterator[set[str]]:
    """Collects the names of caches that served data past its TTL during the block."""
    served: set[str] = set()
    token = _STALE.set(served)
    try:
        yield served
    finally:
        _STALE.reset(token)


class _CountingTTLCache(TTLCache[Hashable, Any]):
    """A TTLCache that counts entries evicted because it was full."""

    evictions = 0

    def popitem(self) -> tuple[Hashable, Any]:
        self.evictions += 1
        return super().popitem()


class ReferenceCache(Generic[T]):
    """A bounded TTL cache of one kind of reference data, loaded at most once at a time. While
    its backend is down, the last good value is served past its TTL, and marked stale."""

    def __init__(self, name: str, ttl_s: float, max_entries: int) -> None:
        self.name = name
        self._cache = _CountingTTLCache(maxsize=max_entries, ttl=ttl_s)
        self._last_good: LRUCache[Hashable, T] = LRUCache(maxsize=max_entries)
        self._loads = InFlight()
        self.hits = 0
        self.misses = 0
        self.stale_served = 0

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        try:
            cached: T = self._cache[key]
        except KeyError:
            pass
        else:
            self.hits += 1
            return cached
        self.misses += 1
        try:
            value: T = await self._loads.run(key, load)
        except BackendError:
            if key not in self._last_good:
                raise
            self.stale_served += 1
            served = _STALE.get()
            if served is not None:
                served.add(self.name)
            return self._last_good[key]
        self._cache[key] = value
        self._last_good[key] = value
        return value

    @property
    def evictions(self) -> int:
        return self._cache.evictions

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> None:
        self._cache.clear()
