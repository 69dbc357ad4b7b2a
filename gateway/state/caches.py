"""Cross-request caches for reference data, and coalescing of identical calls in flight.

cachetools' `@cached` cannot wrap `async def` (it would cache the coroutine), so the cache is a
TTLCache read and written by hand, with one load in flight per key: concurrent misses share it.
Personal data is never put here.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from cachetools import LRUCache, TTLCache

from connectors.errors import BackendError

T = TypeVar("T")
LOG = logging.getLogger("govgraph.state")


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

    def under_way(self, key: Hashable) -> bool:
        return key in self._pending

    def _forget(self, key: Hashable, future: asyncio.Future[Any]) -> None:
        if self._pending.get(key) is future:
            del self._pending[key]

    async def run(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        """`start`, awaited. A caller that is cancelled leaves the call running for the others,
        and later callers still join it until it ends."""
        result: T = await asyncio.shield(self.start(key, call))
        return result


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
    its backend is down, the last good value is served past its TTL, and marked stale.

    Once `refresh_share` of an entry's TTL has passed, the request that reads it starts a load in
    the background and is answered from the entry, which the load replaces when it succeeds. No
    request then waits for a reload (the district's grid index is a login and eighty pages), and
    none is answered with data older than the TTL. A load that fails is tried again a quarter of
    the time left later; the entry expires at its TTL as before."""

    def __init__(
        self,
        name: str,
        ttl_s: float,
        max_entries: int,
        refresh_share: float = 0.8,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._cache = _CountingTTLCache(maxsize=max_entries, ttl=ttl_s, timer=timer)
        self._last_good: LRUCache[Hashable, T] = LRUCache(maxsize=max_entries)
        # When each entry's refresh is due, by the cache's own clock.
        self._due: LRUCache[Hashable, float] = LRUCache(maxsize=max_entries)
        self._refresh_after = ttl_s * refresh_share
        self._retry_after = max(0.0, ttl_s - self._refresh_after) / 4
        self._timer = timer
        self._loads = InFlight()
        self._refreshing: set[asyncio.Task[None]] = set()
        self.hits = 0
        self.misses = 0
        self.stale_served = 0
        self.refreshes = 0
        self.refresh_failures = 0

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        try:
            cached: T = self._cache[key]
        except KeyError:
            pass
        else:
            self.hits += 1
            self._refresh_if_due(key, load)
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
        self._store(key, value)
        return value

    def _store(self, key: Hashable, value: T) -> None:
        self._cache[key] = value
        self._last_good[key] = value
        self._due[key] = self._timer() + self._refresh_after

    def _refresh_if_due(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> None:
        due, now = self._due.get(key), self._timer()
        if due is None or now < due or self._loads.under_way(key):
            return
        self._due[key] = now + self._retry_after
        # In a context of its own: the load outlives the request that started it, and must not
        # inherit its deadline, its request ID or its note of stale data.
        task = asyncio.get_running_loop().create_task(
            self._refresh(key, load), context=contextvars.Context()
        )
        self._refreshing.add(task)
        task.add_done_callback(self._refreshing.discard)

    async def _refresh(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> None:
        try:
            value = await self._loads.run(key, load)
        except Exception as error:  # any failure leaves the entry to its TTL
            self.refresh_failures += 1
            code = getattr(error, "code", type(error).__name__)
            LOG.warning(
                "reference data %s: refresh failed (%s); kept until its TTL", self.name, code
            )
            return
        self.refreshes += 1
        self._store(key, value)

    async def aclose(self) -> None:
        """Stops the refreshes under way (at shutdown)."""
        for task in list(self._refreshing):
            task.cancel()
        await asyncio.gather(*self._refreshing, return_exceptions=True)

    @property
    def evictions(self) -> int:
        return self._cache.evictions

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> None:
        self._cache.clear()
