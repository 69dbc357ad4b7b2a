"""The one declarative access policy: for each sensitive `Type.field`, what each role gets:
the whole value, a masked one, or nothing (null with a FORBIDDEN error). Applied in one place,
`PolicyExtension`; which rows a role may see at all is `gateway.scope`.

Minimum necessary access (PIPL arts. 6, 28): each role sees what its work needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Any

from adapters import PersonType

from .auth import Role


class Access(Enum):
    WHOLE = "whole"
    MASKED = "masked"
    MASKED_LOW = "masked_low"  # lower roles see even less of an ID number
    DENIED = "denied"


W, M, L, D = Access.WHOLE, Access.MASKED, Access.MASKED_LOW, Access.DENIED
R = Role

# Vulnerability tags: visible to the grid worker of that grid (care visits) and to civil
# affairs, and to the resident themself; to no one else.
VULNERABLE = frozenset(
    {
        PersonType.DISABLED,
        PersonType.LOW_INCOME,
        PersonType.NEAR_LOW_INCOME,
        PersonType.ELDERLY_LIVING_ALONE,
    }
)


def _row(
    resident: Access,
    grid: Access,
    community: Access,
    district: Access,
    urban: Access,
    civil: Access,
    legal: Access,
) -> dict[Role, Access]:
    return {
        R.RESIDENT: resident,
        R.GRID_WORKER: grid,
        R.COMMUNITY_ADMIN: community,
        R.DISTRICT_ADMIN: district,
        R.URBAN_MANAGEMENT: urban,
        R.CIVIL_AFFAIRS: civil,
        R.LEGAL_AID: legal,
    }


FIELD_POLICY: dict[str, dict[Role, Access]] = {
    #                                   resident grid community district urban civil legal
    "Resident.name": _row(W, W, W, M, M, W, W),
    "Resident.idNumber": _row(W, L, M, M, M, W, W),
    "Resident.phone": _row(W, W, M, M, W, W, W),
    "Resident.address": _row(W, W, W, M, M, W, W),
    "Resident.registeredAddress": _row(W, M, M, M, D, W, W),
    "Resident.birthDate": _row(W, W, W, D, D, W, W),
    "Resident.tags": _row(W, W, M, M, M, W, M),
    "Household.address": _row(W, W, W, M, M, W, W),
    "Household.members": _row(W, W, W, W, D, W, D),
    "Resident.enrolments": _row(W, W, W, W, D, W, D),
    "Resident.legalAidCases": _row(W, D, W, W, D, D, W),
    "Resident.disputes": _row(W, D, W, W, D, D, W),
    "Resident.reportedCases": _row(W, W, W, W, W, D, D),
    "CaseReporter.name": _row(W, W, M, M, W, D, D),
    "CaseReporter.phone": _row(W, W, M, M, W, D, D),
    "UrbanCase.reporter": _row(W, W, W, W, W, D, D),
    "LegalAidCase.applicantName": _row(W, D, M, M, D, D, W),
    "LegalAidCase.description": _row(W, D, D, D, D, D, W),
    "LegalAidCase.applicant": _row(W, D, W, W, D, D, W),
    "DisputeParty.name": _row(W, D, W, M, D, D, W),
    "DisputeParty.resident": _row(W, D, W, W, D, D, W),
    # Writes: who may call them at all (what on is checked in gateway.scope).
    "Mutation.reportCase": _row(W, W, W, D, W, D, D),
    "Mutation.rateCase": _row(W, D, D, D, D, D, D),
    "Mutation.applyLegalAid": _row(W, D, D, D, D, D, W),
    "Mutation.enrolInService": _row(W, W, W, D, D, W, D),
}

# Roles that see whole ID numbers must state why (a purpose header), and it is logged.
PURPOSE_REQUIRED = frozenset(
    role
    for role in Role
    if FIELD_POLICY["Resident.idNumber"].get(role) is W and role is not R.RESIDENT
)


def access(role: Role, key: str) -> Access | None:
    """None when the field is not sensitive; DENIED for roles the row does not name."""
    rule = FIELD_POLICY.get(key)
    if rule is None:
        return None
    return rule.get(role, D)


def mask_id_number(value: str, low: bool = False) -> str:
    return value[:1] + "*" * 15 + value[-2:] if low else value[:6] + "*" * 8 + value[-4:]


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)


def mask_name(value: str) -> str:
    return value[:1] + "*" * max(1, len(value) - 1)


COMMUNITY_END = re.compile(r"^.*?社区")


def mask_address(value: str) -> str:
    """The address up to the community, no further."""
    found = COMMUNITY_END.match(value)
    return (found.group(0) if found else value[:6]) + "***"


def _mask_tags(tags: list[Any]) -> list[Any]:
    return [t for t in tags if t.type not in VULNERABLE]


MASKERS: dict[str, Callable[[Any, bool], Any]] = {
    "Resident.name": lambda v, low: mask_name(v),
    "CaseReporter.name": lambda v, low: None if v is None else mask_name(v),
    "LegalAidCase.applicantName": lambda v, low: mask_name(v),
    "DisputeParty.name": lambda v, low: mask_name(v),
    "Resident.idNumber": lambda v, low: mask_id_number(v, low),
    "Resident.phone": lambda v, low: None if v is None else mask_phone(v),
    "CaseReporter.phone": lambda v, low: None if v is None else mask_phone(v),
    "Resident.address": lambda v, low: mask_address(v),
    "Resident.registeredAddress": lambda v, low: mask_address(v),
    "Household.address": lambda v, low: mask_address(v),
    "Resident.tags": lambda v, low: _mask_tags(v),
}


def masked(key: str, value: Any, level: Access) -> Any:
    masker = MASKERS.get(key)
    if masker is None or value is None:
        return value
    return masker(value, level is Access.MASKED_LOW)
