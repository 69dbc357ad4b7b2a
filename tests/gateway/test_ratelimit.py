"""The per-client limiter: a request count and a cost budget a minute, kept apart per client."""

from __future__ import annotations

from gateway.access.auth import Principal, Role
from gateway.state.ratelimit import RateLimiter

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
