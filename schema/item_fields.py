"""The fields an operation asks of a list's items, read where the list is known, before the
executor walks it, and with their arguments as each item's resolver will be given them.

This is graphql-core's own field collection (fragments, type conditions, `@skip`/`@include`)
and its own argument coercion, then Strawberry's conversion, the same steps and functions the
executor and Strawberry take for each item's field; it is not a second reading of the document
(`schema.lookahead` reads Strawberry's `selected_fields`, whose literal arguments are left as
written, `first: 5` as the text "5"). Where anything is out of the ordinary (an abstract type
on the way, fragments with arguments of their own, arguments the executor would refuse), no
field is read and the executor is left to do as it always does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo, get_named_type
from graphql.execution.collect_fields import (
    FieldDetails,
    FieldDetailsList,
    FragmentDetails,
    collect_subfields,
)
from graphql.execution.values import get_argument_values
from strawberry.schema import schema_converter
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


@dataclass(frozen=True, slots=True)
class ItemField:
    """One field asked of every item (one response key: an alias is a field of its own)."""

    kind: GraphQLObjectType
    details: FieldDetails

    @property
    def name(self) -> str:
        return self.details.node.name.value

    @property
    def key(self) -> str:
        """The policy's key for the field, `Grid.residents`."""
        return f"{self.kind.name}.{self.name}"


def item_fields(info: strawberry.Info, path: Sequence[str]) -> list[ItemField]:
    """The fields asked of the items found at `path` below the field being resolved
    (`("edges", "node")` for a connection's), as the executor will collect them."""
    raw: GraphQLResolveInfo[Any] = info._raw_info
    variables = info.context.variables
    if variables is None or any(f.variable_definitions for f in raw.fragments.values()):
        return []  # fragments with arguments (an experimental syntax) are the executor's alone
    fragments = {name: FragmentDetails(definition) for name, definition in raw.fragments.items()}
    kind = get_named_type(raw.return_type)
    levels: list[FieldDetailsList] = [[FieldDetails(node, None) for node in raw.field_nodes]]
    for name in (*path, None):
        if not isinstance(kind, GraphQLObjectType):
            return []
        below: list[FieldDetailsList] = []
        for details in levels:
            grouped = collect_subfields(
                raw.schema, fragments, variables, raw.operation, kind, details
            ).grouped_field_set
            below.extend(group for group in grouped.values() if name in (None, _name(group)))
        if name is None:
            return [ItemField(kind, group[0]) for group in below if kind.fields.get(_name(group))]
        field = kind.fields.get(name)
        if field is None or not below:
            return []
        kind, levels = get_named_type(field.type), below
    return []  # pragma: no cover - the loop returns at its last step


def _name(group: FieldDetailsList) -> str:
    return group[0].node.name.value


def arguments(info: strawberry.Info, field: ItemField) -> dict[str, Any] | None:
    """The field's arguments as its resolver is given them, or None where it has more than a
    resolver (a Strawberry extension, a permission) between it and them. Raises where the
    executor or Strawberry would refuse them."""
    graph_field = field.kind.fields[field.name]
    definition = graph_field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.extensions:
        return None
    node = field.details.node
    values = (
        get_argument_values(
            graph_field, node, info.context.variables, field.details.fragment_variable_values
        )
        if graph_field.args or node.arguments
        else {}
    )
    strawberry_schema = info.schema
    converted: dict[str, Any] = schema_converter.convert_arguments(  # type: ignore[attr-defined]
        values,
        definition.arguments,
        strawberry_schema.schema_converter.scalar_registry,
        strawberry_schema.config,
        info,
    )
    return converted
