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
    ordinal, activity, volunteer, organiser = next(
        (o, a, v, org)
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
