"""The peer query's capacity: the application by code with the legal-aid mock answering at once,
so that CPU, not the legacy system's latency, sets how many requests a second each side serves.

At the run's latency a closed loop of ten clients mostly waits on the legal-aid system: the
direct call alone does only 1.1–1.2 times the peer's requests a second there, whatever a gateway
costs. With no latency the gateway, the mock and the load generator share the machine's cores,
and a gateway's CPU per request is what its throughput shows. Rounds alternate between the
sides, as at the run's latency; each gateway's CPU is counted in its own processes (the peer's
whole process group)."""

from __future__ import annotations

import subprocess
from typing import Any

import httpx

from bench.harness import load
from bench.peer_rounds import method_of, pooled, round_ratios, rounds_of
from bench.peer_stack import direct_side, running_peer, side_processes, sides_of

CAPACITY_REQUESTS = 2000  # a round: a few seconds at these rates
WARM_UP_REQUESTS = 300


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
        processes = side_processes(peer)
        for label, (url, body, headers) in calls.items():
            load(url, body, headers, WARM_UP_REQUESTS, concurrency, False, method_of(label))
        # each client's first request of a round is left out: the ten start together
        runs = rounds_of(
            calls, CAPACITY_REQUESTS, concurrency, peer.legal_url, warm_up=1, processes=processes
        )
    result: dict[str, Any] = {
        "query": "legal_application",
        "latency_ms": 0,
        "concurrency": concurrency,
        "rounds": len(runs["govgraph"]),
        "requests_a_round": CAPACITY_REQUESTS,
    }
    for label, side in runs.items():
        result[label] = pooled(side)
    result["round_throughput_ratios"] = round_ratios(runs)
    ours, theirs = result["govgraph"], result["peer"]
    result["throughput_ours_over_peer"] = round(ours["rps"] / theirs["rps"], 2)
    result["cpu_ours_over_peer"] = round(
        ours["cpu_ms_per_request"] / theirs["cpu_ms_per_request"], 2
    )
    return result
