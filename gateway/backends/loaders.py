"""Per-request DataLoaders: look-ups by key are batched into the backends' batch calls, lists
are fetched once per distinct parent, and nothing is asked twice within one request.

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

    def prime(self, key: K, value: V) -> None:
        """Remember what another look-up already found, so that asking for it by this key costs
        nothing (with batching off, every look-up goes to the backend)."""
        if self._batching:
            self._loader.prime(key, value)


def by_key(keys: list[K], found: Mapping[K, V], missing: V) -> list[V]:
    return [found.get(key, missing) for key in keys]


def one_call_each(call: Callable[[K], Awaitable[V]]) -> Callable[[list[K]], Awaitable[list[V]]]:
    """For systems with no batch call: one call per distinct key, all at once (the connector's
    in-flight cap spaces them). A call that fails fails its own key only: the loader rejects
    the keys whose value is an exception and answers the others."""

    async def batch(keys: list[K]) -> list[V]:
        results = await asyncio.gather(*(call(key) for key in keys), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result  # cancelled: nothing to answer
        return list(results)  # type: ignore[arg-type]

    batch.__name__ = getattr(call, "__name__", "batch")
    return batch
