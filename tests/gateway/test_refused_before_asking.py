"""What a system would refuse is answered by the gateway without asking it: a period the
figures cannot have, a micro-grid's figures and engagement lists (kept by grid only), a registry
number of a form the registry refuses, a 吹哨 with too few departments or a deadline out of
reach. Each gets its plain answer (an input or field error, an empty list, null), and no
backend error, which would blame the system for the caller's input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from gateway.access.auth import Role
from schema.relay import global_id
from tests.conftest import AS_OF
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
        pytest.param("2024-01-01T00:00:00Z", "2026-10-01T00:00:00+08:00", "366", id="years"),
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


async def test_a_micro_grid_has_no_lists_or_figures_of_its_own_and_no_system_is_asked(
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
      until: "2026-10-01T00:00:00+08:00") { activities } statistics(since:
      "2026-09-01T00:00:00+08:00", until: "2026-10-01T00:00:00+08:00") { closed } } } } }"""
    gateway.reset_journals()
    body = await who.query(document)
    assert "errors" not in body, body["errors"]
    by_code = {e["node"]["code"]: e["node"] for e in body["data"]["grids"]["edges"]}
    for code in micro:
        assert by_code[code]["activities"] == []
        assert by_code[code]["wishes"] == []
        assert by_code[code]["deliberations"] == []
        assert by_code[code]["engagementStatistics"] is None
        assert by_code[code]["statistics"] is None
    for code in grids:
        assert by_code[code]["engagementStatistics"] is not None
        assert by_code[code]["statistics"] is not None
    calls = gateway.calls()["engage"]
    # the grids' own lists and figures, and nothing for a micro-grid
    for operation in ("activity_list", "wish_list", "topic_list", "stat_get"):
        assert calls[operation] == len(grids)
    assert gateway.calls()["urban"]["GetStatistics"] == len(grids)


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


WHISTLE = """mutation($departments: [String!]!, $deadline: DateTime!) { whistle(input: {
  caseNumber: "2026120600010009", departments: $departments, deadline: $deadline }) {
  case { number } errors { field message } } }"""


@pytest.mark.parametrize(
    ("departments", "days", "field"),
    [
        pytest.param([], 2, "departments", id="none"),
        pytest.param(["BM09"], 2, "departments", id="one"),
        pytest.param(["BM09", "BM09"], 2, "departments", id="one-twice"),
        pytest.param(["BM09", "B"], 2, "departments", id="not-a-code"),
        pytest.param(["BM09", "BM02"], -1, "deadline", id="past"),
        pytest.param(["BM09", "BM02"], 8, "deadline", id="too-far"),
    ],
)
async def test_a_whistle_the_system_would_refuse_is_a_field_error_and_not_sent(
    gateway: Gateway, departments: list[str], days: int, field: str
) -> None:
    dispatcher = gateway.as_role(Role.URBAN_MANAGEMENT)
    deadline = (AS_OF + timedelta(days=days)).isoformat()
    gateway.reset_journals()
    body = await dispatcher.data(WHISTLE, {"departments": departments, "deadline": deadline})
    assert body["whistle"]["case"] is None
    assert [e["field"] for e in body["whistle"]["errors"]] == [field]
    assert "Whistle" not in gateway.calls()["urban"]


@pytest.mark.parametrize(
    "moment",
    [
        "9999-12-31T23:59:59Z",  # the year 10000 in Beijing time
        "0001-01-01T00:00:00+08:00",  # before the year 1 in UTC
        "0001-01-01T00:00:00+14:00",
        "1899-12-31T23:59:59+08:00",
        "2200-01-01T00:00:00+08:00",
    ],
)
async def test_a_time_no_system_keeps_is_refused_where_it_is_read(
    gateway: Gateway, moment: str
) -> None:
    """Taken into Beijing time, or with a day added, such a time overflowed (a 500 once)."""
    who = gateway.as_role(Role.DISTRICT_ADMIN)
    gateway.reset_journals()
    literal = await who.query('{ cases(filter: {since: "%s"}, first: 1) { totalCount } }' % moment)
    variable = await who.query(
        "query($t: DateTime!) { cases(filter: {until: $t}, first: 1) { totalCount } }",
        {"t": moment},
    )
    for body, code in ((literal, "GRAPHQL_VALIDATION_FAILED"), (variable, "BAD_VARIABLES")):
        assert "data" not in body or body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == code
    # the literal is the caller's document; a variable's value is never echoed, but what the
    # operation declares it to be is named, with the years taken
    assert "1900-2199" in literal["errors"][0]["message"]
    said = variable["errors"][0]["message"]
    assert "$t" in said and "DateTime!" in said and "1900-2199" in said
    assert moment not in str(variable)
    assert backend_calls(gateway) == 0
    within = await who.data(
        "query($t: DateTime!) { cases(filter: {since: $t}, first: 1) { totalCount } }",
        {"t": "2026-09-01T00:00:00+08:00"},
    )
    assert within["cases"]["totalCount"] >= 0
