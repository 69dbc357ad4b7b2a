"""A bounded load run against the gateway and the mocks in separate processes: N concurrent
clients for a fixed time with a share of failing backend calls injected, counting answers by
status and sampling the gateway's memory.

    python bench/soak.py --seconds 60 --clients 100 --fault-rate 0.05 --json bench/results/soak.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.harness import JITTER_SHARE
from bench.processes import running_stack
from gateway.access.auth import Role, mint_token
from gateway.settings import Settings

QUERIES = [
    "{ grids(first: 5) { edges { node { code name leader { name } } } } }",
    '{ residents(filter: {grid: "320213001001%03d"}, first: 10) { totalCount edges { node { name idNumber tags { label } } } } }',
    '{ cases(filter: {grid: "320213001001%03d"}, first: 10) { edges { node { ... on UrbanCase { number status reporter { method } department { name } } } } } }',
    '{ statistics(scope: GRID, code: "320213001001%03d", since: "2026-10-01T00:00:00+08:00", until: "2026-11-01T00:00:00+08:00") { reported closed } }',
    "{ serviceCenters { code services { name } } legalAidWorkstations { name } }",
]


async def client(
    number: int, url: str, stop: float, statuses: Counter[int], codes: Counter[str]
) -> None:
    settings = Settings()
    token = mint_token(
        settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        role=Role.DISTRICT_ADMIN,
        subject=f"load-{number}",
    )
    rng = random.Random(number)
    async with httpx.AsyncClient(
        base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        while time.monotonic() < stop:
            query = rng.choice(QUERIES)
            if "%03d" in query:
                query = query % rng.randint(1, 10)
            try:
                response = await http.post("/graphql", json={"query": query})
            except httpx.HTTPError as error:
                codes[f"client:{type(error).__name__}"] += 1
                continue
            statuses[response.status_code] += 1
            for problem in response.json().get("errors", []):
                codes[problem.get("extensions", {}).get("code", "?")] += 1


async def sample_memory(pid: int, stop: float, samples: list[float]) -> None:
    process = psutil.Process(pid)
    while time.monotonic() < stop:
        samples.append(process.memory_info().rss / 2**20)
        await asyncio.sleep(2)


async def run(seconds: float, clients: int, fault_rate: float, latency_ms: float) -> dict[str, Any]:
    env = {
        "GOVGRAPH_RATE_USER_REQUESTS_PER_MINUTE": "1000000",
        "GOVGRAPH_RATE_USER_COST_PER_MINUTE": "1000000000",
        "GOVGRAPH_MAX_IN_FLIGHT": "10",
    }
    with (
        tempfile.TemporaryDirectory() as work,
        running_stack(Path(work), latency_ms=latency_ms, gateway_env=env) as stack,
    ):
        async with httpx.AsyncClient() as admin:
            for url in stack.mock_urls.values():
                await admin.post(
                    f"{url}/__admin/faults",
                    json={
                        "error_rate": fault_rate,
                        "latency_ms": latency_ms,
                        "jitter_ms": latency_ms * JITTER_SHARE,
                    },
                )
        statuses: Counter[int] = Counter()
        codes: Counter[str] = Counter()
        memory: list[float] = []
        started = time.monotonic()
        stop = started + seconds
        await asyncio.gather(
            sample_memory(stack.gateway_pid, stop, memory),
            *(client(n, stack.gateway_url, stop, statuses, codes) for n in range(clients)),
        )
        elapsed = time.monotonic() - started
        async with httpx.AsyncClient() as admin:
            journals = {
                name: (await admin.get(f"{url}/__admin/requests")).json()
                for name, url in stack.mock_urls.items()
            }
    total = sum(statuses.values())
    third = max(1, len(memory) // 3)
    return {
        "seconds": round(elapsed, 1),
        "clients": clients,
        "fault_rate": fault_rate,
        "backend_latency_ms": latency_ms,
        "requests": total,
        "rps": round(total / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors_5xx": sum(v for k, v in statuses.items() if k >= 500),
        "error_codes": dict(codes.most_common()),
        "gateway_rss_mib": {
            "first_third_max": round(max(memory[:third]), 1),
            "last_third_max": round(max(memory[-third:]), 1),
            "samples": len(memory),
        },
        "backend_requests": {name: j["total"] for name, j in journals.items()},
        "backend_peak_in_flight": {name: j["peak_in_flight"] for name, j in journals.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(run(args.seconds, args.clients, args.fault_rate, args.latency_ms))
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
