"""Reference data is loaded again in the background once most of its TTL has passed: the
request that reads it is answered from the entry, never with data older than the TTL, and a
failing reload leaves the entry to its TTL without a reload on every read."""

from __future__ import annotations

import asyncio
from contextvars import ContextVar

import pytest

from connectors.errors import BackendUnavailableError
from gateway.state.caches import ReferenceCache

TTL = 100.0
CALLER: ContextVar[str] = ContextVar("caller", default="none")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Source:
    """A backend whose answers are numbered, held back until released, or refused."""

    def __init__(self) -> None:
        self.loads = 0
        self.failing = False
        self.gate = asyncio.Event()
        self.gate.set()
        self.seen_callers: list[str] = []

    async def __call__(self) -> str:
        self.loads += 1
        number = self.loads
        self.seen_callers.append(CALLER.get())
        await self.gate.wait()
        if self.failing:
            raise BackendUnavailableError("urban-management", "GetGrids", "down")
        return f"grids v{number}"


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def cache_with(clock: Clock) -> ReferenceCache[str]:
    return ReferenceCache("grids", TTL, 8, refresh_share=0.8, timer=clock)


async def test_an_entry_is_read_without_a_load_until_most_of_its_ttl_has_passed() -> None:
    clock, source = Clock(), Source()
    cache = cache_with(clock)
    assert await cache.get("all", source) == "grids v1"
    clock.now += 79.0
    assert await cache.get("all", source) == "grids v1"
    await settle()
    assert source.loads == 1
    assert cache.refreshes == 0


async def test_a_due_entry_is_answered_at_once_and_replaced_by_a_load_in_the_background() -> None:
    clock, source = Clock(), Source()
    cache = cache_with(clock)
    await cache.get("all", source)
    clock.now += 81.0
    source.gate.clear()  # the reload is slow
    # Answered from the entry while the reload is under way; many readers start one reload.
    answers = [await cache.get("all", source) for _ in range(5)]
    await settle()
    assert answers == ["grids v1"] * 5
    assert source.loads == 2
    source.gate.set()
    await settle()
    assert cache.refreshes == 1
    assert await cache.get("all", source) == "grids v2"
    # The reloaded entry has a TTL of its own: nothing is due again soon.
    clock.now += 50.0
    assert await cache.get("all", source) == "grids v2"
    await settle()
    assert source.loads == 2
    assert cache.misses == 1


async def test_the_reload_does_not_run_in_the_requests_context() -> None:
    clock, source = Clock(), Source()
    cache = cache_with(clock)
    CALLER.set("first request")
    await cache.get("all", source)
    clock.now += 81.0
    CALLER.set("a request with its own deadline")
    await cache.get("all", source)
    await settle()
    # The miss ran in its request; the reload in a context of its own, which outlives it.
    assert source.seen_callers == ["first request", "none"]


async def test_a_failed_reload_keeps_the_entry_to_its_ttl_and_is_retried_later_not_per_read() -> (
    None
):
    clock, source = Clock(), Source()
    cache = cache_with(clock)
    await cache.get("all", source)
    source.failing = True
    clock.now += 81.0
    assert await cache.get("all", source) == "grids v1"
    await settle()
    assert (source.loads, cache.refresh_failures) == (2, 1)
    for _ in range(3):  # read again at once: no reload per read while the backend is down
        assert await cache.get("all", source) == "grids v1"
    await settle()
    assert source.loads == 2
    clock.now += 5.0  # a quarter of the 20 s left before the TTL
    assert await cache.get("all", source) == "grids v1"
    await settle()
    assert (source.loads, cache.refresh_failures) == (3, 2)
    # At the TTL the entry is gone: a read is a miss again, and with the backend still down
    # it gets the last good value, marked stale, as before.
    clock.now += 15.0
    assert await cache.get("all", source) == "grids v1"
    assert (cache.misses, cache.stale_served) == (2, 1)


async def test_a_reload_failing_with_no_entry_left_is_the_requests_error() -> None:
    clock, source = Clock(), Source()
    cache = ReferenceCache[str]("grids", TTL, 8, timer=clock)
    source.failing = True
    with pytest.raises(BackendUnavailableError):
        await cache.get("all", source)
    assert cache.refresh_failures == 0


async def test_closing_stops_a_reload_under_way() -> None:
    clock, source = Clock(), Source()
    cache = cache_with(clock)
    await cache.get("all", source)
    clock.now += 81.0
    source.gate.clear()
    await cache.get("all", source)
    await settle()
    assert source.loads == 2
    await cache.aclose()
    source.gate.set()
    await settle()
    assert cache.refreshes == 0
    assert await cache.get("all", source) == "grids v1"
