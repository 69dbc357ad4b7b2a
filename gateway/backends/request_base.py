"""What every part of a request's data source shares: the backends, the clock, batching, the
loaders' construction (each system's part adds its own) and coalescing of identical calls."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from datetime import date, datetime, timedelta
from types import MethodType
from typing import TypeVar
from weakref import WeakMethod

from adapters.normalise import BEIJING
from gateway.backends.loaders import EachLoader, Loader
from gateway.backends.wiring import Backends
from gateway.settings import Settings

URBAN, CIVIL, LEGAL = "urban-management", "civil-affairs", "legal-aid"
RECONCILE_SLACK = timedelta(minutes=2)  # clocks of the gateway and a legacy system differ
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
A = TypeVar("A")
R = TypeVar("R")


def window(offset: int, limit: int) -> tuple[int, int, int]:
    """(page number, page size, items to skip) for a system that pages by number and size."""
    if limit == 0:
        return 1, 1, 0
    if offset % limit == 0:
        return offset // limit + 1, limit, 0
    size = offset + limit
    return 1, size, offset


def weakly(method: Callable[[A], Awaitable[R]]) -> Callable[[A], Awaitable[R]]:
    """`method` of a request's data, called through a weak reference to the data. The data keeps
    its loaders and a loader calls the data's methods: held strongly, that cycle kept each
    request's data, its execution and all it read alive until the garbage collector came by
    (a dashboard's 1,800 objects; a collection every few small requests). The data outlives every
    use of its loaders, as whoever asks a loader holds the data."""
    if not isinstance(method, MethodType):
        return method
    reference: WeakMethod[Callable[[A], Awaitable[R]]] = WeakMethod(method)
    name = method.__name__  # the method itself is not kept: it holds the data

    async def call(key: A) -> R:
        bound = reference()
        if bound is None:  # pragma: no cover - the data is held by whoever asks its loaders
            raise RuntimeError(f"{name}: the request's data is gone")
        try:
            return await bound(key)
        except Exception as error:
            # The loader's future keeps the error's traceback, whose frames hold the data: the
            # same cycle again, for every request that meets a failing system. Tracebacks are
            # never shown or logged; the error goes on without the frames below this one.
            del bound
            raise error.with_traceback(None)  # noqa: B904  # the same error: cause, context kept

    call.__name__ = name
    return call


class DataBase:
    def __init__(
        self, backends: Backends, settings: Settings, clock: Callable[[], datetime]
    ) -> None:
        self.backends = backends
        self.settings = settings
        self.clock = clock
        # Set when this request retries a write whose earlier outcome is unknown: writes first
        # look for what that attempt may have done at the backend.
        self.reconcile_since: datetime | None = None
        # The caller and Idempotency-Key of this request's write, for systems that take a
        # number of the caller's to make a write once (an exchange's trade number, say).
        self.write_key: str | None = None
        self.batching = settings.batching

    def _loader(
        self, batch: Callable[[list[K]], Awaitable[list[V]]], max_batch: int | None = None
    ) -> Loader[K, V]:
        """A loader of this request's, for a system's part to make on first use (as a cached
        property): a request touches few of the thirty it could, and making them all cost more
        than a small query's own work."""
        return Loader(weakly(batch), self.batching, max_batch, self.backends.metrics)

    def _each(self, call: Callable[[K], Awaitable[V]]) -> EachLoader[K, V]:
        """A loader of this request's for a system with no batch call: one call per distinct
        key, started when first asked for; the same call already under way for another request
        is joined rather than sent again."""
        name = call.__name__
        label = name.lstrip("_")
        backends = self.backends
        call = weakly(call)

        async def traced(key: K) -> V:
            if backends.metrics is None:
                return await call(key)
            with backends.metrics.span(f"loader {label}", {"loader": label, "keys": "1"}):
                return await call(key)

        def start(key: K) -> asyncio.Future[V]:
            return backends.start_coalesced((name, key), lambda: traced(key))

        return EachLoader(start, self.batching)

    def today(self) -> date:
        return self.clock().astimezone(BEIJING).date()

    def now(self) -> datetime:
        return self.clock().astimezone(BEIJING)
