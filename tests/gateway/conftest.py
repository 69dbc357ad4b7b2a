from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings
from mocks import MockSet, build_mocks
from tests.conftest import AS_OF, frozen_population


@dataclass
class Gateway:
    client: httpx.AsyncClient
    mocks: MockSet

    async def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": document, "variables": variables or {}}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.query(document, variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    def reset_journals(self) -> None:
        for app in self.mocks.apps().values():
            app.journal.reset()

    def calls(self) -> dict[str, dict[str, int]]:
        return {name: dict(app.journal.by_operation) for name, app in self.mocks.apps().items()}


async def make_gateway(population_preset: str = "demo", **settings: Any) -> tuple[Gateway, Any]:
    mocks = build_mocks(frozen_population(population_preset), legal_rps=10_000)
    transports = {name: httpx.ASGITransport(app) for name, app in mocks.apps().items()}
    app = create_app(Settings().with_values(settings), transports=transports, clock=lambda: AS_OF)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gateway")
    return Gateway(client, mocks), app


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    gw, app = await make_gateway()
    yield gw
    await gw.client.aclose()
    await app.state.backends.aclose()
