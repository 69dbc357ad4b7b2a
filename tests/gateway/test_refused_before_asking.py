"""What a system would refuse is answered by the gateway without asking it: a period the
figures cannot have, a micro-grid the engagement platform does not keep, a registry number of a
form the registry refuses. Each gets its plain answer (an input error, an empty list, null), and
no backend error, which would blame the system for the caller's input."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gateway.access.auth import Role
from schema.relay import global_id
from tests.gateway.conftest import Gateway, open_gateway

PERIOD = "(since: $since, until: $until) { activities wishesPosted }"


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    async with open_gateway("demo") as (gw, _):
        yield gw


def backend_calls(gateway: Gateway) -> int:
    return sum(sum(calls.values()) for calls in gateway.calls().values())


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        pytest.param("2026-10-01T00:00:00+08:00", "2026-10-01T00:00:00+08:00", "after", id="empty"),
        pytest.param("2026-10-02T00:00:00+08:00", "2026-10-01T00:00:00+08:00", "after", id="back"),
        pytest.param("1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "366", id="ages"),
    ],
)
async def test_engagement_figures_for_a_period_they_cannot_have_are_an_input_error(
    gateway: Gateway, since: str, until: str, message: str
) -> None:
    who = gateway.as_role(Role.DISTRICT_ADMIN)
    document = (
        "query($since: DateTime!, $until: DateTime!) {"
        f' community(code: "320213001001") {{ engagementStatistics{PERIOD} }}'
        f' grid(code: "320213001001001") {{ engagementStatistics{PERIOD} }} }}'
    )
    await who.data('{ grid(code: "320213001001001") { code } }')  # the grid index, warm
    gateway.reset_journals()
    body = await who.query(document, {"since": since, "until": until})
    codes = {(tuple(e["path"]), e["extensions"]["code"]) for e in body["errors"]}
    assert codes == {
        (("community", "engagementStatistics"), "BAD_USER_INPUT"),
        (("grid", "engagementStatistics"), "BAD_USER_INPUT"),
    }
    assert all(message in e["message"] for e in body["errors"])
    assert backend_calls(gateway) == 0


async def test_a_micro_grid_has_no_engagement_of_its_own_and_the_platform_is_not_asked(
    gateway: Gateway,
) -> None:
    who = gateway.as_role(Role.DISTRICT_ADMIN)
    listed = await who.data(
        '{ grids(first: 100, community: "320213001001", includeMicroGrids: true) {'
        " edges { node { code parent { code } } } } }"
    )
    nodes = [e["node"] for e in listed["grids"]["edges"]]
    micro = [n["code"] for n in nodes if n["parent"] is not None]
    grids = [n["code"] for n in nodes if n["parent"] is None]
    assert micro and grids
    document = """{ grids(first: 100, community: "320213001001",
      includeMicroGrids: true) { edges { node { code activities { title } wishes { content }
      deliberations { title } engagementStatistics(since: "2026-09-01T00:00:00+08:00",
      until: "2026-10-01T00:00:00+08:00") { activities } } } } }"""
    gateway.reset_journals()
    body = await who.query(document)
    assert "errors" not in body, body["errors"]
    by_code = {e["node"]["code"]: e["node"] for e in body["data"]["grids"]["edges"]}
    for code in micro:
        assert by_code[code]["activities"] == []
        assert by_code[code]["wishes"] == []
        assert by_code[code]["deliberations"] == []
        assert by_code[code]["engagementStatistics"] is None
    assert all(by_code[code]["engagementStatistics"] is not None for code in grids)
    calls = gateway.calls()["engage"]
    # the grids' own lists and figures, and nothing for a micro-grid
    for operation in ("activity_list", "wish_list", "topic_list", "stat_get"):
        assert calls[operation] == len(grids)


async def test_a_registry_number_of_a_form_the_registry_refuses_names_no_one(
    gateway: Gateway,
) -> None:
    who = gateway.as_role(Role.DISTRICT_ADMIN)
    real = gateway.mocks.population.person(0).registry_number
    odd = ["R0001", "RK" + real[2:-1], real.lower(), "RK" + "9" * 20]
    aliases = " ".join(
        f'r{i}: node(id: "{global_id("Resident", n)}") {{ id }}' for i, n in enumerate(odd)
    )
    body = await who.query(
        f'{{ {aliases} byNumber: resident(registryNumber: "{odd[0]}") {{ id }}'
        f' real: node(id: "{global_id("Resident", real)}") {{ id }} }}'
    )
    assert "errors" not in body, body["errors"]
    data = body["data"]
    assert data["real"] == {"id": global_id("Resident", real)}
    assert all(data[f"r{i}"] is None for i in range(len(odd))) and data["byNumber"] is None
    assert not gateway.mocks.apps()["civil"].journal.violations
