from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from gateway.state.shared import SharedState
from tests.redis_server import RedisServer


@pytest.fixture
async def two_clients(redis_server: RedisServer) -> AsyncIterator[list[SharedState]]:
    """Two workers' connections to one real Redis, in a namespace of their own."""
    namespace = f"t-{uuid.uuid4().hex[:6]}"
    states = [SharedState(redis_server.url, namespace, 0.5) for _ in range(2)]
    yield states
    for state in states:
        await state.aclose()
