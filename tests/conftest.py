from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime

import httpx
import pytest

from mocks import Population, build_mocks
from mocks.harness import Harness
from mocks.population import BEIJING
from tests.redis_server import RedisServer

AS_OF = datetime(2026, 11, 1, 12, 0, tzinfo=BEIJING)


def frozen_population(preset: str = "demo", seed: int = 1) -> Population:
    return Population(seed=seed, preset=preset, as_of=AS_OF, clock=lambda: AS_OF)


@pytest.fixture(scope="session")
def demo_population() -> Population:
    """Shared by read-only tests; tests that write build their own."""
    return frozen_population("demo")


@pytest.fixture
def tiny_population() -> Population:
    return frozen_population("tiny")


class ManualClock:
    """A monotonic clock that tests move by hand, so expiry needs no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def manual_clock() -> ManualClock:
    return ManualClock()


ClientFor = Callable[[Harness], httpx.AsyncClient]


@pytest.fixture
async def client_for() -> AsyncIterator[ClientFor]:
    clients: list[httpx.AsyncClient] = []

    def make(app: Harness) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://mock")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def demo_mocks(demo_population: Population):  # type: ignore[no-untyped-def]
    return build_mocks(demo_population)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session; tests keep apart by namespace."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()
