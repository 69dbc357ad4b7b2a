"""Who may see whose data. Expectations are written out by hand here, not derived from the
policy table, so that a mistake in the table fails these tests."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from gateway.access.auth import Role
from mocks.population import Population
from mocks.population.vocab import PERSON_TYPES
from tests.conftest import AS_OF
from tests.gateway.conftest import Gateway

ID_MASKED = re.compile(r"^\d{6}\*{10}[\dX]{2}$")
ID_MASKED_LOW = re.compile(r"^\d\*{15}[\dX]{2}$")
PHONE_MASKED = re.compile(r"^1\d{2}\*{4}\d{4}$")
NAME_MASKED = re.compile(r"^.\*+$")

WHOLE, MASKED, LOW, ABSENT = "whole", "masked", "masked-low", "absent"

# role: name, idNumber, phone, address, registeredAddress, birthDate, the living-alone tag (a
# fact of the household: shown to whoever sees the household's members, who could count it)
EXPECTED: dict[str, tuple[str, str, str, str, str, str, bool]] = {
    "resident": (WHOLE, WHOLE, WHOLE, WHOLE, WHOLE, WHOLE, True),
    "grid_worker": (WHOLE, LOW, WHOLE, WHOLE, MASKED, ABSENT, True),
    "community_admin": (WHOLE, MASKED, MASKED, WHOLE, MASKED, ABSENT, True),
    "district_admin": (MASKED, MASKED, MASKED, MASKED, MASKED, ABSENT, True),
    "urban_management": (MASKED, MASKED, WHOLE, MASKED, ABSENT, ABSENT, False),
    "civil_affairs": (WHOLE, WHOLE, WHOLE, WHOLE, WHOLE, WHOLE, True),
    "legal_aid": (WHOLE, WHOLE, WHOLE, WHOLE, WHOLE, WHOLE, False),
}
FIELDS = ("name", "idNumber", "phone", "address", "registeredAddress", "birthDate")
RESIDENT_QUERY = """query($n: String!) { resident(registryNumber: $n) {
    name idNumber phone address registeredAddress birthDate tags { type } } }"""


def vulnerable_person(population: Population) -> int:
    """An elderly resident living alone, with a phone: every sensitive field has a value."""
    alone = PERSON_TYPES["ALONE"].code
    return next(
        i
        for i in range(population.registry.size)
        if alone in population.person(i).tags and population.person(i).phone
    )


def applicant_person(population: Population) -> int:
    """Legal aid sees applicants and dispute parties only: a resident who applied, with a phone."""
    for application in population.legal.applications:
        index = population.registry.index_of_id(application.applicant.id_number)
        if index is not None and population.person(index).phone:
            return index
    raise AssertionError("no applicant in the population")


def claims_for(role: str, population: Population, index: int) -> dict[str, Any]:
    person = population.person(index)
    by_role: dict[str, dict[str, Any]] = {
        "resident": {"registry_number": person.registry_number, "id_number": person.id_number},
        "grid_worker": {"grids": [person.grid.code]},
        "community_admin": {"communities": [person.grid.community.code]},
    }
    return by_role.get(role, {})


def check(kind: str, shown: Any, actual: Any, field: str) -> None:
    if kind == WHOLE:
        assert shown == actual, field
    elif kind == ABSENT:
        assert shown is None, field
    elif field == "idNumber":
        assert (ID_MASKED_LOW if kind == LOW else ID_MASKED).match(shown), shown
    elif field == "phone":
        assert PHONE_MASKED.match(shown), shown
    elif field == "name":
        assert NAME_MASKED.match(shown) and shown[0] == actual[0], shown
    elif field in ("address", "registeredAddress"):
        assert shown != actual and shown.endswith("***") and actual.startswith(shown[:-3]), shown
    else:
        raise AssertionError(f"no expectation for {field}")


@pytest.mark.parametrize("role", sorted(EXPECTED))
async def test_each_role_sees_each_field_whole_masked_or_not_at_all(
    gateway: Gateway, role: str
) -> None:
    population = gateway.mocks.population
    index = applicant_person(population) if role == "legal_aid" else vulnerable_person(population)
    person = population.person(index)
    caller = gateway.as_role(Role(role), **claims_for(role, population, index))
    body = await caller.query(RESIDENT_QUERY, {"n": person.registry_number})
    shown = body["data"]["resident"]
    assert shown is not None, role
    actual = {
        "name": person.name,
        "idNumber": person.id_number,
        "phone": person.phone_digits,
        "address": person.current_address,
        "registeredAddress": person.registered_address,
        "birthDate": person.birth.isoformat(),
    }
    expected = dict(zip(FIELDS, EXPECTED[role][:6], strict=True))
    for field in FIELDS:
        check(expected[field], shown[field], actual[field], field)
    denied = {e["path"][-1] for e in body.get("errors", [])}
    assert denied == {f for f in FIELDS if expected[f] == ABSENT}
    assert all(e["extensions"]["code"] == "FORBIDDEN" for e in body.get("errors", []))
    tags = {t["type"] for t in shown["tags"]}
    assert ("ELDERLY_LIVING_ALONE" in tags) is EXPECTED[role][6]


@pytest.mark.parametrize("role", ["public", "auditor"])
async def test_public_and_auditor_see_no_resident(gateway: Gateway, role: str) -> None:
    person = gateway.mocks.population.person(5)
    caller = gateway if role == "public" else gateway.as_role(Role.AUDITOR)
    body = await caller.query(RESIDENT_QUERY, {"n": person.registry_number})
    assert body["data"]["resident"] is None
    if role == "auditor":
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert person.name not in str(body)


# role: (own grid's residents listed, another grid's residents listed,
#        own grid's cases listed, community legal-aid cases listed)
LISTS: dict[str, tuple[bool, bool, bool, bool]] = {
    "public": (False, False, False, False),
    "resident": (False, False, False, False),
    "grid_worker": (True, False, True, False),
    "community_admin": (True, False, True, True),
    "district_admin": (True, True, True, True),
    "urban_management": (False, False, True, False),
    "civil_affairs": (True, True, False, False),
    "legal_aid": (False, False, False, True),
}


@pytest.mark.parametrize("role", sorted(LISTS))
async def test_each_role_sees_each_list_or_an_empty_one(gateway: Gateway, role: str) -> None:
    population = gateway.mocks.population
    index = 2222
    person = population.person(index)
    other_grid = next(
        g for g in population.geography.grids if g.community.code != person.grid.community.code
    )
    caller = (
        gateway
        if role == "public"
        else gateway.as_role(Role(role), **claims_for(role, population, index))
    )
    data = (
        await caller.query(
            """query($own: String!, $other: String!, $area: String!) {
                own: residents(filter: {grid: $own}, first: 1) { totalCount }
                other: residents(filter: {grid: $other}, first: 1) { totalCount }
                cases: cases(filter: {grid: $own}, first: 1) { totalCount }
                legal: cases(filter: {kind: LEGAL_AID, community: $area}, first: 1) { totalCount } }""",
            {"own": person.grid.code, "other": other_grid.code, "area": person.grid.community.code},
        )
    )["data"]
    seen = tuple(data[k]["totalCount"] > 0 for k in ("own", "other", "cases", "legal"))
    assert seen == LISTS[role]


async def test_resident_sees_only_their_own_cases_and_record(gateway: Gateway) -> None:
    population = gateway.mocks.population
    case = next(
        c
        for c in population.cases_of_grid(8, AS_OF - timedelta(days=30), AS_OF)
        if c.reporter
        and c.reporter.id_number
        and population.registry.index_of_id(c.reporter.id_number) is not None
    )
    index = population.registry.index_of_id(case.reporter.id_number)  # type: ignore[union-attr]
    assert index is not None
    me = population.person(index)
    neighbour = population.person(index + 1 if index % 2 == 0 else index - 1)
    caller = gateway.as_role(
        Role.RESIDENT, registry_number=me.registry_number, id_number=me.id_number
    )
    data = (
        await caller.query(
            """query($me: String!, $other: String!) { me: resident(registryNumber: $me) { reportedCases { number } }
                other: resident(registryNumber: $other) { name } }""",
            {"me": me.registry_number, "other": neighbour.registry_number},
        )
    )["data"]
    assert case.number in {c["number"] for c in data["me"]["reportedCases"]}
    assert data["other"] is None
