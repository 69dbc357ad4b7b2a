"""The GraphQL schema: Strawberry types, queries and mutations over domain objects."""

from typing import Any, cast

import strawberry
from graphql import GraphQLObjectType, is_specified_scalar_type, print_type
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.types.arguments import StrawberryArgument

from .cases import Dispute, LegalAidCase, UrbanCase
from .context import (
    CaseAction,
    CaseQuery,
    CheckedFile,
    Context,
    DataSource,
    Named,
    NewLegalAidApplication,
    NewUrbanCase,
)
from .entities import FEDERATION_VERSION
from .errors import Rejected
from .execution import GatewayExecutionContext, convert_arguments_once, read_plain_fields_directly
from .moments import SCALARS
from .mutations import Mutation
from .queries import Query
from .subgraphs import (
    FEDERATION_DIRECTIVES,
    FEDERATION_FIELDS,
    FEDERATION_TYPES,
    subgraph_sdl_of,
)
from .subscriptions import Subscription
from .workflow import UPLOAD_DESCRIPTION


class RememberingNameConverter(NameConverter):
    """Strawberry names each resolver argument again on every call, at some 30 µs a name: a
    grid dashboard spent a tenth of its CPU there. Arguments and their names do not change
    while the schema lives, so each is named once."""

    def __init__(self) -> None:
        super().__init__()
        self._arguments: dict[int, tuple[StrawberryArgument, str]] = {}

    def from_argument(self, argument: StrawberryArgument) -> str:
        found = self._arguments.get(id(argument))
        if found is None or found[0] is not argument:
            found = self._arguments[id(argument)] = (argument, super().from_argument(argument))
        return found[1]


def build_schema(
    schema_class: type[strawberry.federation.Schema] = strawberry.federation.Schema,
    extensions: list[Any] | None = None,
    subgraph: bool | str = False,
) -> strawberry.federation.Schema:
    """The whole graph. As a subgraph it also answers a router's `_service` and `_entities`:
    `True` or "all" for the whole graph in one subgraph, or one of `schema.subgraphs.SUBGRAPHS`,
    whose `_service` then gives that subgraph's part. Served to clients directly, none of it
    is there."""
    schema = schema_class(
        config=StrawberryConfig(name_converter=RememberingNameConverter()),
        query=Query,
        mutation=Mutation,
        # Live updates are the gateway's own (over WebSocket), not a subgraph's.
        subscription=None if subgraph else Subscription,
        types=[UrbanCase, LegalAidCase, Dispute],
        extensions=extensions or [],
        federation_version=FEDERATION_VERSION,  # type: ignore[arg-type]
        execution_context_class=GatewayExecutionContext,
        scalar_overrides=SCALARS,  # type: ignore[arg-type]
    )
    upload = schema._schema.type_map.get("Upload")
    if upload is not None:
        upload.description = UPLOAD_DESCRIPTION
    if subgraph and subgraph not in (True, "all"):
        sdl = subgraph_sdl_of(schema, str(subgraph))
        service = cast(GraphQLObjectType, schema._schema.type_map["_Service"])
        sdl_field = service.fields["sdl"]
        sdl_field.resolve = lambda *_: sdl
    if not subgraph:
        graph = schema._schema
        query = graph.query_type
        assert query is not None  # noqa: S101
        for name in FEDERATION_FIELDS:
            query.fields.pop(name, None)
        for name in FEDERATION_TYPES:
            graph.type_map.pop(name, None)
        graph.directives = tuple(d for d in graph.directives if d.name not in FEDERATION_DIRECTIVES)
    read_plain_fields_directly(schema._schema)
    convert_arguments_once()
    return schema


def client_sdl(schema: strawberry.Schema) -> str:
    """The SDL clients and their tools see: the types and fields, no federation machinery."""
    named = schema._schema.type_map.values()
    shown = [
        t
        for t in named
        if not t.name.startswith("__")
        and not is_specified_scalar_type(t)
        and t.name not in FEDERATION_TYPES
    ]
    return "\n\n".join(print_type(t) for t in sorted(shown, key=lambda t: t.name)) + "\n"


def subgraph_sdl(schema: strawberry.Schema) -> str:
    """The SDL a router composes, as the subgraph's `_service` gives it: keys and the
    federation link included."""
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.data is not None, result.errors  # noqa: S101
    return str(result.data["_service"]["sdl"])


__all__ = [
    "CaseAction",
    "CaseQuery",
    "CheckedFile",
    "Context",
    "DataSource",
    "Mutation",
    "Named",
    "NewLegalAidApplication",
    "NewUrbanCase",
    "Query",
    "Rejected",
    "build_schema",
]
