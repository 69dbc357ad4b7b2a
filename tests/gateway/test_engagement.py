"""The engagement platform through the gateway, against the real mock: volunteering and points,
wishes and deliberation end to end, exchanges once per key, the platform's token and quota
errors, who a platform user is in the registry, and batching per grid."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.access.auth import Role
from mocks.population import Population
from mocks.population.engagement import PlatformUser
from tests.gateway.conftest import Gateway, open_gateway


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    async with open_gateway("tiny") as (gw, _):
        yield gw


def residents_with_accounts(population: Population, grid_ordinal: int) -> list[PlatformUser]:
    """Platform users of a grid whose bound phone is theirs alone, in the registry and on the
    platform: the residents who can act in the mini program through the gateway."""
    book = population.engagement
    found = []
    for user in book.grid(grid_ordinal).users:
        if user.person_index is None or not user.phone:
            continue
        if population.registry.indices_of_phone(user.phone) != [user.person_index]:
            continue
        if [u.openid for u in book.users_of_phone(user.phone)] == [user.openid]:
            found.append(user)
    return found


def as_resident(gateway: Gateway, population: Population, user: PlatformUser) -> Gateway:
    assert user.person_index is not None
    person = population.person(user.person_index)
    return gateway.as_role(
        Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
    )


VOLUNTEERING = """query($n: String!) { resident(registryNumber: $n) { volunteering {
  account { id nickname } points { earned spent balance } hours
  activities { activityId checkedInAt points } } } }"""


async def volunteering(who: Gateway, population: Population, user: PlatformUser) -> Any:
    assert user.person_index is not None
    number = population.person(user.person_index).registry_number
    return (await who.data(VOLUNTEERING, {"n": number}))["resident"]["volunteering"]


async def test_a_volunteer_signs_up_checks_in_earns_and_exchanges_once(gateway: Gateway) -> None:
    population = gateway.mocks.population
    book = population.engagement
    activity, volunteer, organiser = next(
        (a, v, org)
        for o in book.top_grids()
        for a in book.grid(o).activities
        for v in residents_with_accounts(population, o)
        for org in residents_with_accounts(population, o)
        if v.openid not in a.signups
        and org.openid == a.organiser
        and v != org
        and len(a.signups) < a.capacity
        and book.balance(v.openid)[2] + a.points >= 30  # then the cheapest reward is in reach
    )
    me = as_resident(gateway, population, volunteer)
    before = await volunteering(me, population, volunteer)
    signed = await me.data(
        'mutation { signUpForActivity(input: {activityId: "%s"}) { activity { signedUp } errors { field message } } }'
        % activity.activity_id
    )
    assert signed["signUpForActivity"]["errors"] == []
    again = await me.data(
        'mutation { signUpForActivity(input: {activityId: "%s"}) { errors { field message } } }'
        % activity.activity_id
    )
    assert again["signUpForActivity"]["errors"][0]["field"] == "activityId"  # already signed up
    # Only the organiser checks volunteers in.
    check_in = (
        'mutation { checkIn(input: {activityId: "%s", volunteerId: "%s"}) { signUp { checkedInAt points } errors { field } } }'
        % (
            activity.activity_id,
            before["account"]["id"],
        )
    )
    refused = await me.data(check_in)
    assert refused["checkIn"]["errors"] == [{"field": "activityId"}]
    done = await as_resident(gateway, population, organiser).data(check_in)
    assert done["checkIn"]["signUp"]["checkedInAt"] is not None
    after = await volunteering(me, population, volunteer)
    assert after["points"]["earned"] == before["points"]["earned"] + activity.points
    assert activity.activity_id in [a["activityId"] for a in after["activities"]]

    balance = after["points"]["balance"]
    exchange = (
        'mutation { exchangePoints(input: {rewardId: "RW01"}) { points balance errors { field } } }'
    )
    first = await me.post(exchange, key="exchange-1")
    retried = await me.post(exchange, key="exchange-1")  # the same key: answered once
    assert retried.json()["extensions"] == {"replayed": True}
    assert first.json()["data"] == retried.json()["data"]
    assert first.json()["data"]["exchangePoints"]["balance"] == balance - 30
    spent = await volunteering(me, population, volunteer)
    assert spent["points"]["spent"] == after["points"]["spent"] + 30
    assert sum(1 for e in book.exchanges.values() if e.openid == volunteer.openid) == 1


async def test_a_wish_and_a_topic_go_through_their_states(gateway: Gateway) -> None:
    population = gateway.mocks.population
    ordinal = max(
        population.engagement.top_grids(),
        key=lambda o: len(residents_with_accounts(population, o)),
    )
    people = residents_with_accounts(population, ordinal)
    assert len(people) >= 5  # a grid council's quorum
    grid = people[0].grid_code
    author, helper = (as_resident(gateway, population, u) for u in people[:2])
    step = "mutation { %s(input: %s) { wish { wishId status author { nickname phone } } errors { field } } }"
    posted = (
        await author.data(step % ("postWish", '{gridCode: "%s", content: "想学用手机挂号"}' % grid))
    )["postWish"]
    wish = posted["wish"]["wishId"]
    assert posted["wish"]["status"] == "POSTED"
    own = await author.data(step % ("claimWish", '{wishId: "%s"}' % wish))
    assert own["claimWish"]["errors"] == [{"field": "wishId"}]
    claimed = (await helper.data(step % ("claimWish", '{wishId: "%s"}' % wish)))["claimWish"]
    assert claimed["wish"]["status"] == "CLAIMED"
    # The claimer sees the author by nickname, and their phone only masked.
    shown = claimed["wish"]["author"]
    assert shown["nickname"] == people[0].nickname
    assert shown["phone"] != people[0].phone
    assert shown["phone"][:3] == people[0].phone[:3]
    fulfilled = (await helper.data(step % ("fulfilWish", '{wishId: "%s"}' % wish)))["fulfilWish"]
    assert fulfilled["wish"]["status"] == "FULFILLED"

    propose = 'mutation { proposeTopic(input: {gridCode: "%s", title: "增设充电桩", content: "楼下充电难"}) { topic { topicId status quorum } errors { field } } }'
    topic = (await author.data(propose % grid))["proposeTopic"]["topic"]
    assert (topic["status"], topic["quorum"]) == ("PROPOSED", 5)
    vote = 'mutation { voteOnTopic(input: {topicId: "%s", choice: %s}) { topic { status passed votes { agree disagree abstain } } errors { field } } }'
    for user, choice in zip(
        people[:5], ("AGREE", "AGREE", "AGREE", "DISAGREE", "ABSTAIN"), strict=True
    ):
        answer = (
            await as_resident(gateway, population, user).data(vote % (topic["topicId"], choice))
        )["voteOnTopic"]
        assert answer["errors"] == []
    decided = answer["topic"]
    assert (decided["status"], decided["passed"]) == ("DECIDED", True)
    assert decided["votes"] == {"agree": 3, "disagree": 1, "abstain": 1}
    again = (await author.data(vote % (topic["topicId"], "AGREE")))["voteOnTopic"]
    assert again["errors"] == [{"field": "topicId"}]


async def test_votes_are_secret_and_deliberation_records_are_the_communitys(
    gateway: Gateway,
) -> None:
    population = gateway.mocks.population
    grid = population.geography.grids[0]
    query = (
        '{ grid(code: "%s") { deliberations { votes { agree } comments { content author { nickname } } } } }'
        % grid.code
    )
    types = await gateway.as_role(Role.DISTRICT_ADMIN).data(
        '{ __type(name: "DeliberationTopic") { fields { name } } }'
    )
    names = {f["name"] for f in types["__type"]["fields"]}
    assert "votes" in names
    assert not names & {"voters", "ballots", "voteOf"}  # counts only
    admin = await gateway.as_role(Role.COMMUNITY_ADMIN, communities=[grid.community.code]).data(
        query
    )
    assert admin["grid"]["deliberations"][0]["comments"]
    worker = await gateway.as_role(Role.GRID_WORKER, grids=[grid.code]).query(query)
    assert worker["data"]["grid"]["deliberations"][0]["comments"] is None
    assert worker["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def admin(gateway: Gateway, path: str, body: dict[str, Any] | None = None) -> Any:
    import httpx

    transport = httpx.ASGITransport(gateway.mocks.engage)
    async with httpx.AsyncClient(transport=transport, base_url="http://engage") as client:
        return (await client.post(path, json=body or {})).json()


async def test_an_expired_token_is_refreshed_and_quotas_are_typed_errors(
    gateway: Gateway,
) -> None:
    population = gateway.mocks.population
    grid = population.geography.grids[0]
    who = gateway.as_role(Role.GRID_WORKER, grids=[grid.code])
    query = '{ grid(code: "%s") { name wishes { content } } }' % grid.code
    first = await who.data(query)
    assert first["grid"]["wishes"]
    await admin(gateway, "/__admin/expire-tokens")
    gateway.reset_journals()
    refreshed = await who.data(query.replace("name", "code name"))  # not a cached answer
    assert refreshed["grid"]["wishes"] == first["grid"]["wishes"]
    assert gateway.calls()["engage"].get("token") == 1  # one new token, the call sent again

    spend, refused = (g.code for g in population.geography.grids[1:3])
    district = gateway.as_role(Role.DISTRICT_ADMIN)
    for limits in ({"per_minute": 3000, "daily": 1}, {"per_minute": 1, "daily": 1_000_000}):
        await admin(gateway, "/__admin/quota", limits)
        await district.data('{ grid(code: "%s") { wishes { content } } }' % spend)  # the one call
        partial = await district.query('{ grid(code: "%s") { name wishes { content } } }' % refused)
        assert partial["data"]["grid"]["name"]  # the rest of the answer is there
        assert partial["data"]["grid"]["wishes"] is None
        error = partial["errors"][0]["extensions"]
        assert error["code"] == "BACKEND_RATE_LIMITED"
        assert error["backend"] == "engagement"
        assert error["errcode"] == (45009 if limits["daily"] == 1 else 45011)
    await admin(gateway, "/__admin/quota", {"per_minute": 3000, "daily": 1_000_000})


async def test_platform_users_are_the_registrys_residents_by_phone_and_none_wrongly(
    gateway: Gateway,
) -> None:
    """Every platform user of the tiny population through the gateway's own resolution."""
    from gateway.backends.data import RequestData
    from gateway.settings import Settings
    from tests.conftest import AS_OF

    population = gateway.mocks.population
    book = population.engagement
    users = [u for o in book.top_grids() for u in book.grid(o).users]
    backends = gateway.client._transport.app.state.backends  # type: ignore[attr-defined]
    data = RequestData(backends, Settings(), lambda: AS_OF)
    matched = wrong = unmatched_resident = 0
    expected = 0
    for user in users:
        found = await data.platform_user(user.openid)
        assert found is not None
        match, resident = await data.registry_match(found)
        assert (match.method.name == "PHONE") == (resident is not None)
        owners = population.registry.indices_of_phone(user.phone) if user.phone else []
        if user.person_index is not None and owners == [user.person_index]:
            expected += 1
        if resident is None:
            unmatched_resident += user.person_index is not None
            continue
        matched += 1
        if (
            user.person_index is None
            or resident.registry_number != population.person(user.person_index).registry_number
        ):
            wrong += 1
    bound = sum(1 for u in users if u.phone and u.person_index is not None)
    print(
        f"\nplatform users {len(users)}; residents with a bound phone {bound}; matched {matched}; wrong {wrong}"
    )
    assert wrong == 0
    assert matched == expected  # every phone held by exactly one resident, and only those
    assert matched >= 0.8 * bound  # the shared household phones are the rest


