"""Throughput with one worker process and with two, on a query that costs the gateway CPU and
the systems nothing (mock latency 0; every grid's map from the reference cache): what a second
worker on a second core buys. Several workers run without a shared store here (not production):
the query touches no state that must be shared."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench.harness import Options, headers_for, load
from bench.processes import running_stack

# Every grid and micro-grid with its boundary and staff: a large answer from reference caches.
QUERY = """{ grids(first: 100, includeMicroGrids: true) { totalCount edges { node {
    code name level households residentCount boundary { longitude latitude }
    workers { code name role fullTime } community { code name } } } } }"""


def worker_scaling(options: Options) -> dict[str, Any]:
    requests = 60 if options.quick else 600
    concurrency = 2 * options.concurrency
    body = {"query": QUERY, "variables": {}}
    headers = headers_for("district_admin")
    unlimited = {
        "GOVGRAPH_RATE_USER_REQUESTS_PER_MINUTE": "10000000",
        "GOVGRAPH_RATE_USER_COST_PER_MINUTE": "10000000000",
    }
    rps: dict[int, float] = {}
    for workers in (1, 2):
        with (
            tempfile.TemporaryDirectory() as workdir,
            running_stack(
                Path(workdir), latency_ms=0, workers=workers, gateway_env=unlimited
            ) as stack,
        ):
            url = f"{stack.gateway_url}/graphql"
            load(url, body, headers, 4 * workers, workers, False)  # warm every worker's caches
            run = load(url, body, headers, requests, concurrency, False)
            if set(run["statuses"]) != {"200"}:
                raise RuntimeError(f"grid map answered {run['statuses']}")
            rps[workers] = round(len(run["latencies_ms"]) / run["seconds"], 1)
    return {
        "query": "grid_map",
        "requests": requests,
        "concurrency": concurrency,
        "rps_1_worker": rps[1],
        "rps_2_workers": rps[2],
        "ratio": round(rps[2] / rps[1], 2) if rps[1] else None,
    }
