"""Backend requests counted at the mocks' journals: batching per level, one list call per
distinct parent, concurrency under the in-flight cap, nothing repeated within a query."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import schema.places as places
from gateway.access.auth import Role
from mocks.population import id_number_is_valid
from tests.gateway.conftest import Gateway, make_gateway

FIFTY_GRIDS = "{ grids(first: 50) { edges { node { code name residents(first: 5) { edges { node { name } } } cases(first: 5) { edges { node { __typename } } } } } } }"
CASE_LIST = """query($grid: String!) { cases(filter: {grid: $grid}, first: 100) { edges { node { ... on UrbanCase {
    reporter { resident { name household { address } } } department { name } grid { name } } } } } }"""
WARM_UP = "{ departments { code } grids(first: 1) { totalCount } }"


async def _gateway(**settings: Any) -> tuple[Gateway, Any]:
    return await make_gateway(**settings)


@pytest.fixture
async def naive(tmp_path: Path) -> AsyncIterator[Gateway]:
    gw, app = await make_gateway(audit_path=str(tmp_path / "audit.log"), batching=False)
    yield gw.as_role(Role.URBAN_MANAGEMENT)
    await gw.client.aclose()
    await app.state.backends.aclose()


def expected_phone_lookups(
    gateway: Gateway, grid_ordinal: int, per_case: bool = False
) -> tuple[int, int]:
    """(distinct ID numbers, distinct phones) the gateway must look up for the newest 100 cases;
    per case rather than distinct with `per_case`."""
    population = gateway.mocks.population
    registry = population.registry
    cases = list(
        population.cases_of_grid(grid_ordinal, population.history_start(), population.now())
    )[:100]
    ids, phones = set(), set()
    phone_cases = 0
    for case in cases:
        reporter = case.reporter
        if reporter is None:
            continue
        if reporter.id_number and id_number_is_valid(reporter.id_number):
            ids.add(reporter.id_number)
            if registry.index_of_id(reporter.id_number) is not None:
                continue
        if reporter.phone:
            phones.add(reporter.phone)
            phone_cases += 1
    return len(ids), phone_cases if per_case else len(phones)


async def test_case_list_batches_reporters_and_households(gateway: Gateway) -> None:
    gateway = gateway.as_role(Role.URBAN_MANAGEMENT)
    await gateway.data(WARM_UP)
    gateway.reset_journals()
    grid = gateway.mocks.population.geography.grids[6]
    data = await gateway.data(CASE_LIST, {"grid": grid.code})
    assert len(data["cases"]["edges"]) == 100
    calls = gateway.calls()
    ids, phones = expected_phone_lookups(gateway, grid.ordinal)
    assert ids > 0
    assert phones > 0
    assert calls["urban"] == {"QueryCases": 1}
    assert calls["civil"]["rk.queryBySfzh"] == 1  # every reporter's ID number in one call
    # Reporters are identified together, however each was found, so every household comes in
    # one call.
    assert calls["civil"]["hu.queryByHh"] == 1
    # The registry has no batch look-up by phone: one call per distinct phone, and only for
    # reporters who gave no ID number the registry knows.
    assert calls["civil"].get("rk.queryByLxdh", 0) == phones
    assert sum(calls["civil"].values()) == 1 + phones + 1
    assert calls["legal"] == {}


PROFILE = """query($id: String!) { resident(idNumber: $id) {
    name household { address } enrolments { enrolledAt } legalAidCases { number } disputes { kind } } }"""


async def test_a_resident_found_by_id_number_is_not_looked_up_again_by_registry_number(
    gateway: Gateway,
) -> None:
    gateway = gateway.as_role(Role.DISTRICT_ADMIN)
    population = gateway.mocks.population
    await gateway.data(PROFILE, {"id": population.person(8).id_number})  # session, token, grids
    resident = population.person(7)
    gateway.reset_journals()
    data = await gateway.data(PROFILE, {"id": resident.id_number})
    assert data["resident"]["household"] is not None
    calls = gateway.calls()
    assert calls["civil"] == {"rk.queryBySfzh": 1, "hu.queryByHh": 1, "bm.query": 1}
    assert calls["legal"] == {"list_applications": 1, "list_disputes": 1}


async def test_without_batching_the_same_query_costs_one_call_per_reporter(
    naive: Gateway, gateway: Gateway
) -> None:
    grid = gateway.mocks.population.geography.grids[6]
    await naive.data(WARM_UP)
    naive.reset_journals()
    await naive.data(CASE_LIST, {"grid": grid.code})
    ids, phone_cases = expected_phone_lookups(naive, grid.ordinal, per_case=True)
    calls = naive.calls()["civil"]
    assert calls["rk.queryBySfzh"] >= ids > 1
    # Naive, but not wasteful: each reporter's phone is looked up once at most.
    assert 0 < calls["rk.queryByLxdh"] <= phone_cases


async def test_fifty_grid_query_makes_one_call_per_grid_per_list_concurrently(
    gateway: Gateway,
) -> None:
    gateway = gateway.as_role(Role.DISTRICT_ADMIN)
    await gateway.data(WARM_UP)
    for app in gateway.mocks.apps().values():
        # long enough for the calls to overlap: a mock does its work as a call arrives, and in
        # process that work and the sending of the next calls take turns on one event loop
        app.faults.latency_ms = 20
    gateway.reset_journals()
    data = await gateway.data(FIFTY_GRIDS)
    grids = data["grids"]["edges"]
    assert len(grids) == 40  # the demo street has 40 grids (and 120 micro-grids, not listed)
    assert all(
        len(g["node"]["residents"]["edges"]) == 5 and len(g["node"]["cases"]["edges"]) == 5
        for g in grids
    )
    calls = gateway.calls()
    assert calls["urban"] == {"QueryCases": 40}
    assert calls["civil"] == {"rk.queryByWgbm": 40}
    # Sent together under the in-flight cap (10): about four waves, not forty calls in a row.
    assert gateway.mocks.urban.journal.peak_in_flight == 10
    assert gateway.mocks.civil.journal.peak_in_flight == 10


async def test_cold_fifty_grid_query_adds_only_login_and_the_grid_list(gateway: Gateway) -> None:
    gateway = gateway.as_role(Role.DISTRICT_ADMIN)
    await gateway.data(FIFTY_GRIDS)
    calls = gateway.calls()
    assert calls["urban"] == {"Login": 1, "GetGrids": 2, "QueryCases": 40}
    assert calls["civil"] == {"rk.queryByWgbm": 40}


async def test_reference_data_is_cached_across_requests(gateway: Gateway) -> None:
    for _ in range(3):
        await gateway.data(
            "{ departments { code } serviceCenters { code services { code } } legalAidWorkstations { code dutyLawyer { name } } grids(first: 3) { totalCount } }"
        )
    calls = gateway.calls()
    assert calls["urban"] == {"Login": 1, "GetDepartments": 1, "GetGrids": 2}
    assert all(count == 1 for count in calls["civil"].values())
    assert calls["legal"]["token"] == 1
    assert all(count == 1 for op, count in calls["legal"].items())


async def test_a_page_of_grids_makes_objects_for_the_page_only(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A district has hundreds or thousands of grids; a page of two is two grids' work."""
    made: list[str] = []
    of = places.Grid.of.__func__  # type: ignore[attr-defined]

    def counted(cls: type[places.Grid], grid: Any) -> places.Grid:
        made.append(grid.code)
        return of(cls, grid)  # type: ignore[no-any-return]

    monkeypatch.setattr(places.Grid, "of", classmethod(counted))
    page = await gateway.as_role(Role.DISTRICT_ADMIN).data(
        "{ grids(first: 2) { totalCount edges { node { code } } } }"
    )
    assert page["grids"]["totalCount"] > 2
    assert made == [e["node"]["code"] for e in page["grids"]["edges"]]


