"""A request's state is freed when the request ends, by reference counting: nothing it made is
held in a reference cycle for the garbage collector to find later, whether its fields succeed,
fail, or meet a system that is down. A cycle through a request's data or its execution kept
everything the request read alive (a grid dashboard's 1,800 objects) until a collection, and
made collections run every few requests."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from gateway.access.auth import Role
from gateway.access.enforcement import GatewayContext
from gateway.access.scoped_writes import ScopedData
from gateway.backends.loaders import EachLoader, Loader
from gateway.backends.request_base import DataBase
from gateway.http.graphql_http import GraphQLHTTP
from schema.execution import GatewayExecutionContext
from tests.gateway.conftest import Gateway, make_gateway
from tests.gateway.test_batching import CASE_LIST, PROFILE
from tests.gateway.test_engagement import as_resident, residents_with_accounts
from tests.gateway.test_faults import FAST, SYSTEMS, THREE_SYSTEMS

# What one request makes and nothing else keeps: found by the collector, it was in a cycle.
REQUEST_STATE = (DataBase, GatewayContext, GatewayExecutionContext, EachLoader, Loader)


@pytest.fixture
def saved_garbage() -> Iterator[None]:
    """What the collector finds unreachable while the test runs is kept in `gc.garbage`."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def request_state() -> list[str]:
    """The request state the collector found in cycles since the test began."""
    gc.collect()
    return [type(o).__qualname__ for o in gc.garbage if isinstance(o, REQUEST_STATE)]


async def test_a_request_through_loaders_and_batches_leaves_no_cycle(
    gateway: Gateway, saved_garbage: None
) -> None:
    population = gateway.mocks.population
    admin = gateway.as_role(Role.DISTRICT_ADMIN)
    # a resident's profile: look-ups by key, lists per parent (EachLoader), several systems
    data = await admin.data(PROFILE, {"id": population.person(7).id_number})
    assert data["resident"]["household"] is not None
    # a page of cases: batched look-ups of reporters and their households, an abstract type
    grid = population.geography.grids[6]
    cases = await gateway.as_role(Role.URBAN_MANAGEMENT).data(CASE_LIST, {"grid": grid.code})
    assert cases["cases"]["edges"]
    assert request_state() == []


async def test_a_request_whose_field_fails_leaves_no_cycle(
    gateway: Gateway, saved_garbage: None
) -> None:
    # a field error (an ID number that is not one) goes through graphql-core's error path
    body = await gateway.as_role(Role.DISTRICT_ADMIN).query(PROFILE, {"id": "110101"})
    assert body["errors"]
    assert request_state() == []


async def test_a_write_refused_with_field_errors_leaves_no_cycle(
    gateway: Gateway, saved_garbage: None
) -> None:
    # the refusal is raised and caught inside the mutation, and answered as the payload's errors
    population = gateway.mocks.population
    resident = as_resident(gateway, population, residents_with_accounts(population, 0)[0])
    vote = 'mutation { voteOnTopic(input: {topicId: "", choice: AGREE}) { errors { field } } }'
    answer = await resident.data(vote)
    assert answer["voteOnTopic"]["errors"] == [{"field": "topicId"}]
    assert request_state() == []


@pytest.mark.parametrize("system", SYSTEMS)
async def test_a_request_that_meets_a_failing_system_leaves_no_cycle(
    system: str, saved_garbage: None, tmp_path: Path
) -> None:
    # The loaders' futures keep their errors' tracebacks, whose frames held the request's data.
    gw, app = await make_gateway(audit_path=str(tmp_path / "audit.log"), **FAST)
    try:
        getattr(gw.mocks, system).faults.outage = True
        grid = gw.mocks.population.geography.grids[0]
        body = await gw.as_role(Role.DISTRICT_ADMIN).query(
            THREE_SYSTEMS, {"grid": grid.code, "area": grid.community.code}
        )
        assert {e["extensions"]["code"] for e in body["errors"]} == {"BACKEND_UNAVAILABLE"}
        assert request_state() == []
    finally:
        await gw.client.aclose()
        await app.state.backends.aclose()


async def test_the_check_sees_a_request_held_in_a_cycle(
    gateway: Gateway, saved_garbage: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A loader that holds its data strongly again: the check finds the request in a cycle.
    import gateway.backends.request_base as request_base

    monkeypatch.setattr(request_base, "weakly", lambda method: method)
    population = gateway.mocks.population
    await gateway.as_role(Role.DISTRICT_ADMIN).data(PROFILE, {"id": population.person(7).id_number})
    assert "ScopedData" in request_state()


async def test_a_requests_data_is_freed_after_its_answer_has_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Freeing an engagement dashboard's data took 0.4 ms; done before the answer left, it held
    # the answer up. The data lives until the answer is sent, and not a moment past the request.
    gw, app = await make_gateway(audit_path=str(tmp_path / "audit.log"))
    alive: weakref.WeakSet[DataBase] = weakref.WeakSet()
    scoped_data = GraphQLHTTP.scoped_data

    def tracked(self: GraphQLHTTP, *args: Any) -> ScopedData:
        data = scoped_data(self, *args)
        alive.add(data)
        return data

    monkeypatch.setattr(GraphQLHTTP, "scoped_data", tracked)
    alive_as_sent: list[int] = []
    alive_after: list[int] = []

    async def watched(scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.body":
                alive_as_sent.append(len(alive))
            await send(message)

        await app(scope, receive, sending)
        alive_after.append(len(alive))

    client = httpx.AsyncClient(transport=httpx.ASGITransport(watched), base_url="http://gateway")
    try:
        population = gw.mocks.population
        admin = Gateway(client, gw.mocks).as_role(Role.DISTRICT_ADMIN)
        data = await admin.data(PROFILE, {"id": population.person(7).id_number})
        assert data["resident"]["household"] is not None
        assert alive_as_sent == [1]
        assert alive_after == [0]
    finally:
        await client.aclose()
        await gw.client.aclose()
        await app.state.backends.aclose()
