"""A page of cases is `edges { node { number status overdue } }`: around each scalar, graphql-core
completes a list item, an edge, a field and a node, through some thirty calls. Where every field
selected under an object is a plain read (a scalar, an object, an interface Strawberry resolves
by class, or a list of them, policed or not), the whole subtree is completed here by one walk,
planned once per query shape and request.

Anything out of the ordinary (a null where none is allowed, an error or an awaitable as a value,
a value a scalar refuses, a list that is not a list, an object of another type, a policy that
refuses) abandons the walk, and graphql-core completes the subtree from its top as it always
did, reporting what it finds. The reads are pure and the policy's records idempotent, so doing
a subtree again changes nothing but the time it takes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLInterfaceType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

from .direct import DirectRead, awaitable, direct_read


class NotPlain(Exception):
    """The walk met something graphql-core should complete."""


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    read: DirectRead | None  # None: the object's __typename
    kind: GraphQLOutputType
    leaf: GraphQLLeafType | None
    then: Subtree | None
    # For an interface: each implementation's walk, by the Python class of its objects.
    choices: Mapping[type, Subtree] | None = None


@dataclass(frozen=True, slots=True)
class Subtree:
    kind: GraphQLObjectType
    steps: tuple[Step, ...]

    def complete(self, source: Any, context: Any, info: Any) -> dict[str, Any]:
        is_type_of = self.kind.is_type_of
        if is_type_of is not None and is_type_of(source, info) is not True:
            raise NotPlain
        answer: dict[str, Any] = {}
        for step in self.steps:
            read = step.read
            if read is None:
                answer[step.key] = self.kind.name
                continue
            value = read.value(source, context) if read.with_context else read.value(source)
            answer[step.key] = _complete(step, step.kind, value, context, info)
        return answer


def _complete(step: Step, kind: GraphQLOutputType, value: Any, context: Any, info: Any) -> Any:
    if type(kind) is GraphQLNonNull:
        if value is None:
            raise NotPlain
        kind = kind.of_type
    elif value is None:
        return None
    if isinstance(value, Exception) or awaitable(value):
        raise NotPlain
    if type(kind) is GraphQLList:
        if type(value) is not list and type(value) is not tuple:
            raise NotPlain
        inner = kind.of_type
        return [_complete(step, inner, item, context, info) for item in value]
    if step.leaf is not None:
        coerced = step.leaf.coerce_output_value(value)
        if coerced is None or coerced is Undefined:
            raise NotPlain
        return coerced
    if step.choices is not None:
        # The type Strawberry's own resolve_type would name: that of the object's class. An
        # object of any other class, or one cast to a type, is left to graphql-core.
        then = step.choices.get(type(value))
        if then is None or hasattr(value, TYPE_CAST_ATTRIBUTE):
            raise NotPlain
        return then.complete(value, context, info)
    assert step.then is not None  # noqa: S101  # planned so: an object's step has its subtree
    return step.then.complete(value, context, info)


Collect = Callable[[GraphQLObjectType, FieldDetailsList], CollectedFields]
Implementations = Callable[[GraphQLAbstractType], Sequence[GraphQLObjectType]]


def plan(
    kind: GraphQLObjectType,
    fields: FieldDetailsList,
    collect: Collect,
    implementations: Implementations,
) -> Subtree | None:
    """The walk for an object of `kind` with `fields` selected under it, or None where some
    selected field is not a plain read (a resolver, arguments, a union, an interface with a
    type resolver of its own, @defer)."""
    grouped, deferred, _ = collect(kind, fields)
    if deferred:
        return None
    steps: list[Step] = []
    for key, details in grouped.items():
        name = details[0].node.name.value
        if name == "__typename":
            steps.append(Step(key, None, kind, None, None))
            continue
        step = _step(kind, key, name, details, collect, implementations)
        if step is None:
            return None
        steps.append(step)
    return Subtree(kind, tuple(steps))


def _step(
    kind: GraphQLObjectType,
    key: str,
    name: str,
    details: FieldDetailsList,
    collect: Collect,
    implementations: Implementations,
) -> Step | None:
    field = kind.fields.get(name)
    if field is None or any(d.node.arguments for d in details) or field.args:
        return None
    read = direct_read(field.resolve)
    if read is None:
        return None
    named = get_named_type(field.type)
    if is_leaf_type(named):
        return Step(key, read, field.type, named, None)
    if isinstance(named, GraphQLInterfaceType):
        choices = _choices(named, details, collect, implementations)
        return None if choices is None else Step(key, read, field.type, None, None, choices)
    if not isinstance(named, GraphQLObjectType):
        return None
    then = plan(named, details, collect, implementations)
    return None if then is None else Step(key, read, field.type, None, then)


def _choices(
    interface: GraphQLInterfaceType,
    details: FieldDetailsList,
    collect: Collect,
    implementations: Implementations,
) -> dict[type, Subtree] | None:
    """Each implementation's walk, by its Python class, where Strawberry resolves the type of
    an object from its class (`isinstance` of the interface and the class's own definition);
    None where the interface resolves types its own way or some walk cannot be planned."""
    definition = _definition(interface)
    if definition is None or definition.resolve_type is not None:
        return None
    choices: dict[type, Subtree] = {}
    for kind in implementations(interface):
        implementation = _definition(kind)
        if implementation is None or implementation.is_graphql_generic:
            return None
        origin = implementation.origin
        if not issubclass(origin, definition.origin):
            return None
        then = plan(kind, details, collect, implementations)
        if then is None:
            return None
        choices[origin] = then
    return choices


def _definition(
    kind: GraphQLObjectType | GraphQLInterfaceType,
) -> StrawberryObjectDefinition | None:
    found = (kind.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return found if isinstance(found, StrawberryObjectDefinition) else None
