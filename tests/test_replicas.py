"""Two gateway processes (replicas) on one Redis, over real sockets against the mock systems in
a third: clients alternate between them, and the promises of one process still hold."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import httpx
import pytest

from bench.processes import running_stack
from gateway.access.audit_verify import verify_files
from gateway.access.auth import Role
from tests.gateway.conftest import token
from tests.redis_server import RedisServer

REPORT = """mutation($grid: String!) { reportCase(input: {gridCode: $grid, subClassCode: "0102",
    source: PATROL, description: "楼道堆放杂物", address: "北苑路1号"}) { case { number } } }"""


@pytest.mark.heavy
async def test_two_replicas_keep_one_trail_and_one_write_per_key(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    env = {
        "GOVGRAPH_STATE_URL": redis_server.url,
        "GOVGRAPH_STATE_NAMESPACE": f"replicas-{uuid.uuid4().hex[:6]}",
        "GOVGRAPH_LEGAL_RATE_LIMIT_RPS": "1000",
    }
    with running_stack(tmp_path, gateway_env=env, legal_rps=10_000, gateways=2) as stack:
        district = {
            "Authorization": f"Bearer {token(Role.DISTRICT_ADMIN)}",
            "X-Purpose": "replica-check",
        }
        async with httpx.AsyncClient(timeout=60) as client:
            numbers = [f"RK320213{i:08d}" for i in range(120)]
            answers = await asyncio.gather(
                *(
                    client.post(
                        f"{stack.gateway_urls[i % 2]}/graphql",
                        json={"query": '{ resident(registryNumber: "%s") { name } }' % n},
                        headers=district,
                    )
                    for i, n in enumerate(numbers)
                )
            )
            assert [a.status_code for a in answers] == [200] * 120
            assert all(a.json()["data"]["resident"]["name"] for a in answers)

            grid = "320213001001001"
            worker = {"Authorization": f"Bearer {token(Role.GRID_WORKER, grids=[grid])}"}
            await client.post(f"{stack.mock_urls['urban']}/__admin/reset")
            writes = await asyncio.gather(
                *(
                    client.post(
                        f"{stack.gateway_urls[i % 2]}/graphql",
                        json={"query": REPORT, "variables": {"grid": grid}},
                        headers={**worker, "Idempotency-Key": "one-key"},
                    )
                    for i in range(10)
                )
            )
            journal = (await client.get(f"{stack.mock_urls['urban']}/__admin/requests")).json()
        assert journal["by_operation"].get("ReportCase", 0) == 1
        assert {w.status_code for w in writes} <= {200, 409}
        done = {
            w.json()["data"]["reportCase"]["case"]["number"] for w in writes if w.status_code == 200
        }
        assert len(done) == 1

    trail = tmp_path / "audit.log"
    verdict = verify_files([trail])
    assert verdict.ok, verdict.describe()
    assert verdict.writers == 2
    lines = [json.loads(x) for x in trail.read_text(encoding="utf-8").splitlines()]
    reads = [x for x in lines if x.get("operation") is None and x.get("resident_count") == 1]
    assert len(reads) == 120
    edited = lines[57]
    edited["resident_count"] = 2
    raw = trail.read_text(encoding="utf-8").splitlines()
    raw[57] = json.dumps(edited, ensure_ascii=False)
    tampered = tmp_path / "tampered.log"
    tampered.write_text("\n".join(raw) + "\n", encoding="utf-8")
    broken = verify_files([tampered])
    assert (broken.ok, broken.first_bad_line, broken.writer) == (False, 58, edited["writer"])


# Page sizes differ from dashboard to dashboard, so that no two calls are the same one shared.
DASHBOARD = """{ grids(first: 5) { edges { node { code
    residents(first: %d) { totalCount } cases(first: %d) { totalCount } } } } }"""
LEGAL = """query($grid: String!) { residents(filter: {grid: $grid}, first: 10) {
    edges { node { legalAidCases { number } } } } }"""


@pytest.mark.heavy
async def test_two_replicas_keep_one_cap_and_one_pace_for_the_legacy_systems(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    env = {
        "GOVGRAPH_STATE_URL": redis_server.url,
        "GOVGRAPH_STATE_NAMESPACE": f"replicas-{uuid.uuid4().hex[:6]}",
        "GOVGRAPH_MAX_IN_FLIGHT": "4",
        "GOVGRAPH_RATE_USER_REQUESTS_PER_MINUTE": "100000",
    }
    with running_stack(tmp_path, latency_ms=5, gateway_env=env, gateways=2) as stack:
        district = {
            "Authorization": f"Bearer {token(Role.DISTRICT_ADMIN)}",
            "X-Purpose": "replica-check",
        }
        limits = httpx.Limits(max_connections=400)
        async with httpx.AsyncClient(timeout=120, limits=limits) as client:
            for url in stack.mock_urls.values():
                await client.post(f"{url}/__admin/reset")
            dashboards = await asyncio.gather(
                *(
                    client.post(
                        f"{stack.gateway_urls[i % 2]}/graphql",
                        json={"query": DASHBOARD % (i % 50 + 1, i % 40 + 1)},
                        headers=district,
                    )
                    for i in range(200)
                )
            )
            assert {d.status_code for d in dashboards} == {200}
            assert not any("errors" in d.json() for d in dashboards)
            grids = [f"32021300100{c}00{g}" for c in (1, 2) for g in range(1, 6)]
            legal = await asyncio.gather(
                *(
                    client.post(
                        f"{stack.gateway_urls[i % 2]}/graphql",
                        json={"query": LEGAL, "variables": {"grid": grid}},
                        headers=district,
                    )
                    for i, grid in enumerate(grids)
                )
            )
            assert {r.status_code for r in legal} == {200}
            journals = {
                name: (await client.get(f"{url}/__admin/requests")).json()
                for name, url in stack.mock_urls.items()
            }
    for name in ("urban", "civil"):
        assert journals[name]["total"] >= 200
        assert journals[name]["peak_in_flight"] <= 4, (name, journals[name]["peak_in_flight"])
    assert journals["legal"]["total"] >= 90
    assert "429" not in journals["legal"]["by_status"]
    assert journals["legal"]["busiest_second"] <= 20


@pytest.mark.heavy
async def test_redis_stopped_mid_load_loses_and_doubles_nothing(tmp_path: Path) -> None:
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis")
    server.start()
    env = {
        "GOVGRAPH_STATE_URL": server.url,
        "GOVGRAPH_STATE_TIMEOUT_S": "0.3",
        "GOVGRAPH_RATE_USER_REQUESTS_PER_MINUTE": "12",
    }
    try:
        with running_stack(tmp_path, gateway_env=env, legal_rps=10_000, gateways=2) as stack:
            grid = "320213001001001"
            worker = {"Authorization": f"Bearer {token(Role.GRID_WORKER, grids=[grid])}"}
            async with httpx.AsyncClient(timeout=60) as client:
                # A client's allowance is the same with two replicas as with one: 12 a minute.
                statuses = [
                    (
                        await client.post(
                            f"{stack.gateway_urls[i % 2]}/graphql",
                            json={"query": "{ departments { code } }"},
                            headers=worker,
                        )
                    ).status_code
                    for i in range(16)
                ]
                assert (statuses.count(200), statuses.count(429)) == (12, 4)

                other = {
                    "Authorization": f"Bearer {token(Role.GRID_WORKER, grids=[grid], subject='w2')}"
                }
                await client.post(f"{stack.mock_urls['urban']}/__admin/reset")

                async def write(number: int) -> int:
                    answer = await client.post(
                        f"{stack.gateway_urls[number % 2]}/graphql",
                        json={"query": REPORT, "variables": {"grid": grid}},
                        headers={**other, "Idempotency-Key": f"load-{number}"},
                    )
                    return answer.status_code

                async def read(number: int) -> int:
                    answer = await client.post(
                        f"{stack.gateway_urls[number % 2]}/graphql",
                        json={"query": '{ grid(code: "%s") { name } }' % grid},
                        headers=other,
                    )
                    return answer.status_code

                before = await asyncio.gather(*(write(n) for n in range(5)))
                server.stop()
                during_writes = await asyncio.gather(*(write(n) for n in range(5, 10)))
                during_reads = await asyncio.gather(*(read(n) for n in range(10)))
                server.start()
                after = await asyncio.gather(*(write(n) for n in range(10, 15)))
                again = await asyncio.gather(*(write(n) for n in range(10, 15)))  # retried
                journal = (await client.get(f"{stack.mock_urls['urban']}/__admin/requests")).json()
    finally:
        server.stop()
    assert before == [200] * 5
    assert during_writes == [503] * 5
    assert [s for s in during_reads if s >= 500] == []
    assert after == [200] * 5 and again == [200] * 5
    # every 200 is one case at the backend; no 503 made one; no retry made a second
    assert journal["by_operation"].get("ReportCase", 0) == 10
