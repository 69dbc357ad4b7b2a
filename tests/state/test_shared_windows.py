"""Client rate limits on a real Redis: one allowance for a client whichever worker it reaches,
both tiers taken together or not at all, the same wait as in process, and the windows sliding on
the store's clock."""

from __future__ import annotations

import asyncio
import math

from gateway.state.shared import SharedState
from gateway.state.shared_windows import SharedWindows
from gateway.state.windows import Limit, SlidingWindows


async def test_a_clients_allowance_is_one_across_workers(two_clients: list[SharedState]) -> None:
    workers = [SharedWindows(state) for state in two_clients]
    limit = [Limit("requests", 7, 1)]
    taken = [await workers[n % 2].take(limit, "sub:a") == 0.0 for n in range(10)]
    assert taken == [True] * 7 + [False] * 3
    assert await workers[1].take(limit, "sub:b") == 0.0  # another client, its own allowance


async def test_a_request_refused_for_its_cost_spends_none_of_its_count(
    two_clients: list[SharedState],
) -> None:
    windows = SharedWindows(two_clients[0])
    heavy = [Limit("requests", 10, 1), Limit("cost", 100, 60)]
    assert await windows.take(heavy, "sub:c") == 0.0
    assert await windows.take(heavy, "sub:c") > 0
    light = [Limit("requests", 10, 1), Limit("cost", 100, 1)]
    taken = [await windows.take(light, "sub:c") == 0.0 for _ in range(10)]
    assert taken == [True] * 9 + [False]


async def test_the_wait_is_the_one_reckoned_in_process(two_clients: list[SharedState]) -> None:
    windows = SharedWindows(two_clients[0])
    # counts too large for Lua to write out whole ("1e+12")
    big = [Limit("cost", 3 * 10**12, 10**12)]
    for _ in range(3):
        assert await windows.take(big, "sub:d") == 0.0
    wait = await windows.take(big, "sub:d")
    assert 0 < wait <= 120
    # The same counts in process, at any moment of the window, wait no longer than this: the
    # whole window plus the share of the next one the last must slide out of.
    local = SlidingWindows(clock=lambda: 6_000.0)
    for _ in range(3):
        local.take(big)
    assert math.isclose(local.take(big), 60.0 + (1 - 2 / 3) * 60.0)
    assert wait <= local.take(big)


async def test_the_windows_slide_on_the_stores_clock(two_clients: list[SharedState]) -> None:
    windows = SharedWindows(two_clients[0], seconds=1.0)
    limit = [Limit("requests", 3, 1)]
    assert [await windows.take(limit, "sub:e") for _ in range(3)] == [0.0] * 3
    wait = await windows.take(limit, "sub:e")
    assert 0 < wait <= 2.0
    await asyncio.sleep(wait + 0.05)
    assert await windows.take(limit, "sub:e") == 0.0
