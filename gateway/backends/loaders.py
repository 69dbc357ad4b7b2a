"""Per-request loaders: look-ups by key are batched into the backends' batch calls (DataLoader),
lists are fetched once per distinct parent (`EachLoader`), and nothing is asked twice within one
request.

aiodataloader needs a coroutine function for its batch (not a lambda) and must be created in
the running loop, so a `Loaders` is built for each request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping
from contextlib import AbstractContextManager
from typing import Any, Generic, Protocol, TypeVar

from aiodataloader import DataLoader

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

BatchLoad = Callable[[list[Any]], Awaitable[list[Any]]]


class BatchObserver(Protocol):
    def loader_batch_size(self, loader: str, size: int) -> None: ...

    def span(self, name: str, attributes: dict[str, str]) -> AbstractContextManager[object]: ...


class Loader(Generic[K, V]):
    """A typed face over aiodataloader's DataLoader; each batch is measured and traced."""

    def __init__(
        self,
        batch: Callable[[list[K]], Awaitable[list[V]]],
        batching: bool,
        max_batch: int | None = None,
        observer: BatchObserver | None = None,
    ) -> None:
        # Made when a request first uses it (`DataBase._loader`), so made at once here.
        name = getattr(batch, "__name__", "loader").lstrip("_")

        async def load_batch(keys: list[K]) -> list[V]:
            if observer is None:
                return await batch(keys)
            observer.loader_batch_size(name, len(keys))
            with observer.span(f"loader {name}", {"loader": name, "keys": str(len(keys))}):
                return await batch(keys)

        self._batching = batching
        self._loader: DataLoader[K, V] = DataLoader(
            load_batch,
            batch=batching,
            max_batch_size=max_batch if batching else 1,
            cache=batching,
        )

    async def load(self, key: K) -> V:
        # Shielded: the future is shared by every field that asked for this key, and one field
        # cancelled (a sibling's error nulling their parent) must not cancel it for the others.
        result: V = await asyncio.shield(self._loader.load(key))
        return result

    def ahead(self, key: K) -> None:
        """Asks for `key` now, for a field that will ask for it later (batching on: the later
        ask joins this one). Its outcome is read here too, so that an error nobody went on to
        ask for is not reported as never retrieved."""
        self._loader.load(key).add_done_callback(_read)

    def prime(self, key: K, value: V) -> None:
        """Remember what another look-up already found, so that asking for it by this key costs
        nothing (with batching off, every look-up goes to the backend)."""
        if self._batching:
            self._loader.prime(key, value)


def _read(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def by_key(keys: list[K], found: Mapping[K, V], missing: V) -> list[V]:
    return [found.get(key, missing) for key in keys]


class EachLoader(Generic[K, V]):
    """For systems with no batch call: one call per distinct key, started as soon as a field
    asks for it. A DataLoader would hold it to the next turn of the event loop to gather a
    batch that such a system cannot take, and the call would leave later for nothing.
    `start(key)` starts the call (or joins one under way) and gives its future. A call that
    fails fails its own key only. With batching off (`dedupe` false), every look-up is a call of
    its own, as the DataLoader's are then."""

    def __init__(self, start: Callable[[K], asyncio.Future[V]], dedupe: bool) -> None:
        self._start = start
        self._dedupe = dedupe
        self._started: dict[K, asyncio.Future[V]] = {}

    async def load(self, key: K) -> V:
        started = self._started.get(key) if self._dedupe else None
        if started is None:
            started = self._start(key)
            if self._dedupe:
                self._started[key] = started
        # Shielded: the call is shared by every field that asked for this key, and one field
        # cancelled (a sibling's error nulling their parent) must not cancel it for the others.
        # A shield whose field was cancelled reads the call's error, so none is left unread.
        return await asyncio.shield(started)
