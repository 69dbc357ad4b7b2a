"""Lists fetched once per distinct parent, from systems with no batch call: each call leaves as
soon as a field asks for it, is shared by every field that asks for the same key, fails only
its own key, and outlives a field that was cancelled."""

from __future__ import annotations

import asyncio
import gc

import pytest

from gateway.backends.loaders import EachLoader


class System:
    def __init__(self) -> None:
        self.started: list[str] = []
        self.release = asyncio.Event()

    def start(self, key: str) -> asyncio.Future[list[str]]:
        return asyncio.ensure_future(self.listing(key))

    async def listing(self, key: str) -> list[str]:
        self.started.append(key)
        await self.release.wait()
        if key == "bad":
            raise LookupError("no such parent")
        return [f"{key}-1", f"{key}-2"]


async def test_a_call_leaves_at_the_next_turn_of_the_loop_without_waiting_for_a_batch() -> None:
    system = System()
    loader = EachLoader(system.start, dedupe=True)
    first = asyncio.ensure_future(loader.load("grid-1"))
    await asyncio.sleep(0)  # the field's own step
    await asyncio.sleep(0)  # the call's first step
    assert system.started == ["grid-1"]
    system.release.set()
    assert await first == ["grid-1-1", "grid-1-2"]


async def test_one_call_per_distinct_key_and_each_key_fails_alone() -> None:
    system = System()
    loader = EachLoader(system.start, dedupe=True)
    asked = [loader.load(key) for key in ("a", "b", "a", "bad", "a")]
    pending = asyncio.gather(*asked, return_exceptions=True)
    await asyncio.sleep(0.01)
    system.release.set()
    a1, b, a2, bad, a3 = await pending
    assert sorted(system.started) == ["a", "b", "bad"]
    assert a1 == a2 == a3 == ["a-1", "a-2"] and b == ["b-1", "b-2"]
    assert isinstance(bad, LookupError)


async def test_with_batching_off_every_look_up_is_its_own_call() -> None:
    system = System()
    system.release.set()
    loader = EachLoader(system.start, dedupe=False)
    await asyncio.gather(loader.load("a"), loader.load("a"))
    assert system.started == ["a", "a"]


async def test_a_cancelled_field_does_not_cancel_the_call_for_the_others() -> None:
    system = System()
    loader = EachLoader(system.start, dedupe=True)
    doomed = asyncio.ensure_future(loader.load("a"))
    kept = asyncio.ensure_future(loader.load("a"))
    await asyncio.sleep(0.01)
    doomed.cancel()
    system.release.set()
    assert await kept == ["a-1", "a-2"]
    with pytest.raises(asyncio.CancelledError):
        await doomed
    assert system.started == ["a"]


async def test_a_failure_nobody_awaits_any_more_is_not_left_unread() -> None:
    loop = asyncio.get_running_loop()
    unread: list[object] = []
    loop.set_exception_handler(lambda _loop, context: unread.append(context))
    system = System()
    loader = EachLoader(system.start, dedupe=True)
    doomed = asyncio.ensure_future(loader.load("bad"))
    await asyncio.sleep(0.01)
    doomed.cancel()
    system.release.set()
    await asyncio.sleep(0.01)
    gc.collect()
    assert unread == []
