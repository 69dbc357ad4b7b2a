"""Federation entities: the types other graphs join on, their keys, and how a reference to one
is resolved. Every key is an opaque identifier or a public code (a grid's, a case's number),
never a personal value, so a router passing references between subgraphs carries nothing
personal. A reference resolves through the request's own data source, the same loaders, scope
and policy as `node(id)`: one the caller may not see is null, and noted for the audit trail."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from .relay import parse_global_id

# Federation version both composers (Apollo's and The Guild's) and Hive Gateway accept.
FEDERATION_VERSION = "2.9"
ENTITY_KEYS = {
    "Grid": "code",
    "Community": "code",
    "Department": "code",
    "Service": "code",
    "UrbanCase": "number",
    "Resident": "id",
}


def keyed(type_name: str) -> list[object]:
    """The schema directives that make `type_name` an entity."""
    return [Key(fields=FieldSet(ENTITY_KEYS[type_name]))]


async def resolve_entity(info: strawberry.Info, type_name: str, value: Any) -> Any:
    from .queries import resolve_node

    if not isinstance(value, str) or not value or len(value) > 200:
        info.context.unseen(f"_entities.{type_name}")
        return None
    key = value
    if type_name == "Resident":
        kind, key = parse_global_id(value)
        if kind != "Resident":
            info.context.unseen("_entities.Resident")
            return None
    found = await resolve_node(info, type_name, key)
    if found is None:
        info.context.unseen(f"_entities.{type_name}")
    return found
