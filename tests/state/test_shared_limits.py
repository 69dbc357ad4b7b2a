"""Protection across processes on a real Redis: one in-flight cap per backend whatever the
number of clients, places of a dead holder freed by their lease, one pace for legal aid."""

from __future__ import annotations

import asyncio

from gateway.state.shared import SharedState
from gateway.state.shared_limits import SharedPace, SharedSlots


async def test_the_cap_holds_across_clients(two_clients: list[SharedState]) -> None:
    slots = [SharedSlots(s, cap=3, lease_s=30, fallback_share=1) for s in two_clients]
    holding = peak = 0

    async def call(number: int) -> None:
        nonlocal holding, peak
        token = await slots[number % 2].acquire("urban-management")
        holding += 1
        peak = max(peak, holding)
        await asyncio.sleep(0.005)
        holding -= 1
        await slots[number % 2].release("urban-management", token)

    await asyncio.gather(*(call(n) for n in range(30)))
    assert peak == 3


async def test_a_dead_holders_places_come_back_when_their_leases_end(
    two_clients: list[SharedState],
) -> None:
    now = [1000.0]
    dead = SharedSlots(two_clients[0], cap=2, lease_s=10, fallback_share=1, clock=lambda: now[0])
    alive = SharedSlots(two_clients[1], cap=2, lease_s=10, fallback_share=1, clock=lambda: now[0])
    await dead.acquire("legal-aid")
    await dead.acquire("legal-aid")  # and then the worker is killed
    waiting = asyncio.create_task(alive.acquire("legal-aid"))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    now[0] += 11
    token = await asyncio.wait_for(waiting, 5)
    assert token


async def test_one_pace_for_every_client(two_clients: list[SharedState]) -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        if seconds > 1e-6:  # the boundary of the burst may round to a hair above zero
            waits.append(round(seconds, 3))

    async def local() -> None:
        raise AssertionError("the shared pace answered")

    paces = [
        SharedPace(
            s, "legal-aid", rate=20, burst=2, local=local, clock=lambda: 5000.0, sleep=record
        )
        for s in two_clients
    ]
    for number in range(8):
        await paces[number % 2].acquire()
    # two at once (the burst), then one each 50 ms, whichever client asks
    assert waits == [0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
