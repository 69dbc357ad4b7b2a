"""The load generator, run in its own process: sends one request spec N times with C clients
and prints latencies (ms) and statuses as JSON.

    python -m bench.loadgen SPEC.json --requests 50 --concurrency 10 [--warm-up 1]

With `--warm-up W`, each client first sends W requests more whose times are left out: the C
clients start at the same instant, so their first requests reach the gateway together, a burst
no steady load of C clients makes. Their statuses and errors still count; the throughput is
the measured requests over the time from the first of them to the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx


def top_level_errors(response: httpx.Response) -> bool:
    """A payload may select its own `errors` field; only the response's own key counts."""
    if response.status_code >= 400:
        return True
    try:
        body = response.json()
    except ValueError:
        return True
    return not isinstance(body, dict) or bool(body.get("errors"))


async def run(
    spec: dict[str, Any], requests: int, concurrency: int, warm_up: int = 0
) -> dict[str, Any]:
    latencies: list[float] = []
    measured_from: list[float] = []
    statuses: dict[str, int] = {}
    graphql_errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(requests):
        queue.put_nowait(number)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal graphql_errors
        for sent in itertools.count():
            measured = sent >= warm_up
            if measured:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
            headers = dict(spec.get("headers", {}))
            if spec.get("mutation"):
                headers["Idempotency-Key"] = uuid.uuid4().hex
            started = time.perf_counter()
            if spec.get("method") == "GET":  # a direct call to a legacy system, for comparison
                response = await http.get(spec["url"], headers=headers)
            else:
                response = await http.post(spec["url"], json=spec["body"], headers=headers)
            if measured:
                latencies.append((time.perf_counter() - started) * 1000)
                measured_from.append(started)
            statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
            if top_level_errors(response):
                graphql_errors += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    return {
        "latencies_ms": latencies,
        "statuses": statuses,
        "graphql_errors": graphql_errors,
        "seconds": time.perf_counter() - min(measured_from, default=started),
        "warm_up_requests": warm_up * concurrency,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("spec", type=Path)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--warm-up", type=int, default=0, help="requests per client left out")
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    result = asyncio.run(run(spec, args.requests, args.concurrency, args.warm_up))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
