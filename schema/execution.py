"""Less of Strawberry's and graphql-core's own work on each field: a dashboard resolves some
2,250 fields, and at a few microseconds each that work is a third of its CPU."""

from __future__ import annotations

from asyncio import Future
from collections.abc import Callable
from types import CoroutineType, GeneratorType
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema
from strawberry.execution import optimized_is_awaitable
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

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


class GatewayExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_awaitable = awaitable  # type: ignore[assignment]


def read_plain_fields_directly(graph: GraphQLSchema) -> None:
    """Strawberry reads a field that has no resolver through five calls (its basic-result
    wrapper, `get_result`, two properties and the read itself), and a dashboard reads some
    2,000 such fields. Each is given a reader of its attribute instead: the same read, in one."""
    for kind in graph.type_map.values():
        if not isinstance(kind, GraphQLObjectType):
            continue
        for graph_field in kind.fields.values():
            resolve = graph_field.resolve
            definition = graph_field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if (
                resolve is not None
                and is_default_resolver(resolve)
                and isinstance(definition, StrawberryField)
                and definition.is_basic_field
            ):
                graph_field.resolve = _attribute_reader(
                    definition.default_resolver, definition.python_name
                )


def _attribute_reader(read: Callable[[Any, str], Any], name: str) -> Callable[[Any, Any], Any]:
    def plain(source: Any, _info: Any) -> Any:
        return read(source, name)

    plain._is_default = True  # type: ignore[attr-defined]  # as Strawberry marks its own
    return plain
