"""The engagement platform mock over its real ASGI app: tokens and errcodes as WeChat answers
them, quotas, contract checks, and the records' life cycles."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mocks import Population
from mocks.engage import APP_ID, APP_SECRET, Quota, create_engage_app
from mocks.engage.contract import OPERATIONS
from tests.conftest import ClientFor, ManualClock


class Platform:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.token = ""

    async def login(self) -> None:
        answer = await self.client.get(
            "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET},
        )
        self.token = answer.json()["access_token"]

    async def call(self, path: str, body: Any) -> dict[str, Any]:
        answer = await self.client.post(path, params={"access_token": self.token}, json=body)
        assert answer.status_code == 200  # the platform answers every error with HTTP 200
        result: dict[str, Any] = answer.json()
        return result


@pytest.fixture
def clock() -> ManualClock:
    clock = ManualClock()
    clock.now = 1_796_000_000.0
    return clock


@pytest.fixture
async def platform(
    tiny_population: Population, client_for: ClientFor, clock: ManualClock
) -> Platform:
    app = create_engage_app(tiny_population, clock=clock, quota=Quota(per_minute=5, daily=8))
    made = Platform(client_for(app))
    await made.login()
    return made


@pytest.fixture
async def open_platform(tiny_population: Population, client_for: ClientFor) -> Platform:
    made = Platform(client_for(create_engage_app(tiny_population)))
    await made.login()
    return made


async def test_tokens_errcodes_and_quotas(platform: Platform, clock: ManualClock) -> None:
    rewards = await platform.call("/api/reward/list", {})
    assert rewards["errcode"] == 0
    assert len(rewards["reward_list"]) == 6
    wrong = Platform(platform.client)
    wrong.token = "nope"
    assert (await wrong.call("/api/reward/list", {}))["errcode"] == 40001
    for _ in range(4):
        assert (await platform.call("/api/reward/list", {}))["errcode"] == 0
    assert (await platform.call("/api/reward/list", {}))["errcode"] == 45011  # 6th this minute
    clock.advance(60)
    for _ in range(3):
        assert (await platform.call("/api/reward/list", {}))["errcode"] == 0
    assert (await platform.call("/api/reward/list", {}))["errcode"] == 45009  # 9th today
    clock.advance(7200)
    assert (await platform.call("/api/reward/list", {}))["errcode"] == 42001


async def test_bad_credentials_and_bodies(open_platform: Platform) -> None:
    client = open_platform.client
    bad = await client.get(
        "/cgi-bin/token", params={"grant_type": "client_credential", "appid": APP_ID, "secret": "x"}
    )
    assert bad.json()["errcode"] == 40001
    assert (await client.get("/api/reward/list")).json()["errcode"] == 43002
    call = open_platform.call
    assert (await call("/api/activity/list", {"grid_code": 320213001001001}))["errcode"] == 47001
    assert (await call("/api/activity/list", {"grid_code": "320213001001001", "count": 51}))[
        "errcode"
    ] == 47001
    unknown = await call("/api/wish/list", {"grid_code": "320213001001001", "sort": "new"})
    assert unknown["errcode"] == 47001
    assert "sort" in unknown["errmsg"]
    assert (await call("/api/user/batchget", {"openid_list": ["x"] * 101}))["errcode"] == 47001
    assert (await call("/api/points/ledger", {"openid": "oNotAUser"}))["errcode"] == 40003
    # a period that ends past the year 9999 in Beijing time is refused, not a crash
    for begin, end in ((0, 253_402_300_799), (0, 253_402_300_800), (-62_135_600_000, 0)):
        far = {"community_code": "320213001001", "begin_time": begin, "end_time": end}
        refused = await call("/api/stat/get", far)
        assert (refused["errcode"], refused["errmsg"]) == (
            47001,
            "data format error: begin_time or end_time out of range",
        )


async def test_sign_up_check_in_and_earn_points(
    open_platform: Platform, tiny_population: Population
) -> None:
    call = open_platform.call
    book = tiny_population.engagement
    grid, activity = max(
        ((book.grid(o), a) for o in book.top_grids() for a in book.grid(o).activities),
        key=lambda pair: len(pair[0].users) - len(pair[1].signups),
    )
    free = [u for u in grid.users if u.openid not in activity.signups]
    volunteer, other = [u for u in free if u.openid != activity.organiser][:2]
    activity.capacity = len(activity.signups) + 1
    body = {"activity_id": activity.activity_id, "openid": volunteer.openid}
    assert (await call("/api/activity/signup", body))["errcode"] == 0
    assert (await call("/api/activity/signup", body))["errcode"] == 60003
    full = await call("/api/activity/signup", {**body, "openid": other.openid})
    assert full["errcode"] == 60002
    not_organiser = await call(
        "/api/activity/checkin", {**body, "operator_openid": volunteer.openid}
    )
    assert not_organiser["errcode"] == 60005
    checkin = {**body, "operator_openid": activity.organiser}
    before = (await call("/api/points/batchget", {"openid_list": [volunteer.openid]}))[
        "points_list"
    ][0]
    assert (await call("/api/activity/checkin", checkin))["errcode"] == 0
    assert (await call("/api/activity/checkin", checkin))["errcode"] == 0  # earns nothing more
    after = (await call("/api/points/batchget", {"openid_list": [volunteer.openid]}))[
        "points_list"
    ][0]
    assert after["earned"] == before["earned"] + activity.points


async def test_an_exchange_is_made_once_for_one_trade_number(
    open_platform: Platform, tiny_population: Population
) -> None:
    call = open_platform.call
    book = tiny_population.engagement
    richest = max(
        (u for o in book.top_grids() for u in book.grid(o).users),
        key=lambda u: book.balance(u.openid)[2],
    )
    balance = book.balance(richest.openid)[2]
    assert balance >= 30  # the cheapest reward
    exchange = {"openid": richest.openid, "reward_id": "RW01", "out_trade_no": "T-1"}
    first = await call("/api/points/exchange", exchange)
    again = await call("/api/points/exchange", exchange)
    assert first["errcode"] == again["errcode"] == 0
    assert first["exchange"] == again["exchange"]
    assert again["balance"] == balance - 30
    ledger = await call("/api/points/ledger", {"openid": richest.openid})
    assert sum(1 for e in ledger["list"] if e["reason"] == "exchange") == 1
    reused = await call("/api/points/exchange", {**exchange, "reward_id": "RW02"})
    assert reused["errcode"] == 63004


async def test_points_never_go_negative(
    open_platform: Platform, tiny_population: Population
) -> None:
    user = tiny_population.engagement.grid(1).users[0]
    balance = tiny_population.engagement.balance(user.openid)[2]
    answers = [
        await open_platform.call(
            "/api/points/exchange",
            {"openid": user.openid, "reward_id": "RW06", "out_trade_no": f"N-{n}"},
        )
        for n in range(balance // 300 + 2)
    ]
    assert answers[-1]["errcode"] == 63002
    assert tiny_population.engagement.balance(user.openid)[2] >= 0


async def test_a_wish_and_a_topic_through_their_states(
    open_platform: Platform, tiny_population: Population
) -> None:
    call = open_platform.call
    users = tiny_population.engagement.grid(2).users
    grid_code = users[0].grid_code
    posted = await call(
        "/api/wish/post",
        {"openid": users[0].openid, "grid_code": grid_code, "content": "想学用手机"},
    )
    wish_id = posted["wish"]["wish_id"]
    assert posted["wish"]["status"] == "posted"
    own = await call("/api/wish/claim", {"wish_id": wish_id, "openid": users[0].openid})
    assert own["errcode"] == 61003
    claimed = await call("/api/wish/claim", {"wish_id": wish_id, "openid": users[1].openid})
    assert claimed["wish"]["status"] == "claimed"
    wrong = await call("/api/wish/fulfil", {"wish_id": wish_id, "openid": users[2].openid})
    assert wrong["errcode"] == 61002
    done = await call("/api/wish/fulfil", {"wish_id": wish_id, "openid": users[1].openid})
    assert done["wish"]["status"] == "fulfilled"

    proposed = await call(
        "/api/topic/propose",
        {
            "openid": users[0].openid,
            "grid_code": grid_code,
            "title": "加装充电桩",
            "content": "议一议",
            "quorum": 3,
        },
    )
    topic_id = proposed["topic"]["topic_id"]
    for voter, choice in zip(users[1:4], ("agree", "agree", "disagree"), strict=True):
        voted = await call(
            "/api/topic/vote", {"topic_id": topic_id, "openid": voter.openid, "choice": choice}
        )
        assert voted["errcode"] == 0
    topic = voted["topic"]
    assert (topic["status"], topic["outcome"]) == ("decided", "passed")
    assert (topic["vote_agree"], topic["vote_disagree"]) == (2, 1)
    assert not any("openid" in key and key != "proposer_openid" for key in topic)  # votes secret
    late = await call(
        "/api/topic/vote", {"topic_id": topic_id, "openid": users[4].openid, "choice": "agree"}
    )
    assert late["errcode"] == 62002


async def test_every_bound_phone_finds_its_user(tiny_population: Population) -> None:
    book = tiny_population.engagement
    for ordinal in book.top_grids():
        for user in book.grid(ordinal).users:
            if user.phone:
                assert user in book.users_of_phone(user.phone)


async def test_the_contract_is_served_from_the_operation_table(open_platform: Platform) -> None:
    document = (await open_platform.client.get("/openapi.json")).json()
    assert {op.path for op in OPERATIONS.values()} <= set(document["paths"])
    assert (
        document["paths"]["/api/activity/list"]["post"]["requestBody"]["content"][
            "application/json"
        ]["schema"]["properties"]["count"]["maximum"]
        == 50
    )
