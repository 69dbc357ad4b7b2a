"""Identity resolution across systems: which resident a person named elsewhere is."""

from __future__ import annotations

from collections.abc import Mapping

from .domain import IdentityMatch, MatchMethod, Resident


def match_identity(
    id_number: str | None,
    phone: str | None,
    residents_by_id: Mapping[str, Resident],
    residents_by_phone: Mapping[str, list[Resident]],
) -> IdentityMatch:
    """Link a person named in another system to a resident: by ID number, else by a phone that
    exactly one resident has."""
    if id_number and id_number in residents_by_id:
        return IdentityMatch(MatchMethod.ID_NUMBER, residents_by_id[id_number].registry_number)
    if phone:
        holders = residents_by_phone.get(phone, [])
        if len(holders) == 1:
            return IdentityMatch(MatchMethod.PHONE, holders[0].registry_number)
        if len(holders) > 1:
            return IdentityMatch(MatchMethod.AMBIGUOUS, None)
    return IdentityMatch(MatchMethod.NONE, None)
