"""A legacy list adapted as it is read. The engagement platform lists a grid's activities,
wishes and topics whole (a page of fifty), and a dashboard shows the newest five of each: the
records past those are kept as they came and adapted only if something reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar, overload

from gateway.backends.wiring import adapt

T = TypeVar("T")
R = TypeVar("R")


class Adapted(Sequence[T], Generic[R, T]):
    """`records` through `convert`, each on its first reading and then kept. A bad record is
    the backend's contract failure for this operation, raised by the reading that reaches it,
    as `wiring.adapt` (which adapts them) raises it for the whole list."""

    __slots__ = ("_backend", "_convert", "_operation", "_records", "_values")

    def __init__(
        self, backend: str, operation: str, convert: Callable[[R], T], records: list[R]
    ) -> None:
        self._backend = backend
        self._operation = operation
        self._convert = convert
        self._records = records
        self._values: list[T] = []  # the first len(_values) records, adapted

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self._records))
            if step == 1:
                self._adapt_to(stop)
                return self._values[start:stop]
            return [self[i] for i in range(start, stop, step)]
        position = index + len(self._records) if index < 0 else index
        if not 0 <= position < len(self._records):
            raise IndexError(index)
        self._adapt_to(position + 1)
        return self._values[position]

    def __iter__(self) -> Iterator[T]:
        for position in range(len(self._records)):
            self._adapt_to(position + 1)
            yield self._values[position]

    def _adapt_to(self, count: int) -> None:
        """The records before `count` adapted, in order: a list is read from its newest."""
        values = self._values
        if len(values) < count:
            unread = self._records[len(values) : count]
            values.extend(adapt(self._backend, self._operation, self._convert, unread))
