"""A page of grids starts the calls its grids' fields will make before the page is walked: the
same calls, no more, for every role, and each field joins its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql.execution.values import get_argument_values

import schema.calls_ahead as calls_ahead
from connectors.civil import CivilAffairsConnector
from connectors.urban import UrbanConnector
from gateway.access.auth import Role
from schema.relay import encode_cursor
from tests.gateway.conftest import Gateway, open_gateway
from tests.gateway.test_batching import WARM_UP

DASHBOARD = (Path(__file__).parents[2] / "bench/queries/grid_dashboard.graphql").read_text(
    encoding="utf-8"
)
MONTH = {"since": "2026-10-01T00:00:00+08:00", "until": "2026-11-01T00:00:00+08:00"}

# Aliases with arguments of their own (the page's edges asked twice too), literals and
# variables, `@skip`/`@include`, fragments named and inline (on the type and on an interface),
# micro-grids with no statistics.
SHAPES = """query Shapes($since: DateTime!, $until: DateTime!, $who: Boolean!, $first: Int,
    $after: String) {
  grids(first: 12, includeMicroGrids: true) { totalCount edges { node { code level
    a: residents(first: 2) { totalCount edges { node { name } } }
    b: residents(first: $first, tag: ELDERLY_LIVING_ALONE) { totalCount }
    c: residents(first: 2, after: $after) { edges { node { name } } }
    skipped: cases(first: 1) @skip(if: true) { totalCount }
    maybe: cases(first: 2) @include(if: $who) { totalCount edges { node { number } } }
    ...Figures
    ... on Node { id }
    ... on Grid @include(if: $who) { again: statistics(since: $since, until: $until) { closed } }
  } } more: edges { node { __typename cases(first: 3) { totalCount } } } }
}
fragment Figures on Grid { statistics(since: $since, until: $until) { reported } }"""

# Arguments each field refuses (a filter by name for roles that do not see names whole, a page
# backwards, a period backwards), refused as before and with no call made ahead for them.
REFUSED = """query Refused($since: DateTime!, $until: DateTime!) {
  grids(first: 3) { edges { node { code
    residents(first: 2, name: "王") { totalCount }
    cases(first: -1) { totalCount }
    statistics(since: $until, until: $since) { reported }
  } } }
}"""

DOCUMENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "dashboard": (DASHBOARD, MONTH),
    "shapes": (SHAPES, {**MONTH, "who": True, "first": 3, "after": encode_cursor(1)}),
    "shapes, left out": (SHAPES, {**MONTH, "who": False, "first": None, "after": None}),
    "refused": (REFUSED, MONTH),
}


def _caller(gateway: Gateway, role: Role) -> Gateway:
    grid = gateway.mocks.population.geography.grids[2]
    person = gateway.mocks.population.person(3)
    claims: dict[Role, dict[str, Any]] = {
        Role.RESIDENT: {"registry_number": person.registry_number, "id_number": person.id_number},
        Role.GRID_WORKER: {"grids": [grid.code]},
        Role.COMMUNITY_ADMIN: {"communities": [grid.community.code]},
        Role.DEPARTMENT: {"department": "BM09"},
    }
    return gateway if role is Role.PUBLIC else gateway.as_role(role, **claims.get(role, {}))


@pytest.fixture
def joins(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each call a grid's field makes: whether it joined one started ahead."""
    seen: list[bool] = []
    join = calls_ahead.joined

    def noting(context: Any, call: Any) -> Any:
        seen.append(call.key in context.calls_ahead)
        return join(context, call)

    monkeypatch.setattr("schema.places.joined", noting)
    return seen


async def _asked(caller: Gateway, name: str) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    document, variables = DOCUMENTS[name]
    caller.reset_journals()
    body = await caller.query(document, variables)
    body["errors"] = sorted(
        (str(e.get("path")), e["message"], e.get("extensions", {}).get("code"))
        for e in body.get("errors", [])
    )
    return body, caller.calls()


@pytest.mark.parametrize("role", list(Role))
async def test_calls_ahead_change_neither_the_answers_nor_the_calls(
    role: Role, monkeypatch: pytest.MonkeyPatch, joins: list[bool]
) -> None:
    async with open_gateway() as (gateway, _):
        caller = _caller(gateway, role)
        await caller.query(WARM_UP)
        for name in DOCUMENTS:
            joins.clear()
            ahead = await _asked(caller, name)
            joined = sum(joins)
            with monkeypatch.context() as patch:
                patch.setitem(calls_ahead.AHEAD, "Grid", {})
                joins.clear()
                assert await _asked(caller, name) == ahead, name
                assert not any(joins)
            # The calls made ahead were those the fields made: each field joined one.
            if name != "refused":
                assert joined == len(joins), name


