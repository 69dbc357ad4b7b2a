"""Less of Strawberry's and graphql-core's own work on each field: a dashboard resolves some
2,250 fields, and at a few microseconds each that work was a third of its CPU. Scalars are
answered directly, and objects of plain reads completed by one walk (`schema.plans`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import partial
from operator import attrgetter
from typing import Any, TypeVar
from weakref import WeakMethod

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path
from strawberry.resolvers import is_default_resolver
from strawberry.schema import schema_converter
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import arguments as strawberry_arguments
from strawberry.types.field import StrawberryField

from .context import Context
from .direct import DirectRead, awaitable, direct_read
from .plans import Subtree, plan
from .shared_plans import plans_of

T = TypeVar("T")


def _weak(method: Callable[..., T]) -> Callable[..., T]:
    reference = WeakMethod(method)

    def call(*args: Any) -> T:
        bound = reference()
        if bound is None:  # pragma: no cover - the executor runs while resolvers use it
            raise RuntimeError("the execution is over")
        return bound(*args)

    return call


class GatewayExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_awaitable = awaitable  # type: ignore[assignment]
        if isinstance(self.context_value, Context):
            self.context_value.variables = self.variable_values
        middleware = self.middleware_manager
        self.reads_directly = middleware is None or not middleware.middlewares
        # By the selection's identity, as graphql-core's own collect_subfields keeps it, with
        # the selection kept alive beside its plan so that its id is not reused.
        self.subtrees: dict[tuple[GraphQLObjectType, int], tuple[FieldDetailsList, Subtree | None]]
        self.subtrees = {}
        # graphql-core hands resolvers two of the executor's own methods; held strongly, that
        # cycle kept every request's execution and its results alive until the garbage
        # collector came by. The executor outlives every use of them.
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=_weak(self.gather_async_work), track=_weak(self.track_async_work)
        )

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """An object whose selected fields are all plain reads is completed by one walk
        (`schema.plans`); should the walk meet anything out of the ordinary, graphql-core
        completes the object as it always did."""
        if self.reads_directly and position_context is None:
            key = (return_type, id(field_details_list))
            known = self.subtrees.get(key)
            if known is None:
                known = (field_details_list, self._plan(return_type, field_details_list))
                self.subtrees[key] = known
            subtree = known[1]
            if subtree is not None:
                try:
                    return subtree.complete(result, self.context_value, info)
                except Exception:  # noqa: S110  # done again below, by graphql-core, which reports it
                    pass
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plan(self, kind: GraphQLObjectType, details: FieldDetailsList) -> Subtree | None:
        def planned() -> Subtree | None:
            return plan(kind, details, self.collect_subfields, self.schema.get_possible_types)

        shared = plans_of(self.schema).plans_for(self.operation, self.fragments)
        if shared is None:
            return planned()
        key = (kind, tuple(id(d.node) for d in details))
        if key not in shared:
            shared[key] = planned()
        return shared[key]

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """Most of a dashboard's fields are a record's scalars (a case's number and status, a
        resident's name). For each, graphql-core builds a resolve info, checks for arguments,
        asks twice whether the value can be awaited and walks its completion; such a field
        needs only its value and the scalar's coercion. Anything out of the ordinary (a null
        where none is allowed, a value the scalar refuses, a value still to be awaited) is
        completed by graphql-core, and an error is reported as graphql-core reports it."""
        if self.reads_directly:
            field_def = parent_type.fields.get(field_details_list[0].node.name.value)
            if field_def is not None:
                read = direct_read(field_def.resolve)
                if read is not None and read.scalar is not None:
                    return self._complete_scalar_directly(
                        read,
                        read.scalar,
                        field_def,
                        parent_type,
                        source,
                        field_details_list,
                        path,
                        position_context,
                    )
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _complete_scalar_directly(
        self,
        read: DirectRead,
        scalar: GraphQLLeafType,
        field_def: GraphQLField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        try:
            value = (
                read.value(source, self.context_value) if read.with_context else read.value(source)
            )
            if value is None:
                if type(field_def.type) is not GraphQLNonNull:
                    return None
            elif not isinstance(value, Exception) and not self.is_awaitable(value):
                coerced = scalar.coerce_output_value(value)
                if coerced is not None and coerced is not Undefined:
                    return coerced
            info = self.build_resolve_info(
                field_def, to_nodes(field_details_list), parent_type, path
            )
            if self.is_awaitable(value):
                return self.complete_awaitable_value(
                    field_def.type, field_details_list, info, path, value, position_context
                )
            return self.complete_value(
                field_def.type, field_details_list, info, path, value, position_context
            )
        except Exception as raw_error:  # as graphql-core's execute_field does
            self.handle_field_error(raw_error, field_def.type, field_details_list, path)
            return None


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
                read, name = definition.default_resolver, definition.python_name
                reader = _attribute_reader(read, name)
                graph_field.resolve = reader
                held = get_nullable_type(graph_field.type)
                value = attrgetter(name) if read is getattr else partial(_read, read, name)
                scalar = held if is_leaf_type(held) else None
                reader.direct_read = DirectRead(  # type: ignore[attr-defined]
                    reader, value, scalar=scalar
                )


def _attribute_reader(read: Callable[[Any, str], Any], name: str) -> Callable[[Any, Any], Any]:
    def plain(source: Any, _info: Any) -> Any:
        return read(source, name)

    plain._is_default = True  # type: ignore[attr-defined]  # as Strawberry marks its own
    return plain


def _read(read: Callable[[Any, str], Any], name: str, source: Any) -> Any:
    return read(source, name)


# Values that a resolver cannot change, so that one conversion can serve every call.
IMMUTABLE = (type(None), bool, int, float, str, Enum, date, datetime, Decimal)


def convert_arguments_once() -> None:
    """Strawberry converts a resolver's arguments on every call: a dashboard's `residents(first:
    5)` forty times over, one grid after another, before the first legacy call can leave. A
    request now converts each field's arguments once for each set of values, where every value
    is one a resolver cannot change (numbers, text, enums, times); lists and input objects are
    converted each time, as before. Each call gets its own copy of the arguments."""
    if getattr(schema_converter.convert_arguments, "once_per_request", False):  # type: ignore[attr-defined]
        return

    def convert_arguments(
        value: dict[str, Any],
        arguments: list[Any],
        scalar_registry: Any,
        config: Any,
        info: Any = None,
    ) -> dict[str, Any]:
        kept = getattr(getattr(info, "context", None), "converted_arguments", None)
        if (
            kept is None
            or not arguments
            or not all(isinstance(v, IMMUTABLE) for v in value.values())
        ):
            return strawberry_arguments.convert_arguments(
                value, arguments, scalar_registry, config, info
            )
        # by type as well: True, 1 and 1.0 are equal keys, and would share a conversion
        key = (id(arguments), *((name, type(v), v) for name, v in value.items()))
        converted = kept.get(key)
        if converted is None:
            converted = kept[key] = strawberry_arguments.convert_arguments(
                value, arguments, scalar_registry, config, info
            )
        return dict(converted)

    convert_arguments.once_per_request = True  # type: ignore[attr-defined]
    schema_converter.convert_arguments = convert_arguments  # type: ignore[attr-defined]
