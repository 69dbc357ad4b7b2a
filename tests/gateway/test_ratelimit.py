"""The per-client limiter: a request count and a cost budget a minute, kept apart per client."""

from __future__ import annotations

from gateway.access.auth import Principal, Role
from gateway.state.ratelimit import RateLimiter
from tests.gateway.conftest import open_gateway

# Until the window after this one has slid far enough: two minutes at most, in whole seconds.
LONGEST_WAIT = 121


def limiter() -> RateLimiter:
    return RateLimiter(public_requests=5, public_cost=100, user_requests=1000, user_cost=50_000)


async def test_public_callers_get_their_request_count_then_a_wait() -> None:
    rate = limiter()
    caller = Principal.public("10.0.0.1")
    waits = [await rate.admit(caller, 1) for _ in range(7)]
    assert waits[:5] == [0] * 5
    assert all(1 <= wait <= LONGEST_WAIT for wait in waits[5:])
    assert await rate.admit(Principal.public("10.0.0.2"), 1) == 0


async def test_heavy_queries_spend_the_cost_budget_exactly() -> None:
    rate = limiter()
    staff = Principal(Role.DISTRICT_ADMIN, subject="staff-1")
    waits = [await rate.admit(staff, 4_999.5) for _ in range(11)]
    assert waits[:10] == [0] * 10  # 10 x 5,000 = the 50,000 budget
    assert 1 <= waits[10] <= LONGEST_WAIT
    assert await rate.admit(Principal(Role.DISTRICT_ADMIN, subject="staff-2"), 4_999.5) == 0


async def test_a_query_dearer_than_the_whole_budget_is_refused_outright() -> None:
    rate = limiter()
    assert await rate.admit(Principal.public("10.0.0.3"), 101) == 60
    assert await rate.admit(Principal.public("10.0.0.3"), 100) == 0


async def test_a_query_dearer_than_a_minutes_budget_is_refused_as_over_a_limit() -> None:
    """A 429 would tell the client to come back, and no wait would ever let the query in."""
    async with open_gateway(rate_user_cost_per_minute=20) as (gateway, _app):
        admin = gateway.as_role(Role.DISTRICT_ADMIN)
        dear = "{ grids(first: 50) { edges { node { code name } } } }"
        for _ in range(2):
            answer = await admin.post(dear)
            assert answer.status_code == 200 and "Retry-After" not in answer.headers
            error = answer.json()["errors"][0]
            assert error["extensions"]["code"] == "COST_LIMIT"
            assert "cost a minute" in error["message"]
        # Nothing was spent: a cheap query is served at once.
        assert (await admin.data("{ departments { code } }"))["departments"]
