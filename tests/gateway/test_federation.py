"""The gateway as a Federation v2 subgraph (`subgraph = "all"`): its SDL with keys and the
federation link a router composes, `_entities` through the same loaders, scope, policy and
audit as any path, and nothing of it on the endpoint clients call directly."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from gateway.access.auth import Role
from tests.conftest import AS_OF
from tests.gateway.conftest import Gateway, open_gateway

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Resident { name } ... on Grid { gridName: name } ... on UrbanCase { status } } }"


def rid(registry_number: str) -> str:
    return base64.urlsafe_b64encode(f"Resident:{registry_number}".encode()).decode()


@pytest.fixture
async def subgraph(tmp_path: Path) -> AsyncIterator[tuple[Gateway, Path]]:
    audit = tmp_path / "audit.log"
    async with open_gateway("tiny", subgraph="all", audit_path=str(audit)) as (gw, _):
        yield gw, audit


async def test_the_subgraph_sdl_has_keys_and_the_federation_link(
    subgraph: tuple[Gateway, Path],
) -> None:
    gateway, _ = subgraph
    sdl = (await gateway.as_role(Role.DISTRICT_ADMIN).data("{ _service { sdl } }"))["_service"][
        "sdl"
    ]
    assert 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9"' in sdl or (
        '@link(url: "https://specs.apollo.dev/federation/v2.9"' in sdl
    )
    for entity, key in (
        ("Grid", "code"),
        ("Community", "code"),
        ("Department", "code"),
        ("Service", "code"),
        ("UrbanCase", "number"),
        ("Resident", "id"),
    ):
        assert f"type {entity} " in sdl
        line = next(x for x in sdl.splitlines() if x.startswith(f"type {entity} "))
        assert f'@key(fields: "{key}"' in line, line


async def test_fifty_references_cost_one_batched_request(subgraph: tuple[Gateway, Path]) -> None:
    gateway, _ = subgraph
    population = gateway.mocks.population
    numbers = [population.person(i).registry_number for i in range(50)]
    gateway.reset_journals()
    body = await gateway.as_role(Role.CIVIL_AFFAIRS, purpose="federation test").data(
        ENTITIES, {"r": [{"__typename": "Resident", "id": rid(n)} for n in numbers]}
    )
    assert [e["name"] for e in body["_entities"]] == [population.person(i).name for i in range(50)]
    assert gateway.calls()["civil"] == {"rk.queryByRkbh": 1}


async def test_a_reference_out_of_scope_is_null_and_audited_as_a_denial(
    subgraph: tuple[Gateway, Path],
) -> None:
    gateway, audit = subgraph
    population = gateway.mocks.population
    own, other = population.geography.grids[0], population.geography.grids[1]
    mine = next(i for i in range(200) if population.person(i).grid.code == own.code)
    theirs = next(i for i in range(200) if population.person(i).grid.code == other.code)
    worker = gateway.as_role(Role.GRID_WORKER, grids=[own.code])
    body = await worker.data(
        ENTITIES,
        {
            "r": [
                {"__typename": "Resident", "id": rid(population.person(mine).registry_number)},
                {"__typename": "Resident", "id": rid(population.person(theirs).registry_number)},
                {"__typename": "Grid", "code": other.code},
            ]
        },
    )
    assert body["_entities"][0]["name"] == population.person(mine).name
    assert body["_entities"][1] is None  # another grid's resident
    assert body["_entities"][2]["gridName"] == other.name  # grids are public
    line = json.loads(audit.read_text(encoding="utf-8").splitlines()[-1])
    assert "_entities.Resident" in line["denied"]
    assert population.person(theirs).name not in audit.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "representation",
    [
        {"__typename": "Household", "code": "x"},  # not an entity
        {"__typename": "Grid"},  # no key
        {"__typename": "Grid", "code": "320213001001001", "name": "x"},  # more than the key
        {"code": "320213001001001"},  # no type
    ],
)
async def test_a_bad_representation_is_refused_before_any_backend_call(
    subgraph: tuple[Gateway, Path], representation: dict[str, str]
) -> None:
    gateway, _ = subgraph
    gateway.reset_journals()
    body = await gateway.as_role(Role.DISTRICT_ADMIN).query(ENTITIES, {"r": [representation]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert all(calls == {} for calls in gateway.calls().values())


async def test_clients_calling_directly_see_no_federation_machinery() -> None:
    async with open_gateway("tiny") as (gateway, _):
        who = gateway.as_role(Role.DISTRICT_ADMIN)
        refused = await who.post(
            '{ _entities(representations: [{__typename: "Grid", code: "1"}]) { __typename } }'
        )
        assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        types = await who.data("{ __schema { types { name } directives { name } } }")
        names = {t["name"] for t in types["__schema"]["types"]}
        assert not names & {"_Service", "_Entity", "_Any", "_FieldSet"}
        assert not {d["name"] for d in types["__schema"]["directives"]} & {"key", "link"}


async def test_a_phone_in_a_case_description_is_masked_through_entities(
    subgraph: tuple[Gateway, Path],
) -> None:
    gateway, _ = subgraph
    population = gateway.mocks.population
    case = next(
        c
        for grid in population.geography.grids
        for c in population.cases_of_grid(grid.ordinal, AS_OF - timedelta(days=60), AS_OF)
        if c.reporter is not None and c.reporter.phone in c.description
    )
    body = await gateway.as_role(Role.DISTRICT_ADMIN).data(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on UrbanCase { description } } }",
        {"r": [{"__typename": "UrbanCase", "number": case.number}]},
    )
    shown = body["_entities"][0]["description"]
    phone = case.reporter.phone  # type: ignore[union-attr]
    assert phone not in shown
    assert shown == case.description.replace(phone, f"{phone[:3]}****{phone[-4:]}")
