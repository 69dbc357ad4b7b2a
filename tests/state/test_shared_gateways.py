"""Two gateways (two workers, in one process here; over real sockets in the multi-process
tests) on one real Redis and one set of mocks: one truth for idempotency keys, client rate
limits and look-up budgets; and what happens while Redis is down."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from gateway.access.auth import Role
from gateway.http.app import create_app
from gateway.settings import Settings
from mocks import InProcessTransport, build_mocks
from tests.conftest import AS_OF, frozen_population
from tests.gateway.conftest import Gateway, served_on_a_socket, token
from tests.redis_server import RedisServer

REPORT = """mutation($grid: String!) { reportCase(input: {gridCode: $grid, subClassCode: "0102",
    source: PATROL, description: "楼道堆放杂物", address: "北苑路1号"}) { case { number } errors { field } } }"""
SUBSCRIBE = "subscription($g: String!) { casesInGrid(grid: $g) { number } }"


async def two_gateways(
    tmp_path: Path, state_url: str, **settings: Any
) -> tuple[list[Gateway], list[Any]]:
    mocks = build_mocks(frozen_population("demo"), legal_rps=10_000)
    transports = {name: InProcessTransport(app) for name, app in mocks.apps().items()}
    configured = Settings().with_values(
        {
            "audit_path": str(tmp_path / "audit.log"),
            "state_url": state_url,
            "state_namespace": f"t{uuid.uuid4().hex[:8]}",
            **settings,
        }
    )
    gateways, apps = [], []
    for _ in range(2):
        app = create_app(configured, transports=transports, clock=lambda: AS_OF)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw")
        gateways.append(Gateway(client, mocks))
        apps.append(app)
    return gateways, apps


@pytest.fixture
async def pair(tmp_path: Path, redis_server: RedisServer) -> AsyncIterator[list[Gateway]]:
    gateways, apps = await two_gateways(tmp_path, redis_server.url)
    yield gateways
    for gateway, app in zip(gateways, apps, strict=True):
        await gateway.client.aclose()
        await app.state.backends.aclose()
        await app.state.shared.aclose()
        await app.state.feed.aclose()  # its own connection, closed by the lifespan when served


async def test_one_key_ten_times_across_two_gateways_writes_once(pair: list[Gateway]) -> None:
    grid = pair[0].mocks.population.geography.grids[0].code
    callers = [g.as_role(Role.GRID_WORKER, grids=[grid], subject="worker-1") for g in pair]
    pair[0].reset_journals()
    answers = await asyncio.gather(
        *(callers[i % 2].post(REPORT, {"grid": grid}, key="one-key") for i in range(10))
    )
    assert pair[0].calls()["urban"].get("ReportCase", 0) == 1
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {200, 409}
    done = [a.json() for a in answers if a.status_code == 200]
    numbers = {d["data"]["reportCase"]["case"]["number"] for d in done}
    assert len(numbers) == 1
    assert sum(1 for d in done if d.get("extensions", {}).get("replayed")) == len(done) - 1


async def test_a_clients_allowance_is_the_same_with_one_gateway_or_two(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    gateways, apps = await two_gateways(
        tmp_path, redis_server.url, rate_user_requests_per_minute=12
    )
    try:
        callers = [g.as_role(Role.CIVIL_AFFAIRS, subject="one-client") for g in gateways]
        statuses = [
            (await callers[i % 2].post("{ departments { code } }")).status_code for i in range(20)
        ]
        assert statuses.count(200) == 12
        assert statuses.count(429) == 8
    finally:
        for gateway, app in zip(gateways, apps, strict=True):
            await gateway.client.aclose()
            await app.state.backends.aclose()
            await app.state.shared.aclose()
            await app.state.feed.aclose()  # its own connection, closed by the lifespan when served


async def test_look_ups_that_miss_share_one_budget(pair: list[Gateway]) -> None:
    person = pair[0].mocks.population.person(2222)
    callers = [
        g.as_role(Role.COMMUNITY_ADMIN, communities=[person.grid.community.code], subject="adm")
        for g in pair
    ]
    codes = []
    for i in range(8):
        body = await callers[i % 2].query(
            'query { resident(idNumber: "11010519491231002X") { name } }'
        )
        codes.append(body["errors"][0]["extensions"]["code"] if body.get("errors") else "miss")
    assert codes[:5] == ["miss"] * 5
    assert codes[5:] == ["LOOKUP_BUDGET_EXHAUSTED"] * 3


async def test_while_redis_is_down_reads_go_on_and_writes_wait(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis")
    (tmp_path / "redis").mkdir()
    server.start()
    gateways, apps = await two_gateways(tmp_path, server.url, state_timeout_s=0.3)
    try:
        grid = gateways[0].mocks.population.geography.grids[0].code
        worker = gateways[0].as_role(Role.GRID_WORKER, grids=[grid], subject="w")
        assert (await worker.post(REPORT, {"grid": grid})).status_code == 200
        server.stop()
        gateways[0].reset_journals()
        read = await worker.post('{ grid(code: "%s") { name } }' % grid)
        assert read.status_code == 200 and read.json()["data"]["grid"]["name"]
        write = await worker.post(REPORT, {"grid": grid})
        assert write.status_code == 503
        assert write.json()["errors"][0]["extensions"]["code"] == "STATE_UNAVAILABLE"
        assert gateways[0].calls()["urban"].get("ReportCase", 0) == 0
        ready = (await gateways[0].client.get("/readyz")).json()
        assert ready["state"] == {"reachable": False}
        metrics = (await gateways[0].client.get("/metrics")).text
        assert 'govgraph_state_fallbacks_total{what="rate_limit"}' in metrics
        server.start()
        again = await worker.post(REPORT, {"grid": grid})
        assert again.status_code == 200 and again.json()["data"]["reportCase"]["case"]
    finally:
        server.stop()
        for gateway, app in zip(gateways, apps, strict=True):
            await gateway.client.aclose()
            await app.state.backends.aclose()
            await app.state.shared.aclose()
            await app.state.feed.aclose()  # its own connection, closed by the lifespan when served


def test_production_refuses_several_workers_without_a_state_url() -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "GOVGRAPH_PRODUCTION": "true",
        "GOVGRAPH_JWT_SECRET": "s" * 40,
        "GOVGRAPH_AUDIT_HMAC_KEY": "a-production-key",
        "GOVGRAPH_STATE_URL": "",
    }
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli.main", "serve", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "GOVGRAPH_STATE_URL" in done.stderr


async def test_a_query_registered_on_one_gateway_is_known_to_the_other(
    pair: list[Gateway],
) -> None:
    import hashlib

    query = "query Depts { departments { code } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    first = await pair[0].client.post("/graphql", json={"extensions": persisted})
    assert first.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = await pair[0].client.post(
        "/graphql", json={"query": query, "extensions": persisted}
    )
    assert registered.json()["data"]["departments"]
    hit = await pair[1].client.post("/graphql", json={"extensions": persisted})
    assert hit.json()["data"] == registered.json()["data"]


async def test_a_clients_live_places_are_counted_across_gateways(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    """Two places for the client in all: two streams on one gateway, and the other refuses a
    third stream (429) and a socket (4429); a stream closed gives its place to either."""
    _, apps = await two_gateways(tmp_path, redis_server.url, live_connections_per_client=2)
    grid = frozen_population("demo").geography.grids[0].code
    admin = {"Authorization": f"Bearer {token(Role.DISTRICT_ADMIN, subject='live-1')}"}
    body = {"query": SUBSCRIBE, "variables": {"g": grid}}
    sse = {**admin, "Accept": "text/event-stream"}
    with served_on_a_socket(apps[0]) as one, served_on_a_socket(apps[1]) as other:
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{one}", timeout=10) as first,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{other}", timeout=10) as second,
            first.stream("POST", "/graphql", json=body, headers=sse) as a,
        ):
            async with first.stream("POST", "/graphql", json=body, headers=sse) as b:
                assert (a.status_code, b.status_code) == (200, 200)
                refused = await second.post("/graphql", json=body, headers=sse)
                assert refused.status_code == 429
                assert refused.json()["errors"][0]["extensions"]["code"] == "LIVE_LIMIT"
                async with connect(
                    f"ws://127.0.0.1:{other}/graphql",
                    subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                ) as ws:
                    init = {
                        "type": "connection_init",
                        "payload": {"authorization": admin["Authorization"]},
                    }
                    await ws.send(json.dumps(init))
                    with pytest.raises(ConnectionClosed) as closed:
                        await asyncio.wait_for(ws.recv(), 10)
                    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
            async with second.stream("POST", "/graphql", json=body, headers=sse) as c:
                assert c.status_code == 200  # b's place, given back on the first gateway