async def test_a_dashboard_of_grids_costs_one_request_per_grid_and_list(gateway: Gateway) -> None:
    who = gateway.as_role(Role.DISTRICT_ADMIN)
    gateway.reset_journals()
    body = await who.data(
        "{ grids(first: 50) { edges { node { code activities { title organiser { nickname } } "
        "wishes { content author { nickname } claimer { nickname } } } } } }"
    )
    grids = len(body["grids"]["edges"])
    calls = gateway.calls()["engage"]
    assert grids >= 6
    assert calls["activity_list"] == grids
    assert calls["wish_list"] == grids
    # People in batches of a hundred: the organisers of every grid's activities in one, the
    # authors and claimers of every grid's wishes in another (their lists arrive apart).
    assert calls["user_batchget"] <= 2
    assert calls.get("token") == 1 or "token" not in calls


async def test_the_bench_query_costs_its_documented_minimum() -> None:
    import json
    from pathlib import Path

    queries = Path(__file__).parents[2] / "bench" / "queries"
    spec = json.loads((queries / "expected.json").read_text(encoding="utf-8"))[
        "engagement_dashboard"
    ]
    document = (queries / "engagement_dashboard.graphql").read_text(encoding="utf-8")
    async with open_gateway("demo") as (gw, _):
        who = gw.as_role(Role.DISTRICT_ADMIN)
        await who.data(document, spec["variables"])  # warm: token and grid index
        gw.reset_journals()
        body = await who.data(document, spec["variables"])
        assert len(body["grids"]["edges"]) == 10
        assert sum(sum(c.values()) for c in gw.calls().values()) == spec["min_backend_requests"]