async def test_every_field_of_the_dashboard_joins_a_call_started_ahead(
    gateway: Gateway, joins: list[bool]
) -> None:
    admin = gateway.as_role(Role.DISTRICT_ADMIN)
    await admin.data(WARM_UP)
    data = await admin.data(DASHBOARD, MONTH)
    grids = data["grids"]["edges"]
    assert len(grids) == 40
    assert all(g["node"]["statistics"] is not None for g in grids)
    assert joins == [True] * 120


async def test_a_field_that_refuses_its_arguments_has_no_call_made_ahead(
    gateway: Gateway, joins: list[bool]
) -> None:
    """Staff who may not filter residents by name: the filter is refused as before (by the
    scope, within the call the field joins), and so are the backward page and period, for
    which nothing was started; no system was asked anything."""
    caller = gateway.as_role(Role.URBAN_MANAGEMENT)
    await caller.data(WARM_UP)
    (body, calls) = await _asked(caller, "refused")
    codes = {code for _, _, code in body["errors"]}
    assert codes == {"BAD_USER_INPUT", "FORBIDDEN"}
    assert len(body["errors"]) == 9
    assert joins == [True] * 3  # the three grids' residents, refused by the scope
    assert sum(calls["civil"].values()) == sum(calls["urban"].values()) == 0


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """In order: each call to the registry and to urban management, and each of a grid's
    fields as graphql-core reaches it on its walk of the page."""
    seen: list[str] = []
    civil, urban = CivilAffairsConnector.call, UrbanConnector.call
    coerce = get_argument_values  # the executor's own name for it, patched below

    async def civil_call(self: CivilAffairsConnector, service: str, data: Any) -> Any:
        seen.append("backend")
        return await civil(self, service, data)

    async def urban_call(self: UrbanConnector, operation: str, params: Any) -> Any:
        seen.append("backend")
        return await urban(self, operation, params)

    def coercing(field: Any, node: Any, *args: Any, **kwargs: Any) -> Any:
        if node.name.value in ("residents", "cases", "statistics"):
            seen.append("walk")  # graphql-core walking the page: a grid's field is executed
        return coerce(field, node, *args, **kwargs)

    monkeypatch.setattr(CivilAffairsConnector, "call", civil_call)
    monkeypatch.setattr(UrbanConnector, "call", urban_call)
    monkeypatch.setattr("graphql.execution.executor.get_argument_values", coercing)
    return seen


@pytest.mark.parametrize("ahead", [True, False])
async def test_the_dashboards_calls_leave_before_its_grids_are_walked(
    gateway: Gateway, events: list[str], monkeypatch: pytest.MonkeyPatch, ahead: bool
) -> None:
    if not ahead:
        monkeypatch.setitem(calls_ahead.AHEAD, "Grid", {})
    admin = gateway.as_role(Role.DISTRICT_ADMIN)
    await admin.data(WARM_UP)
    events.clear()
    await admin.data(DASHBOARD, MONTH)
    assert events.count("backend") == 120
    walk = events.index("walk")
    # Ahead, every call was on its way before the walk began; else none was.
    assert events[:walk].count("backend") == (120 if ahead else 0)


async def test_a_failing_system_is_asked_no_more_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """Urban management down: the cases and statistics fail alike with and without the calls
    ahead, each field reporting its own error, and the system is asked as often."""
    seen = []
    for ahead in (True, False):
        with monkeypatch.context() as patch:
            if not ahead:
                patch.setitem(calls_ahead.AHEAD, "Grid", {})
            async with open_gateway() as (gateway, _):
                admin = gateway.as_role(Role.DISTRICT_ADMIN)
                await admin.data(WARM_UP)
                gateway.mocks.urban.faults.outage = True
                seen.append(await _asked(admin, "dashboard"))
    (body, calls), (body_before, calls_before) = seen
    assert body["data"] == body_before["data"]
    # Which calls met the breaker open rather than the outage is down to their order.
    assert [e[::2] for e in body["errors"]] == [e[::2] for e in body_before["errors"]]
    assert {code for _, _, code in body["errors"]} == {"BACKEND_UNAVAILABLE"}
    assert calls == calls_before
