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
