"""Masks that cannot be undone: what a role can *learn* about a masked ID number from every field
it receives, from aliased and repeated look-ups, and from filters; each attack is run against the
gateway and the mocks as an attacker with a legitimate token would."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from gateway.access.auth import Role
from gateway.access.policy import names_vulnerability
from mocks.population import Population
from tests.conftest import AS_OF
from tests.gateway.attacks import candidates
from tests.gateway.conftest import Gateway, open_gateway
from tests.gateway.test_access import applicant_person
from tests.gateway.test_engagement import as_resident as as_platform_resident
from tests.gateway.test_engagement import residents_with_accounts

TODAY = AS_OF.date()
GROUP = """query($n: String!) { resident(registryNumber: $n) {
    idNumber birthDate birthYear age sex registeredAddress address name } }"""
MASKED_ID_ROLES = ["grid_worker", "community_admin", "district_admin", "urban_management"]
LOOKUP = "query($id: String!) { resident(idNumber: $id) { registryNumber } }"
BUDGET = 5


def reporter_index(population: Population) -> int:
    """A resident who reported a case by ID number (urban management sees reporters only)."""
    grids = len(population.geography.grids)
    for ordinal in (8 % grids, *range(grids)):
        for case in population.cases_of_grid(ordinal, AS_OF - timedelta(days=60), AS_OF):
            if case.reporter and case.reporter.id_number:
                index = population.registry.index_of_id(case.reporter.id_number)
                if index is not None:
                    return index
    raise AssertionError("no reporter")


def caller(gateway: Gateway, role: str, population: Population, index: int) -> Gateway:
    person = population.person(index)
    claims: dict[str, Any] = {
        "grid_worker": {"grids": [person.grid.code]},
        "community_admin": {"communities": [person.grid.community.code]},
    }.get(role, {})
    return gateway.as_role(Role(role), subject=f"attacker-{role}", **claims)


async def seen_by(gateway: Gateway, role: str, index: int) -> dict[str, Any]:
    population = gateway.mocks.population
    body = await caller(gateway, role, population, index).query(
        GROUP, {"n": population.person(index).registry_number}
    )
    shown: dict[str, Any] = body["data"]["resident"]
    assert shown is not None, role
    shown["age_this_year"] = True  # documented: masked-ID roles get the age by birth year
    return shown


@pytest.mark.parametrize("role", MASKED_ID_ROLES)
async def test_no_combination_of_received_fields_rebuilds_a_masked_id_number(
    gateway: Gateway, role: str
) -> None:
    population = gateway.mocks.population
    index = reporter_index(population)
    person = population.person(index)
    shown = await seen_by(gateway, role, index)
    assert shown["idNumber"] != person.id_number
    assert person.birth.strftime("%Y%m%d") not in json.dumps(shown)
    assert shown["birthDate"] is None
    # The strongest attacker: the region known (from the grid), sex and check digit used.
    fits = candidates(shown["idNumber"], shown, person.id_number[:6], TODAY, stop_at=1000)
    assert len(fits) >= 1000, (role, len(fits))
    if shown.get("birthYear"):  # the attacker's tool is right: the true number is among them
        assert person.id_number in candidates(shown["idNumber"], shown, person.id_number[:6], TODAY)


async def test_the_age_seen_with_a_masked_id_cannot_date_the_birthday(gateway: Gateway) -> None:
    """A whole age changes on the birthday, so watching it would date the birth to the day."""
    population = gateway.mocks.population
    index = reporter_index(population)
    person = population.person(index)
    shown = await seen_by(gateway, "community_admin", index)
    assert shown["birthYear"] == person.birth.year
    assert shown["age"] == TODAY.year - person.birth.year


@pytest.mark.parametrize("role", ["community_admin", "grid_worker", "urban_management"])
async def test_look_ups_cannot_confirm_a_guess_within_a_hundred_requests(
    tmp_path: Path, role: str
) -> None:
    async with open_gateway(audit_path=str(tmp_path / "audit.log")) as (gateway, _app):
        population = gateway.mocks.population
        index = reporter_index(population)
        person = population.person(index)
        shown = await seen_by(gateway, role, index)
        guesses = candidates(shown["idNumber"], shown, person.id_number[:6], TODAY, stop_at=100)
        attacker = caller(gateway, role, population, index)
        gateway.reset_journals()

        # Five aliased look-ups in one request: one is answered, the rest refused unsent.
        aliased = " ".join(
            f'g{i}: resident(idNumber: "{g}") {{ registryNumber }}'
            for i, g in enumerate(guesses[:5])
        )
        body = await attacker.query("{ %s }" % aliased)
        codes = [e["extensions"]["code"] for e in body["errors"]]
        assert codes.count("LOOKUP_LIMIT") == 4
        assert gateway.calls()["civil"].get("rk.queryBySfzh", 0) <= 1

        answered = recovered = refused = 0
        for guess in guesses[5:100]:  # 96 more requests: 100 in all
            reply = await attacker.query(LOOKUP, {"id": guess})
            if reply.get("errors"):
                assert reply["errors"][0]["extensions"]["code"] == "LOOKUP_BUDGET_EXHAUSTED"
                refused += 1
                continue
            answered += 1
            recovered += reply["data"]["resident"] is not None
        assert answered <= BUDGET
        assert refused >= 95 - BUDGET
        assert recovered == 0
        # Every miss is on record, without the guessed number.
        lines = [json.loads(x) for x in (tmp_path / "audit.log").read_text().splitlines()]
        misses = sum(line.get("lookups", {}).get("miss", 0) for line in lines)
        assert misses == BUDGET
        assert not any(g in (tmp_path / "audit.log").read_text() for g in guesses[:100])
        metrics = (await gateway.client.get("/metrics")).text
        assert (
            f'govgraph_identifier_lookups_total{{outcome="miss",role="{role}"}} {BUDGET}.0'
            in metrics
        )


async def test_a_reported_case_is_a_look_up_too(gateway: Gateway) -> None:
    """The reporter of a case answers who owns the ID number given: it spends the same budget."""
    population = gateway.mocks.population
    index = reporter_index(population)
    person = population.person(index)
    admin = caller(gateway, "community_admin", population, index)
    shown = await seen_by(gateway, "community_admin", index)
    guesses = candidates(shown["idNumber"], shown, person.id_number[:6], TODAY, stop_at=10)
    for guess in guesses[:BUDGET]:
        await admin.query(LOOKUP, {"id": guess})
    gateway.reset_journals()
    reply = await admin.query(
        """mutation($grid: String!, $id: String!) { reportCase(input: {gridCode: $grid,
            subClassCode: "0102", source: PATROL, description: "垃圾未清运", address: "北苑路1号",
            reporterName: "某居民", reporterIdNumber: $id}) { case { number } } }""",
        {"grid": person.grid.code, "id": guesses[BUDGET]},
    )
    assert reply["errors"][0]["extensions"]["code"] == "LOOKUP_BUDGET_EXHAUSTED"
    assert gateway.calls()["urban"].get("ReportCase", 0) == 0


async def test_roles_that_see_ids_whole_are_not_limited(gateway: Gateway) -> None:
    population = gateway.mocks.population
    civil = gateway.as_role(Role.CIVIL_AFFAIRS)
    people = [population.person(i) for i in range(10, 17)]
    aliased = " ".join(
        f'p{i}: resident(idNumber: "{p.id_number}") {{ name }}' for i, p in enumerate(people)
    )
    data = await civil.data("{ %s }" % aliased)
    assert [data[f"p{i}"]["name"] for i in range(len(people))] == [p.name for p in people]


# -- filters as oracles --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "argument", "value", "allowed"),
    [
        ("community_admin", "tag", "DISABLED", False),
        ("district_admin", "tag", "LOW_INCOME", False),
        ("grid_worker", "tag", "DISABLED", True),
        ("community_admin", "tag", "PARTY_MEMBER", True),
        # living alone: shown to those who see households, so they may filter by it too
        ("community_admin", "tag", "ELDERLY_LIVING_ALONE", True),
        ("district_admin", "tag", "ELDERLY_LIVING_ALONE", True),
        ("community_admin", "tag", "NEAR_LOW_INCOME", False),
        ("district_admin", "name", "王", False),
        ("urban_management", "name", "王", False),
        ("community_admin", "name", "王", True),
    ],
)
async def test_filters_only_for_roles_that_see_the_value(
    gateway: Gateway, role: str, argument: str, value: str, allowed: bool
) -> None:
    population = gateway.mocks.population
    index = 2222
    grid = population.person(index).grid.code
    who = caller(gateway, role, population, index)
    literal = value if argument == "tag" else json.dumps(value, ensure_ascii=False)
    gateway.reset_journals()
    for document in (
        '{ residents(filter: {grid: "%s", %s: %s}, first: 5) { totalCount } }'
        % (grid, argument, literal),
        '{ grid(code: "%s") { residents(%s: %s, first: 5) { totalCount } } }'
        % (grid, argument, literal),
    ):
        body = await who.query(document)
        if allowed:
            assert "errors" not in body, body
        else:
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
            assert "totalCount" not in json.dumps(body["data"]).replace('"totalCount": null', "")
    if not allowed:
        assert gateway.calls()["civil"] == {}


async def test_a_batch_of_operations_is_one_request_for_look_ups(tmp_path: Path) -> None:
    async with open_gateway(audit_path=str(tmp_path / "audit.log"), batching_enabled=True) as (
        gateway,
        _app,
    ):
        population = gateway.mocks.population
        index = reporter_index(population)
        person = population.person(index)
        admin = caller(gateway, "community_admin", population, index)
        batch = [{"query": LOOKUP, "variables": {"id": person.id_number}}] * 2
        response = await gateway.client.post("/graphql", json=batch, headers=admin.headers)
        first, second = response.json()
        assert first["data"]["resident"] is not None
        assert second["errors"][0]["extensions"]["code"] == "LOOKUP_LIMIT"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("独居老人希望每周有人陪聊", True),
        ("独 居老人希望有人陪聊", True),  # a space typed to split the word
        ("独　居", True),  # an ideographic space
        ("残-疾人出行不便", True),
        ("轮*椅坏了", True),
        ("心 理 咨 询", True),
        ("獨居老人", True),  # traditional characters
        ("独\u200b居老人", True),  # a zero-width space
        ("残\u00ad疾", True),  # a soft hyphen
        ("家裡有人坐輪椅", True),
        ("楼道灯不亮，请修理", False),
        ("我很开心。理发店开门了", False),  # a sentence's own stop does not join words
    ],
)
def test_a_vulnerability_is_named_however_the_word_is_typed(text: str, names: bool) -> None:
    assert names_vulnerability(text) is names


async def test_a_wish_that_names_a_vulnerability_does_not_lead_to_its_author(
    gateway: Gateway,
) -> None:
    """Staff who see vulnerability tags masked would learn them from a wish such as
    "独居老人希望每周有人陪聊" and its author's registry match; they see the wish, not who."""
    population = gateway.mocks.population
    book = population.engagement
    ordinal, grid_code = next(
        (o, population.geography.grids[o].code)
        for o in book.top_grids()
        if any(names_vulnerability(w.content) for w in book.grid(o).wishes)
        and any(not names_vulnerability(w.content) for w in book.grid(o).wishes)
    )
    query = (
        '{ grid(code: "%s") { wishes { content author { nickname registryMatch { method } } } } }'
        % grid_code
    )
    admin = gateway.as_role(Role.COMMUNITY_ADMIN, communities=[grid_code[:12]])
    worker = gateway.as_role(Role.GRID_WORKER, grids=[grid_code])
    for who, sees_tags in (
        (admin, False),
        (worker, True),
        (gateway.as_role(Role.DISTRICT_ADMIN), False),
    ):
        wishes = (await who.data(query))["grid"]["wishes"]
        assert wishes
        for wish in wishes:
            hidden = names_vulnerability(wish["content"]) and not sees_tags
            assert (wish["author"] is None) is hidden, (wish, sees_tags)
    assert len(book.grid(ordinal).wishes) >= len(wishes)


