"""What a field needs to be answered without graphql-core's per-field machinery, and the
awaitable check graphql-core asks of every value, remembered by type."""

from __future__ import annotations

from asyncio import Future
from collections.abc import Callable
from dataclasses import dataclass
from types import CoroutineType, GeneratorType
from typing import Any

from graphql import GraphQLLeafType
from strawberry.execution import optimized_is_awaitable

# Types seen, and whether their values can be awaited; bounded, as classes can be made at run
# time. A generator is judged one by one: its flags, not its type, say whether it is a coroutine.
MAX_TYPES_REMEMBERED = 2048
_awaitable_by_type: dict[type, bool] = {CoroutineType: True, Future: True}


def awaitable(value: Any) -> bool:
    """graphql-core asks this three or four times a field. Strawberry's own check answers at
    once for built-in types; for objects (a resident, an edge, an enum member) it tries two
    isinstance checks and a failing hasattr. Here the answer is remembered by type."""
    kind = type(value)
    known = _awaitable_by_type.get(kind)
    if known is not None:
        return known
    answer = optimized_is_awaitable(value)
    if kind is not GeneratorType and len(_awaitable_by_type) < MAX_TYPES_REMEMBERED:
        _awaitable_by_type[kind] = answer
    return answer


@dataclass(frozen=True, slots=True)
class DirectRead:
    """How to read a field with no resolver of its own: `value(source)`, or
    `value(source, context)` when it needs the request's context (the policy does). `scalar` is
    the scalar or enum type of a field that holds one such value (not a list): the executor
    answers that field whole, with the scalar's coercion. A read stands for `resolver` and for
    nothing else: a resolver wrapped later, by whatever, is resolved the ordinary way."""

    resolver: Callable[..., Any]
    value: Callable[..., Any]
    with_context: bool = False
    scalar: GraphQLLeafType | None = None


def direct_read(resolve: Any) -> DirectRead | None:
    read = getattr(resolve, "direct_read", None)
    return read if isinstance(read, DirectRead) and read.resolver is resolve else None
