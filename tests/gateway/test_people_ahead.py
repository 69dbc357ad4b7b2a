"""The people a page of cases names are looked up as soon as the page is known, before its items
are walked, and only where the operation asks for them and the caller may follow them."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from connectors.civil import CivilAffairsConnector
from gateway.access.ahead import ScopedAhead
from gateway.access.auth import Principal, Role
from gateway.access.policy import Access, access
from gateway.access.scope import ScopedReads
from gateway.access.scoped_writes import ScopedData
from gateway.backends.civil_data import CivilData
from gateway.backends.data import RequestData
from gateway.settings import Settings
from schema import Named
from schema.lookahead import asks_for
from schema.people_ahead import RELATIONS, URBAN
from tests.conftest import AS_OF
from tests.gateway.conftest import Gateway, open_gateway
from tests.gateway.test_batching import CASE_LIST, WARM_UP

WITHOUT_REPORTER = """query($grid: String!, $who: Boolean!) { cases(filter: {grid: $grid}, first: 100) {
    edges { node { ... on UrbanCase { department { name }
        skipped: reporter @skip(if: true) { method }
        maybe: reporter @include(if: $who) { method } } } } } }"""


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What happens in order: each call to the registry, each department a case's field reads."""
    seen: list[str] = []
    call, department = CivilAffairsConnector.call, ScopedReads.department

    async def calling(self: CivilAffairsConnector, service: str, data: dict[str, Any]) -> Any:
        seen.append(f"registry {service}")
        return await call(self, service, data)

    async def reading(self: ScopedReads, code: str) -> Any:
        seen.append("department")
        return await department(self, code)

    monkeypatch.setattr(CivilAffairsConnector, "call", calling)
    monkeypatch.setattr(ScopedReads, "department", reading)
    return seen


async def _case_list(gateway: Gateway) -> dict[str, Any]:
    gateway = gateway.as_role(Role.URBAN_MANAGEMENT)
    await gateway.data(WARM_UP)
    gateway.reset_journals()
    grid = gateway.mocks.population.geography.grids[6]
    return await gateway.data(CASE_LIST, {"grid": grid.code})


async def test_reporters_are_looked_up_before_the_page_is_walked(
    gateway: Gateway, events: list[str]
) -> None:
    data = await _case_list(gateway)
    assert len(data["cases"]["edges"]) == 100
    walk = events.index("department")
    # The page's look-ups (more than the in-flight cap's ten) were under way before its walk.
    assert len([e for e in events[:walk] if e.startswith("registry")]) > 10


async def test_looking_ahead_changes_neither_the_answer_nor_the_calls(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    ahead = await _case_list(gateway)
    calls_ahead = gateway.calls()

    async def not_ahead(self: ScopedAhead, named: list[Any]) -> None:
        return None

    monkeypatch.setattr(ScopedAhead, "identify_ahead", not_ahead)
    assert await _case_list(gateway) == ahead
    assert gateway.calls() == calls_ahead


async def test_no_look_up_for_a_relation_the_operation_leaves_out(
    gateway: Gateway, events: list[str]
) -> None:
    gateway = gateway.as_role(Role.URBAN_MANAGEMENT)
    await gateway.data(WARM_UP)
    grid = gateway.mocks.population.geography.grids[6]
    events.clear()
    data = await gateway.data(WITHOUT_REPORTER, {"grid": grid.code, "who": False})
    assert len(data["cases"]["edges"]) == 100
    assert "department" in events
    assert not [e for e in events if e.startswith("registry")]
    # Asked for after all (`@include` true): looked up, and ahead of the walk.
    events.clear()
    await gateway.data(WITHOUT_REPORTER, {"grid": grid.code, "who": True})
    assert events[0].startswith("registry")


@pytest.mark.parametrize("role", list(Role))
async def test_no_look_up_ahead_for_a_relation_the_role_may_not_follow(
    role: Role, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each role's look-ups ahead are those its fields may make: a relation its policy row
    denies (or any, for roles that see no one) never reaches the registry; one it may follow
    is asked once, and the field's own look-up joins it."""
    passed: list[list[Any]] = []
    base = CivilData.identify_ahead

    async def noting(self: CivilData, named: list[Any]) -> None:
        passed.append(named)
        await base(self, named)

    monkeypatch.setattr(CivilData, "identify_ahead", noting)
    async with open_gateway() as (gateway, app):
        person = gateway.mocks.population.person(3)
        for relation in RELATIONS:
            passed.clear()
            data = ScopedData(app.state.backends, Settings(), lambda: AS_OF).bind(Principal(role))
            gateway.reset_journals()
            named: list[Named] = [(relation, person.id_number, None)]
            await data.identify_ahead(named)
            followed = (
                role not in (Role.PUBLIC, Role.AUDITOR)
                and access(role, relation) is not Access.DENIED
            )
            assert passed == ([named] if followed else []), relation
            if followed:
                await RequestData.identify(data, person.id_number, None)
                assert gateway.calls()["civil"] == {"rk.queryBySfzh": 1}


def _field(name: str, *below: Any, **directives: dict[str, object]) -> SelectedField:
    return SelectedField(name, directives, {}, list(below))


def _page(*node: Any) -> list[Any]:
    return [_field("cases", _field("edges", _field("node", *node)))]


REPORTER = ("edges", "node", ("reporter", URBAN))


@pytest.mark.parametrize(
    ("selected", "asked"),
    [
        (_page(_field("number")), False),
        (_page(_field("reporter")), True),
        (_page(InlineFragment("UrbanCase", [_field("reporter")], {})), True),
        (_page(InlineFragment("Case", [InlineFragment(None, [_field("reporter")], {})], {})), True),
        (_page(FragmentSpread("f", "UrbanCase", {}, [_field("reporter")])), True),
        (_page(InlineFragment("LegalAidCase", [_field("reporter")], {})), False),
        (_page(_field("reporter", skip={"if": True})), False),
        (_page(_field("reporter", skip={"if": False})), True),
        (_page(_field("reporter", include={"if": False})), False),
        (
            _page(InlineFragment("UrbanCase", [_field("reporter")], {"include": {"if": False}})),
            False,
        ),
        (_page(_field("reporter", include={"if": False}), _field("reporter")), True),
    ],
)
def test_what_an_operation_asks_for(selected: list[Any], asked: bool) -> None:
    assert asks_for(selected, REPORTER) is asked