async def test_check_in_is_no_oracle_for_platform_ids(gateway: Gateway) -> None:
    """Anyone but the organiser gets the same answer for a real volunteer's ID and a made-up
    one, and the platform is not asked."""
    population = gateway.mocks.population
    ordinal = max(
        population.engagement.top_grids(),
        key=lambda o: len(residents_with_accounts(population, o)),
    )
    grid = population.engagement.grid(ordinal)
    activity = grid.activities[0]
    outsider = next(
        u for u in residents_with_accounts(population, ordinal) if u.openid != activity.organiser
    )
    real = next(iter(activity.signups))
    import base64

    def gid(openid: str) -> str:
        return base64.urlsafe_b64encode(f"PlatformUser:{openid}".encode()).decode()

    who = as_resident(gateway, population, outsider)
    answers = []
    for openid in (real, "oG0000000999" + "0" * 16):
        gateway.reset_journals()
        answers.append(
            await who.data(
                'mutation { checkIn(input: {activityId: "%s", volunteerId: "%s"}) { errors { field message } } }'
                % (activity.activity_id, gid(openid))
            )
        )
        assert "activity_checkin" not in gateway.calls()["engage"]
    assert answers[0] == answers[1]


async def test_concurrent_retries_of_one_exchange_cost_points_once(gateway: Gateway) -> None:
    import asyncio

    population = gateway.mocks.population
    book = population.engagement
    user = max(
        (u for o in book.top_grids() for u in residents_with_accounts(population, o)),
        key=lambda u: book.balance(u.openid)[2],
    )
    before = book.balance(user.openid)[2]
    assert before >= 30
    me = as_resident(gateway, population, user)
    exchange = 'mutation { exchangePoints(input: {rewardId: "RW01"}) { balance errors { field } } }'
    answers = await asyncio.gather(*(me.post(exchange, key="one-exchange") for _ in range(6)))
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {200, 409}  # the first, its replays, and "still in progress"
    assert sum(1 for e in book.exchanges.values() if e.openid == user.openid) == 1
    assert book.balance(user.openid)[2] == before - 30
    # Points never go negative: exchanges with new keys stop at what the balance allows.
    for n in range(before // 30 + 1):
        await me.post(exchange, key=f"more-{n}")
    assert book.balance(user.openid)[2] >= 0
    refused = await me.data(exchange)
    assert refused["exchangePoints"]["errors"] == [{"field": "rewardId"}]
