"""The building blocks of the access policy: the four views a role can have of a value, a row
of them per role, and the one view of each kind of value per role. `gateway.access.policy`
assembles the tables from them; a legacy system's own rows (`System.parts["policy"]`) use them
too."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from gateway.access.auth import Role
from gateway.access.kinds import Kind


class Access(Enum):
    WHOLE = "whole"
    MASKED = "masked"
    MASKED_LOW = "masked_low"  # lower roles see even less of an ID number
    DENIED = "denied"


W, M, L, D = Access.WHOLE, Access.MASKED, Access.MASKED_LOW, Access.DENIED
R = Role


def _row(
    resident: Access,
    grid: Access,
    community: Access,
    district: Access,
    urban: Access,
    civil: Access,
    legal: Access,
    department: Access = Access.DENIED,
) -> dict[Role, Access]:
    """One view per role; a department's staff see no personal value unless a row says so."""
    return {
        R.DEPARTMENT: department,
        R.RESIDENT: resident,
        R.GRID_WORKER: grid,
        R.COMMUNITY_ADMIN: community,
        R.DISTRICT_ADMIN: district,
        R.URBAN_MANAGEMENT: urban,
        R.CIVIL_AFFAIRS: civil,
        R.LEGAL_AID: legal,
    }


# One view of each kind per role, whatever field or system the value comes from.
VIEWS: dict[Kind, dict[Role, Access]] = {
    #                         resident grid community district urban civil legal
    Kind.NAME: _row(W, W, W, M, M, W, W),
    Kind.ID_NUMBER: _row(W, L, M, M, M, W, W),
    Kind.PHONE: _row(W, W, M, M, W, W, W),
    Kind.ADDRESS: _row(W, W, W, M, M, W, W),
    Kind.HUKOU_ADDRESS: _row(W, M, M, M, D, W, W),
    Kind.BIRTH_DATE: _row(W, D, D, D, D, W, W),
    Kind.BIRTH_YEAR: _row(W, W, W, W, D, W, W),
    Kind.AGE: _row(W, M, M, M, D, W, W),
    Kind.SEX: _row(W, W, W, W, W, W, W),
    Kind.TAGS: _row(W, W, M, M, L, W, L),  # L: living alone too (see masks)
    Kind.LEGAL_NARRATIVE: _row(W, D, D, D, D, D, W),
}


class ArgumentRule(Enum):
    LOOKUP = "look-up"  # finds one person: whole view, or one a request and a budget of misses
    FILTER = "filter"  # narrows a list: only for roles that see the value whole
    WRITE = "write"  # a value given in a write; where it identifies someone, it is a look-up


@dataclass(frozen=True, slots=True)
class SystemRows:
    """What one legacy system adds to the policy tables, for its own fields and arguments."""

    personal_fields: dict[str, Kind] = field(default_factory=dict)
    not_masked: dict[str, str] = field(default_factory=dict)
    free_text: dict[str, str] = field(default_factory=dict)
    relations: dict[str, dict[Role, Access]] = field(default_factory=dict)
    field_rows: dict[str, dict[Role, Access]] = field(default_factory=dict)
    personal_arguments: dict[str, tuple[Kind, ArgumentRule]] = field(default_factory=dict)
    not_personal_arguments: dict[str, str] = field(default_factory=dict)