HOUSEHOLD = """query($n: String!) { resident(registryNumber: $n) {
    age tags { type } household { size members { registryNumber } } } }"""


@pytest.mark.parametrize(
    "role", ["grid_worker", "community_admin", "district_admin", "urban_management", "legal_aid"]
)
async def test_living_alone_is_hidden_only_from_roles_that_cannot_count_it(
    gateway: Gateway, role: str
) -> None:
    """An elderly resident in a household of one lives alone: a role shown the household's size
    or members would count what a hidden tag pretends to keep from it. So a role either sees the
    tag and the household, or neither; and the other vulnerability tags stay hidden either way."""
    population = gateway.mocks.population
    alone = next(i for i in range(population.registry.size) if "04" in population.person(i).tags)
    index = (
        alone
        if role not in ("urban_management", "legal_aid")
        else (
            reporter_index(population)
            if role == "urban_management"
            else applicant_person(population)
        )
    )
    person = population.person(index)
    body = await caller(gateway, role, population, index).query(
        HOUSEHOLD, {"n": person.registry_number}
    )
    shown = body["data"]["resident"]
    household = shown["household"]
    counted = household is not None and (
        household["size"] is not None or household["members"] is not None
    )
    tags = {t["type"] for t in shown["tags"]}
    if counted:
        lives_alone = household["size"] == 1 and (shown["age"] or 0) >= 60
        assert ("ELDERLY_LIVING_ALONE" in tags) is lives_alone, (role, shown)
    else:
        assert "ELDERLY_LIVING_ALONE" not in tags
    if role not in ("grid_worker",):
        assert not tags & {"DISABLED", "LOW_INCOME", "NEAR_LOW_INCOME"}
    assert counted is (role not in ("urban_management", "legal_aid"))


