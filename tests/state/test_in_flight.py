"""Identical calls under way at once become one, whether awaited in place (`run`) or started
for a loader to share (`start`); nothing is kept once the call ends, so nothing is cached."""

from __future__ import annotations

import asyncio

import pytest

from gateway.state.caches import InFlight


class Slow:
    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()

    async def __call__(self) -> str:
        self.calls += 1
        number = self.calls
        await self.release.wait()
        return f"answer {number}"


async def test_a_started_call_is_joined_while_under_way_and_forgotten_when_it_ends() -> None:
    in_flight, slow = InFlight(), Slow()
    first = in_flight.start("grid-1", slow)
    second = in_flight.start("grid-1", slow)
    in_place = asyncio.ensure_future(in_flight.run("grid-1", slow))
    other = in_flight.start("grid-2", slow)
    await asyncio.sleep(0)
    assert first is second
    assert slow.calls == 2 and in_flight.coalesced == 2
    slow.release.set()
    assert await first == await in_place == "answer 1"
    assert await other == "answer 2"
    await asyncio.sleep(0)
    again = in_flight.start("grid-1", slow)  # ended: a new call, not a kept answer
    assert await again == "answer 3"


async def test_a_failed_call_is_forgotten_too() -> None:
    in_flight = InFlight()

    async def failing() -> str:
        raise LookupError("down")

    with pytest.raises(LookupError):
        await asyncio.shield(in_flight.start("k", failing))
    await asyncio.sleep(0)
    slow = Slow()
    slow.release.set()
    assert await in_flight.start("k", slow) == "answer 1"  # asked again, not the old failure
    assert in_flight.coalesced == 0


async def test_a_cancelled_first_caller_leaves_the_call_for_later_ones_to_join() -> None:
    in_flight, slow = InFlight(), Slow()
    first = asyncio.ensure_future(in_flight.run("grid-1", slow))
    await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    later = asyncio.ensure_future(in_flight.run("grid-1", slow))
    await asyncio.sleep(0)
    slow.release.set()
    assert await later == "answer 1"  # joined the call under way, not sent again
    assert slow.calls == 1 and in_flight.coalesced == 1
