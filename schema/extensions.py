"""Fields a legacy system adds to the shared types (Resident, Grid, Community, Query, Mutation):
each system's schema module lists its additions in `EXTENDS`, and the shared types take them as
bases. Registering a system's schema is one line here."""

from __future__ import annotations

import importlib

SYSTEM_SCHEMAS = ("schema.civil_fields", "schema.engagement_fields", "schema.legal_fields")


def fields_for(type_name: str) -> tuple[type, ...]:
    """The classes whose fields `type_name` takes on, in registration order."""
    found = []
    for name in SYSTEM_SCHEMAS:
        extends: dict[str, type] = importlib.import_module(name).EXTENDS
        if type_name in extends:
            found.append(extends[type_name])
    return tuple(found)
