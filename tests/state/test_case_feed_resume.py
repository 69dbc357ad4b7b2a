"""A subscriber that comes back with the position of the last change it heard (an EventSource's
Last-Event-ID) is first given the changes since, each once, then the live ones: in one process
from the feed's own recent changes, with a shared store from the stream every replica writes,
so it may come back to another replica. A position that no feed could have given, or one too
old, starts from now."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

from gateway.state.case_feed import CaseChange, LocalCaseFeed, RedisCaseFeed
from tests.redis_server import RedisServer


def change(number: int, version: int = 1) -> CaseChange:
    return CaseChange(f"2026110100{number:06d}", version, "320213001001001", "BM01", (), "受理")


async def heard(changes: AsyncIterator[CaseChange], count: int) -> list[str]:
    return [(await asyncio.wait_for(anext(changes), 5)).number[-2:] for _ in range(count)]


async def test_a_subscriber_that_comes_back_hears_what_it_missed_once() -> None:
    feed = LocalCaseFeed()
    for number in (1, 2, 3):
        await feed.publish(change(number))
    first = feed._recent[0].position
    resumed = feed.changes(after=first)
    assert await heard(resumed, 2) == ["02", "03"]  # missed, in order
    await feed.publish(change(4))
    await feed.publish(change(2))  # a version it has had: not again
    await feed.publish(change(2, version=2))
    assert await heard(resumed, 2) == ["04", "02"]
    await resumed.aclose()


async def test_a_position_no_feed_gave_starts_from_now() -> None:
    feed = LocalCaseFeed()
    await feed.publish(change(1))
    now_ms = int(time.time() * 1000)
    for after in ("garbage", "1-0", f"{now_ms + 3_600_000}-0", "9" * 40 + "-0"):
        followed = feed.changes(after=after)
        pending = asyncio.ensure_future(anext(followed))
        await asyncio.sleep(0)
        await feed.publish(change(len(after)))  # a live change is heard, not held back
        assert (await asyncio.wait_for(pending, 5)).number.endswith(f"{len(after):06d}")
        await followed.aclose()


async def test_a_subscriber_may_come_back_to_another_replica(redis_server: RedisServer) -> None:
    namespace = f"feed-{uuid.uuid4().hex[:6]}"
    one, other = (RedisCaseFeed(redis_server.url, namespace, 0.5, block_ms=100) for _ in range(2))
    await one.start()
    await other.start()
    try:
        listening = one.changes()
        waiting = asyncio.ensure_future(anext(listening))
        await asyncio.sleep(0.05)
        await one.publish(change(1))
        last_heard = (await asyncio.wait_for(waiting, 5)).position
        await listening.aclose()  # the replica goes away; meanwhile two more changes
        await one.publish(change(2))
        await one.publish(change(3))
        resumed = other.changes(after=last_heard)
        assert await heard(resumed, 2) == ["02", "03"]
        await one.publish(change(4))
        assert await heard(resumed, 1) == ["04"]  # then live, nothing twice
        await resumed.aclose()
    finally:
        await one.aclose()
        await other.aclose()