async def test_a_proposal_that_names_a_vulnerability_does_not_lead_to_its_proposer(
    gateway: Gateway,
) -> None:
    population = gateway.mocks.population
    ordinal = max(
        population.engagement.top_grids(),
        key=lambda o: len(residents_with_accounts(population, o)),
    )
    author = residents_with_accounts(population, ordinal)[0]
    grid = author.grid_code
    propose = (
        'mutation { proposeTopic(input: {gridCode: "%s", title: "%s", content: "%s"}) '
        "{ topic { topicId } errors { field } } }"
    )
    me = as_platform_resident(gateway, population, author)
    told = (await me.data(propose % (grid, "加装坡道", "我家老人坐轮椅，下楼困难")))["proposeTopic"]
    plain = (await me.data(propose % (grid, "增设充电桩", "楼下充电难")))["proposeTopic"]
    query = (
        '{ grid(code: "%s") { deliberations(first: 50) { topicId proposer { nickname } } } }' % grid
    )
    for who, sees_tags in (
        (gateway.as_role(Role.COMMUNITY_ADMIN, communities=[grid[:12]]), False),
        (gateway.as_role(Role.CIVIL_AFFAIRS, purpose="test"), True),
    ):
        topics = {t["topicId"]: t for t in (await who.data(query))["grid"]["deliberations"]}
        assert (topics[told["topic"]["topicId"]]["proposer"] is None) is not sees_tags
        assert topics[plain["topic"]["topicId"]]["proposer"] == {"nickname": author.nickname}
