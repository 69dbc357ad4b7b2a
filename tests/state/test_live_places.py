"""A client's live places (`live_connections_per_client`) on a real Redis: one count for the
whole deployment whatever worker or replica each connection is on, a dead worker's places back
when their leases end, held ones kept by renewal, and each worker's share while the store is
away."""

from __future__ import annotations

import asyncio

from gateway.state.live_places import SharedLivePlaces
from gateway.state.shared import SharedState


async def test_the_limit_holds_across_workers(two_clients: list[SharedState]) -> None:
    places = [SharedLivePlaces(s, limit=5) for s in two_clients]
    taken = await asyncio.gather(*(places[n % 2].claim("resident:a") for n in range(12)))
    held = [(n % 2, p) for n, p in enumerate(taken) if p is not None]
    assert len(held) == 5  # not five on each worker
    assert await places[0].claim("resident:b") is not None  # another client has its own
    worker, place = held[0]
    await places[worker].let_go(place)
    assert await places[1 - worker].claim("resident:a") is not None  # given back: free again
    assert await places[worker].claim("resident:a") is None
    for p in places:
        await p.aclose()


async def test_a_dead_workers_places_come_back_and_held_ones_stay(
    two_clients: list[SharedState],
) -> None:
    now = [1000.0]
    dead = SharedLivePlaces(two_clients[0], limit=2, lease_s=30, clock=lambda: now[0])
    alive = SharedLivePlaces(two_clients[1], limit=2, lease_s=30, clock=lambda: now[0])
    assert await dead.claim("c") is not None  # and then the worker is killed: no renewal
    assert await alive.claim("c") is not None
    assert await alive.claim("c") is None
    now[0] += 20
    await alive.renew()  # the living worker's lease begins afresh
    now[0] += 15  # the dead one's has ended
    assert await alive.claim("c") is not None
    assert await alive.claim("c") is None  # the renewed place still counts
    await dead.aclose()
    await alive.aclose()


async def test_each_worker_keeps_its_share_while_the_store_is_away() -> None:
    fallbacks: list[str] = []
    away = SharedState("redis://127.0.0.1:1", "places-away", 0.2)  # nothing listens there
    places = SharedLivePlaces(away, limit=5, workers=2, on_fallback=fallbacks.append)
    taken = [await places.claim("c") for _ in range(4)]
    assert [p is not None for p in taken] == [True, True, False, False]  # 5 // 2 each
    assert fallbacks == ["live_places"] * 4
    first = taken[0]
    assert first is not None and not first.shared
    await places.let_go(first)
    assert await places.claim("c") is not None
    await places.aclose()
    await away.aclose()
