"""The peer side by side: Hive Gateway serving GraphQL Mesh's composition of the legal-aid
OpenAPI, against govgraph on the shared legal-aid queries, on a stack of its own."""

from __future__ import annotations

import statistics
from typing import Any

import psutil

from bench.bare_proxy import running_bare_proxy
from bench.harness import Options, journals, load
from bench.peer_capacity import capacity_comparison
from bench.peer_rounds import pooled, ratio, round_ratios, rounds_of
from bench.peer_stack import (
    PEER_NOTE,
    direct_side,
    peer_installed,
    running_peer,
    side_processes,
    sides_of,
)

PEER_QUERIES = (
    ("legal_application", "peer_legal_application"),
    ("legal_community", "peer_legal_community"),
)
PEER_REQUESTS_PER_CLIENT = 20
# At concurrency 1, 100 a round and 300 a side: what one request meets on a shared machine
# moves a millisecond's overhead little.
PEER_REQUESTS_C1 = 100


def residuals(side: list[dict[str, Any]]) -> list[float] | None:
    """Each request's time less the legal-aid system's own time for its one call, request by
    request (at concurrency 1 the system answers them in the order they were sent); None
    unless every request made exactly one call."""
    left: list[float] = []
    for run in side:
        legacy = run.get("legacy_ms")
        if legacy is None or len(legacy) != len(run["latencies_ms"]):
            return None
        left += [total - own for total, own in zip(run["latencies_ms"], legacy, strict=True)]
    return left


def overheads(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """What each gateway adds to the direct call's median, and ours over theirs.

    Where each request made one call and the system's time for it is known (concurrency 1), the
    medians are of what is left once the system's own time is taken out of each request: the
    mocks draw every call's latency (±25 %), and a difference of two plain medians of 300 would
    carry about half a millisecond of those draws. Elsewhere, the plain medians. With a bare
    Python proxy among the sides, what it adds too."""
    plain = {
        label: [ms for run in side for ms in run["latencies_ms"]] for label, side in runs.items()
    }
    paired = {label: left for label, side in runs.items() if (left := residuals(side)) is not None}
    samples = paired if len(paired) == len(runs) else plain
    median = {label: statistics.median(values) for label, values in samples.items()}
    ours, theirs = median["govgraph"] - median["direct"], median["peer"] - median["direct"]
    return {
        "direct_p50_ms": round(statistics.median(plain["direct"]), 2),
        "method": "each request less the system's own time"
        if samples is paired
        else "plain medians",
        "govgraph_ms": round(ours, 2),
        "peer_ms": round(theirs, 2),
        "ours_over_peer": ratio(ours, theirs),
        **(bare_floor(median["bare"] - median["direct"], theirs) if "bare" in median else {}),
    }


def bare_floor(bare: float, theirs: float) -> dict[str, Any]:
    """What the bare Python proxy (`bench.bare_proxy`) adds, and that over the peer's."""
    return {
        "bare_ms": round(bare, 2),
        "bare_over_peer": ratio(bare, theirs),
    }


def peer_comparison(options: Options) -> dict[str, Any]:
    """The shared legal-aid queries against govgraph and against Hive Gateway + Mesh, on one
    legal-aid mock with the same latency, one after the other, with the direct call and, at
    concurrency 1, a bare Python proxy (`bench.bare_proxy`) beside the peer query; then the peer
    query's capacity (`bench.peer_capacity`)."""
    if not peer_installed():
        return {"name": "peer", "skipped": "run `npm ci` in bench/peers first"}
    with (
        running_peer(options.latency_ms) as peer,
        running_bare_proxy(peer.legal_url, peer.bearer, peer.code) as (bare_url, bare_pid),
    ):
        stack, legal = peer.stack, peer.legal_url
        processes = {**side_processes(peer), "bare": [psutil.Process(bare_pid)]}
        results = []
        for ours_name, peer_name in PEER_QUERIES:
            comparison: dict[str, Any] = {"name": ours_name, "peer": PEER_NOTE}
            sides = sides_of(peer, ours_name, peer_name)
            for label, (url, body, headers) in sides.items():
                load(url, body, headers, 3, 1, False)
                before = journals(stack)
                load(url, body, headers, 1, 1, False)
                after = journals(stack)
                comparison[f"{label}_backend_requests"] = sum(after[k] - before[k] for k in after)
            for concurrency in (1, options.concurrency):
                # Small requests: enough of them that start-up does not set the throughput.
                count = max(
                    options.requests,
                    PEER_REQUESTS_C1
                    if concurrency == 1
                    else PEER_REQUESTS_PER_CLIENT * concurrency,
                )
                calls = dict(sides)
                if ours_name == "legal_application":
                    calls["direct"] = direct_side(peer)
                    if concurrency == 1:
                        # a floor where each request's own call is taken out: plain medians at
                        # 10 carry more of the system's draws than the floor is worth
                        calls["bare"] = (bare_url, {}, {})
                runs = rounds_of(calls, count, concurrency, legal, processes=processes)
                for label, side in runs.items():
                    comparison[f"{label}_c{concurrency}"] = pooled(side)
                comparison[f"round_throughput_ratios_c{concurrency}"] = round_ratios(runs)
                ours, theirs = (
                    comparison[f"govgraph_c{concurrency}"],
                    comparison[f"peer_c{concurrency}"],
                )
                comparison[f"ratios_c{concurrency}"] = {
                    "throughput_ours_over_peer": round(ours["rps"] / theirs["rps"], 2),
                    "p50_ours_over_peer": round(ours["p50_ms"] / theirs["p50_ms"], 2),
                }
                if "direct" in runs:
                    comparison[f"overhead_c{concurrency}"] = overheads(runs)
            results.append(comparison)
    return {
        "name": "peer",
        "queries": results,
        "capacity": capacity_comparison(options.concurrency),
    }
