"""How a personal value is masked, by what kind of value it is, whichever system it came from.

The ID-number masks and the birth-date view of the same roles are chosen together (see
`gateway.access.policy`): a masked ID number hides the birth date and the first two sequence digits, so
that with the birth year these roles see, about 3,300 numbers fit the structure and the check
digit (GB 11643: 6 region + 8 birth date + 3 sequence + 1 check).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from adapters import PersonType
from gateway.access.kinds import Kind

# Vulnerability tags: visible to the grid worker of that grid (care visits) and to civil
# affairs, and to the resident themself; to no one else. Living alone is also a fact of the
# household: roles that see a household's members (community and district admins) would count
# it from them, so the masked view keeps it and only the lower one (MASKED_LOW) drops it.
VULNERABLE = frozenset(
    {
        PersonType.DISABLED,
        PersonType.LOW_INCOME,
        PersonType.NEAR_LOW_INCOME,
        PersonType.ELDERLY_LIVING_ALONE,
    }
)


def mask_id_number(value: str, low: bool = False) -> str:
    """Region and the last two (sequence digit that gives the sex, check character); lower roles
    see the first digit and the last two only."""
    if len(value) != 18:
        return "*" * len(value)
    return value[:1] + "*" * 15 + value[-2:] if low else value[:6] + "*" * 10 + value[-2:]


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)


def mask_name(value: str) -> str:
    return value[:1] + "*" * max(1, len(value) - 1)


COMMUNITY_END = re.compile(r"^.*?社区")


ROAD = re.compile(r"^\D*")


def mask_address(value: str) -> str:
    """The address up to the community, no further; an address with no community in it (a
    building's name, "北苑路507号4幢") keeps only the road's name, before any number."""
    found = COMMUNITY_END.match(value)
    kept = found.group(0) if found else ROAD.match(value).group(0)[:12]  # type: ignore[union-attr]
    return kept + "***"


OF_THE_HOUSEHOLD = frozenset({PersonType.ELDERLY_LIVING_ALONE})


def hidden_tags(low: bool) -> frozenset[PersonType]:
    """The tags a masked view leaves out: all four vulnerabilities for the lower view."""
    return VULNERABLE if low else VULNERABLE - OF_THE_HOUSEHOLD


def _without_vulnerability(tags: list[Any], low: bool) -> list[Any]:
    hidden = hidden_tags(low)
    return [t for t in tags if t.type not in hidden]


def _age_by_year(value: Any, root: Any) -> Any:
    """The age reached this calendar year: it changes for everyone on 1 January, so watching
    it cannot date a birthday."""
    raw = getattr(root, "raw", None)
    return getattr(raw, "age_this_year", None)


MaskFunction = Callable[[Any, bool, Any], Any]

MASKS: dict[Kind, MaskFunction] = {
    Kind.NAME: lambda v, low, root: mask_name(v),
    Kind.ID_NUMBER: lambda v, low, root: mask_id_number(v, low),
    Kind.PHONE: lambda v, low, root: mask_phone(v),
    Kind.ADDRESS: lambda v, low, root: mask_address(v),
    Kind.HUKOU_ADDRESS: lambda v, low, root: mask_address(v),
    Kind.AGE: lambda v, low, root: _age_by_year(v, root),
    Kind.TAGS: lambda v, low, root: _without_vulnerability(v, low),
}


def mask(kind: Kind, value: Any, low: bool, root: Any) -> Any:
    function = MASKS.get(kind)
    if function is None or value is None or value == "":
        return value
    return function(value, low, root)