async def two_identical_grid_reads_at_once(gateway: Gateway) -> tuple[Gateway, str]:
    """A grid worker's residents page, asked twice while the first call is still in flight."""
    await gateway.data(WARM_UP)
    gateway.mocks.civil.faults.latency_ms = 20  # both requests are in flight together
    gateway.reset_journals()
    grid = gateway.mocks.population.geography.grids[2].code
    caller = gateway.as_role(Role.GRID_WORKER, grids=[grid])
    query = '{ residents(filter: {grid: "%s"}, first: 10) { edges { node { name } } } }' % grid
    first, second = await asyncio.gather(caller.data(query), caller.data(query))
    assert first == second
    return caller, query


async def test_identical_calls_in_flight_from_two_requests_become_one(gateway: Gateway) -> None:
    caller, query = await two_identical_grid_reads_at_once(gateway)
    assert gateway.calls()["civil"] == {"rk.queryByWgbm": 1}
    gateway.reset_journals()
    await caller.data(query)  # nothing is kept once the call is done: personal data is not cached
    assert gateway.calls()["civil"] == {"rk.queryByWgbm": 1}


async def test_with_coalescing_off_concurrent_requests_each_make_their_own_call(
    tmp_path: Path,
) -> None:
    gw, app = await make_gateway(audit_path=str(tmp_path / "audit.log"), coalesce_in_flight=False)
    try:
        await two_identical_grid_reads_at_once(gw)
        assert gw.calls()["civil"] == {"rk.queryByWgbm": 2}
    finally:
        await gw.client.aclose()
        await app.state.backends.aclose()
