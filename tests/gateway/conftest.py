from __future__ import annotations

import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from bench.processes import free_port
from gateway.access.auth import Role, mint_token
from gateway.http.app import create_app
from gateway.http.one_write import PROTOCOL as ONE_WRITE
from gateway.settings import Settings
from mocks import InProcessTransport, MockSet, build_mocks
from tests.conftest import AS_OF, frozen_population


def token(role: Role, **claims: Any) -> str:
    settings = Settings()
    return mint_token(
        settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        role=role,
        subject=claims.pop("subject", f"test-{role.value}"),
        **claims,
    )


@dataclass
class Gateway:
    client: httpx.AsyncClient
    mocks: MockSet
    headers: dict[str, str] = field(default_factory=dict)

    def as_role(
        self, role: Role, purpose: str | None = "integration-test", **claims: Any
    ) -> Gateway:
        headers = {"Authorization": f"Bearer {token(role, **claims)}"}
        if purpose:
            headers["X-Purpose"] = purpose
        return Gateway(self.client, self.mocks, headers)

    async def post(
        self, document: str, variables: dict[str, Any] | None = None, key: str | None = None
    ) -> httpx.Response:
        headers = dict(self.headers)
        if document.lstrip().startswith("mutation"):
            headers["Idempotency-Key"] = key or uuid.uuid4().hex
        return await self.client.post(
            "/graphql", json={"query": document, "variables": variables or {}}, headers=headers
        )

    async def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.post(document, variables)
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


@asynccontextmanager
async def open_gateway(
    population_preset: str = "demo", /, **settings: Any
) -> AsyncIterator[tuple[Gateway, Any]]:
    """A gateway over fresh mocks for one test, closed after it."""
    gw, app = await make_gateway(population_preset, **settings)
    try:
        yield gw, app
    finally:
        await gw.client.aclose()
        await app.state.backends.aclose()


async def make_gateway(
    population_preset: str = "demo", /, *, tracer_provider: Any = None, **settings: Any
) -> tuple[Gateway, Any]:
    """A gateway over fresh mocks: `settings` are the gateway's (`audit_path`, limits, ...)."""
    mocks = build_mocks(frozen_population(population_preset), legal_rps=10_000)
    # In process, but with httpx's timeouts kept, as over a socket.
    transports = {name: InProcessTransport(app) for name, app in mocks.apps().items()}
    configured = Settings().with_values({"audit_path": "", **settings})
    app = create_app(
        configured, transports=transports, clock=lambda: AS_OF, tracer_provider=tracer_provider
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gateway")
    return Gateway(client, mocks), app


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    gw, app = await make_gateway(audit_path=str(tmp_path / "audit.log"))
    yield gw
    await gw.client.aclose()
    await app.state.backends.aclose()


@contextmanager
def served_on_a_socket(app: Any) -> Iterator[int]:
    """`app` served by uvicorn on a free port, in a thread: a real socket, the mocks in process."""
    with serving(app) as server:
        yield server.config.port


@contextmanager
def serving(app: Any) -> Iterator[uvicorn.Server]:
    """The server itself, as `govgraph serve` runs it (its protocol, lifespan on), for a test
    that shuts it down (`server.should_exit`)."""
    config = uvicorn.Config(app, port=free_port(), http=ONE_WRITE, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.02)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=10)
