"""The GraphQL schema: Strawberry types, queries and mutations over domain objects."""

from typing import Any

import strawberry

from .cases import Dispute, LegalAidCase, UrbanCase
from .context import CaseQuery, Context, DataSource, NewLegalAidApplication, NewUrbanCase
from .errors import Rejected
from .mutations import Mutation
from .queries import Query


def build_schema(
    schema_class: type[strawberry.Schema] = strawberry.Schema, extensions: list[Any] | None = None
) -> strawberry.Schema:
    return schema_class(
        query=Query,
        mutation=Mutation,
        types=[UrbanCase, LegalAidCase, Dispute],
        extensions=extensions or [],
    )


__all__ = [
    "CaseQuery",
    "Context",
    "DataSource",
    "Mutation",
    "NewLegalAidApplication",
    "NewUrbanCase",
    "Query",
    "Rejected",
    "build_schema",
]
