"""The peer query's capacity: the application by code with the legal-aid mock answering at once,
so that CPU, not the legacy system's latency, sets how many requests a second each side serves.

At the run's latency a closed loop of ten clients mostly waits on the legal-aid system: the
direct call alone does only 1.1–1.2 times the peer's requests a second there, whatever a gateway
costs. With no latency the gateway, the mock and the load generator share the machine's cores,
and a gateway's CPU per request is what its throughput shows. Rounds alternate between the
sides, as at the run's latency; each gateway's CPU is counted in its own processes (the peer's
whole process group)."""

from __future__ import annotations

import statistics
import subprocess
from typing import Any

import httpx
import psutil

from bench.harness import load
from bench.peer_stack import direct_side, running_peer, sides_of

CAPACITY_ROUNDS = 3
CAPACITY_REQUESTS = 2000  # a round: a few seconds at these rates
WARM_UP_REQUESTS = 300


def throughput(run: dict[str, Any]) -> float:
    return len(run["latencies_ms"]) / float(run["seconds"])


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def capacity_comparison(concurrency: int) -> dict[str, Any]:
    """The comparison, or why it could not be made: a run's other results are kept either way."""
    try:
        return _compared(concurrency)
    except (OSError, subprocess.SubprocessError, httpx.HTTPError, RuntimeError) as failure:
        return {"skipped": f"{type(failure).__name__}: {failure}"[:300]}


def _compared(concurrency: int) -> dict[str, Any]:
    with running_peer(0.0) as peer:
        calls = {
            **sides_of(peer, "legal_application", "peer_legal_application"),
            "direct": direct_side(peer),
        }
        processes = {
            "govgraph": [psutil.Process(peer.stack.gateway_pid)],
            "peer": peer.peer_processes(),
            "direct": [],
        }
        method = {label: "GET" if label == "direct" else "POST" for label in calls}
        for label, (url, body, headers) in calls.items():
            load(url, body, headers, WARM_UP_REQUESTS, concurrency, False, method=method[label])
        runs: dict[str, list[dict[str, Any]]] = {label: [] for label in calls}
        cpu = dict.fromkeys(calls, 0.0)
        for _ in range(CAPACITY_ROUNDS):
            for label, (url, body, headers) in calls.items():
                before = cpu_seconds(processes[label])
                run = load(
                    url,
                    body,
                    headers,
                    CAPACITY_REQUESTS,
                    concurrency,
                    False,
                    method=method[label],
                    warm_up=1,
                )
                cpu[label] += cpu_seconds(processes[label]) - before
                runs[label].append(run)
    result: dict[str, Any] = {
        "query": "legal_application",
        "latency_ms": 0,
        "concurrency": concurrency,
        "rounds": CAPACITY_ROUNDS,
        "requests_a_round": CAPACITY_REQUESTS,
    }
    for label, side in runs.items():
        latencies = [ms for run in side for ms in run["latencies_ms"]]
        counted = sum(len(run["latencies_ms"]) + run.get("warm_up_requests", 0) for run in side)
        result[label] = {
            "rps": round(len(latencies) / sum(run["seconds"] for run in side), 1),
            "p50_ms": round(statistics.median(latencies), 2),
            "errors": sum(run["graphql_errors"] for run in side),
            "cpu_ms_per_request": round(cpu[label] * 1000 / counted, 3)
            if processes[label]
            else None,
        }
    result["round_throughput_ratios"] = [
        round(throughput(o) / throughput(t), 2)
        for o, t in zip(runs["govgraph"], runs["peer"], strict=True)
    ]
    ours, theirs = result["govgraph"], result["peer"]
    result["throughput_ours_over_peer"] = round(ours["rps"] / theirs["rps"], 2)
    result["cpu_ours_over_peer"] = round(
        ours["cpu_ms_per_request"] / theirs["cpu_ms_per_request"], 2
    )
    return result
