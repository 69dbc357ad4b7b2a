"""Idempotency keys on a real Redis: claims are atomic across clients, a completed key answers
again, and a key whose holder died is taken over once its lease runs out, as an unknown outcome."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from gateway.state.idempotency import KeyState
from gateway.state.shared import SharedState
from gateway.state.shared_keys import SharedIdempotencyStore
from tests.redis_server import RedisServer

NOW = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def shared(redis_server: RedisServer) -> AsyncIterator[SharedState]:
    state = SharedState(redis_server.url, f"test-{uuid.uuid4().hex[:8]}", 0.5)
    yield state
    await state.aclose()


async def test_ten_concurrent_claims_from_two_stores_leave_one_holder(shared: SharedState) -> None:
    other = SharedState(shared.url, shared.namespace, 0.5)
    try:
        stores = [SharedIdempotencyStore(s, 60, 10) for s in (shared, other)]
        results = await asyncio.gather(
            *(stores[i % 2].claim("sub:a", "k1", "fp", NOW) for i in range(10))
        )
        assert sum(r is None for r in results) == 1
        assert all(r.state is KeyState.IN_PROGRESS for r in results if r is not None)
    finally:
        await other.aclose()


async def test_a_completed_key_answers_again_and_a_released_one_is_free(
    shared: SharedState,
) -> None:
    store = SharedIdempotencyStore(shared, 60, 10)
    assert await store.claim("sub:a", "k2", "fp", NOW) is None
    await store.complete("sub:a", "k2", 200, {"data": {"x": []}, "errors": []})
    again = await store.claim("sub:a", "k2", "fp", NOW)
    assert again is not None and again.state is KeyState.COMPLETED
    assert again.body == {"data": {"x": []}, "errors": []} and again.status == 200
    assert again.first_attempt_at == NOW
    assert await store.claim("sub:b", "k2", "fp", NOW) is None  # keys belong to their owner
    await store.release("sub:b", "k2")
    assert await store.claim("sub:b", "k2", "other", NOW) is None


async def test_a_dead_holders_key_is_taken_over_as_unknown_after_its_lease(
    shared: SharedState,
) -> None:
    clock = Clock()
    store = SharedIdempotencyStore(shared, 60, 10, clock=clock)
    assert await store.claim("sub:a", "k3", "fp", NOW) is None
    clock.now += 5
    held = await store.claim("sub:a", "k3", "fp", NOW)
    assert held is not None and held.state is KeyState.IN_PROGRESS
    clock.now += 10  # the holder died: its lease ran out
    taken = await store.claim("sub:a", "k3", "fp", NOW)
    assert taken is not None and taken.state is KeyState.UNKNOWN
    assert taken.first_attempt_at == NOW
    again = await store.claim("sub:a", "k3", "fp", NOW)
    assert again is not None and again.state is KeyState.IN_PROGRESS  # the new lease holds


async def test_a_stopped_store_is_state_unavailable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = RedisServer(tmp_path)
    server.start()
    state = SharedState(server.url, "t", 0.3)
    store = SharedIdempotencyStore(state, 60, 10)
    try:
        assert await store.claim("sub:a", "k4", "fp", NOW) is None
        server.stop()
        from connectors.errors import StateUnavailableError

        with pytest.raises(StateUnavailableError):
            await store.claim("sub:a", "k5", "fp", NOW)
        server.start()
        assert await store.claim("sub:a", "k5", "fp", NOW) is None  # back without a restart
    finally:
        server.stop()
        await state.aclose()
