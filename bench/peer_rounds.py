"""Rounds against the peer and the pooled figures of each side: the sides take turns, so that
drift on the shared machine hits all of them."""

from __future__ import annotations

import statistics
import time
from typing import Any

import psutil

from bench.harness import call_durations, load, percentile
from bench.peer_stack import Side

PEER_ROUNDS = 3


def method_of(label: str) -> str:
    """The direct call is the legal-aid system's own GET; the gateways take GraphQL POSTs."""
    return "GET" if label == "direct" else "POST"


def throughput(run: dict[str, Any]) -> float:
    return len(run["latencies_ms"]) / float(run["seconds"])


def ratio(ours: float, theirs: float) -> float | None:
    """Ours over theirs to two places; none where theirs is not above zero."""
    return round(ours / theirs, 2) if theirs > 0 else None


def cpu_ours_over_peer(query: dict[str, Any], level: str) -> float | None:
    """Govgraph's CPU a request over the peer's in one comparison's rounds at `level` ("c1"),
    where both sides' processes were counted."""
    ours = (query.get(f"govgraph_{level}") or {}).get("cpu_ms_per_request")
    theirs = (query.get(f"peer_{level}") or {}).get("cpu_ms_per_request")
    return ratio(ours, theirs) if ours and theirs else None


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One side's rounds as one sample: latencies pooled, throughput over the time they took,
    and where its processes were counted, their CPU a request sent (warm-up requests too)."""
    latencies = [ms for run in runs for ms in run["latencies_ms"]]
    statuses: dict[str, int] = {}
    for run in runs:
        for status, n in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    sent = sum(len(run["latencies_ms"]) + run.get("warm_up_requests", 0) for run in runs)
    counted = all("cpu_s" in run for run in runs)
    return {
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "rps": round(len(latencies) / sum(run["seconds"] for run in runs), 1),
        "rounds": len(runs),
        "statuses": statuses,
        "graphql_errors": sum(run["graphql_errors"] for run in runs),
        "cpu_ms_per_request": round(sum(run["cpu_s"] for run in runs) * 1000 / sent, 3)
        if counted and sent
        else None,
    }


def round_ratios(runs: dict[str, list[dict[str, Any]]]) -> list[float]:
    """govgraph's requests a second over the peer's, round by round."""
    return [
        round(throughput(ours) / throughput(theirs), 2)
        for ours, theirs in zip(runs["govgraph"], runs["peer"], strict=True)
    ]


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def rounds_of(
    calls: dict[str, Side],
    count: int,
    concurrency: int,
    legal_url: str,
    warm_up: int = 0,
    processes: dict[str, list[psutil.Process]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Each side's rounds, the sides alternating. At concurrency 1 each round also keeps the
    legal-aid system's own time for every call; with `processes`, the CPU each side's own
    processes spent on it (`cpu_s`)."""
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in calls}
    for _ in range(PEER_ROUNDS):
        for label, (url, body, headers) in calls.items():
            since = time.time()
            spent = cpu_seconds(processes[label]) if processes else 0.0
            run = load(url, body, headers, count, concurrency, False, method_of(label), warm_up)
            if processes and processes[label]:
                run["cpu_s"] = cpu_seconds(processes[label]) - spent
            if concurrency == 1:
                run["legacy_ms"] = call_durations(legal_url, since)
            runs[label].append(run)
    return runs
