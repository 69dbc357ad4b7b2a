"""`govgraph bench`: the standard queries against the mocks (with a set latency) and the gateway
in separate processes, driven by a load generator in its own process.

For each query: backend requests (from the mocks' journals) against the minimum worked out for
it, p50/p95/p99 at concurrency 1 and N, the latency floor (per dependency level, the slowest
backend's latency times the waves its in-flight cap forces), the same floor with each call's
latency drawn as the mocks draw it, and from each system's time per call as its mock measured
it, throughput, the gateway's CPU time per request and peak memory; then the same with batching off, the scale curve, and the peer side by side.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.calibration import work_ms
from bench.floor import jittered_bound, lower_bound
from bench.harness import (
    CAP,
    JITTER_SHARE,
    NO_POLLER,
    PEER_PART,
    QUERIES,
    UNLIMITED,
    Options,
    gateway_env,
    headers_for,
    journals,
    lift_engagement_quota,
    load,
    percentile,
    requests_at,
    service_times,
)
from bench.peer import peer_comparison
from bench.processes import gateway_python, interpreter_of, running_stack
from bench.profiles import PeakMemory, profile_suite
from bench.rate_limits import rate_limit_cost
from bench.replay import add_direct_floor
from bench.report import markdown
from bench.specs import specs, standard_names
from bench.targets import targets
from bench.workers import worker_scaling


def measure(
    stack: Any,
    name: str,
    query: str,
    spec: dict[str, Any],
    options: Options,
    gateway: psutil.Process,
    legal_rps: float,
) -> dict[str, Any]:
    url = f"{stack.gateway_url}/graphql"
    headers = headers_for(spec["role"])
    body = {"query": query, "variables": spec["variables"]}
    mutation = (
        query.lstrip("# \n").split("\n")[-1].strip().startswith("mutation") or "mutation " in query
    )
    for _ in range(2):  # warm sessions, tokens, reference caches
        load(url, body, headers, 1, 1, mutation)
    before = journals(stack)
    load(url, body, headers, 1, 1, mutation)
    after = journals(stack)
    backend_requests = sum(after[k] - before[k] for k in after)
    result: dict[str, Any] = {
        "name": name,
        "backend_requests": backend_requests,
        "min_backend_requests": spec["min_backend_requests"],
    }
    result["backend_ratio"] = (
        round(backend_requests / spec["min_backend_requests"], 2)
        if spec["min_backend_requests"]
        else (1.0 if backend_requests == 0 else None)
    )
    floor = lower_bound(spec["levels"], options.latency_ms, legal_rps)
    result["lower_bound_ms"] = floor
    jitter_ms = options.latency_ms * JITTER_SHARE
    jittered = jittered_bound(spec["levels"], options.latency_ms, jitter_ms, legal_rps)
    result["jittered_lower_bound_ms"] = jittered
    result["legal_aid_limit"] = "20/s" if legal_rps < UNLIMITED else "lifted"
    for concurrency in (1, options.concurrency):
        shared = lower_bound(spec["levels"], options.latency_ms, legal_rps, concurrency)
        # as many requests as fit in a few seconds of this floor (at 1, the floor itself)
        count = result[f"requests_c{concurrency}"] = requests_at(options, shared, concurrency)
        shared_jittered = jittered_bound(
            spec["levels"], options.latency_ms, jitter_ms, legal_rps, concurrency
        )
        cpu_before = gateway.cpu_times()
        since = time.time()
        with PeakMemory(gateway) as memory:
            # At concurrency N each client's first request is left out: the N start together.
            warm_up = 1 if concurrency > 1 else 0
            run = load(url, body, headers, count, concurrency, mutation, warm_up=warm_up)
        cpu_after = gateway.cpu_times()
        if concurrency == 1:
            measured = service_times(stack, since)
            result["backend_service_ms"] = measured
            result["measured_lower_bound_ms"] = lower_bound(
                spec["levels"], options.latency_ms, legal_rps, service_ms=measured
            )
        latencies = run["latencies_ms"]
        cpu_ms = (
            ((cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system))
            * 1000
            / (len(latencies) + run.get("warm_up_requests", 0))
        )
        p50 = statistics.median(latencies)
        result[f"c{concurrency}"] = {
            "p50_ms": round(p50, 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "rps": round(len(latencies) / run["seconds"], 1),
            "gateway_cpu_ms_per_request": round(cpu_ms, 2),
            # CPU for each answer a legacy system sent (what a district's bill pays for)
            "gateway_cpu_ms_per_answer": round(cpu_ms / backend_requests, 3)
            if backend_requests
            else None,
            # how much the gateway's memory grew at most, per request in flight
            "memory_kib_per_request": round(memory.growth / concurrency / 1024, 1),
            "p50_over_lower_bound": round(p50 / floor, 2) if floor else None,
            "p50_over_measured_lower_bound": (
                round(p50 / result["measured_lower_bound_ms"], 2)
                if result["measured_lower_bound_ms"]
                else None
            ),
            "shared_lower_bound_ms": shared,
            "p50_over_shared_lower_bound": round(p50 / shared, 2) if shared else None,
            "p50_over_jittered_lower_bound": round(p50 / jittered, 2) if jittered else None,
            "shared_jittered_lower_bound_ms": shared_jittered,
            "p50_over_shared_jittered_lower_bound": (
                round(p50 / shared_jittered, 2) if shared_jittered else None
            ),
            "statuses": run["statuses"],
        }
    if not mutation and backend_requests and legal_rps >= UNLIMITED:
        add_direct_floor(
            result,
            stack.mock_urls,
            body,
            headers,
            spec["levels"],
            result[f"requests_c{options.concurrency}"],
            options.concurrency,
            result["requests_c1"],
        )
    result["p50_ms"] = result["c1"]["p50_ms"]
    result["p95_ms"] = result["c1"]["p95_ms"]
    result["p99_ms"] = result["c1"]["p99_ms"]
    result["rps"] = result[f"c{options.concurrency}"]["rps"]
    result["gateway_cpu_ms_per_request"] = result["c1"]["gateway_cpu_ms_per_request"]
    result["gateway_cpu_ms_per_answer"] = result["c1"]["gateway_cpu_ms_per_answer"]
    result["peak_gateway_rss_mib"] = round(gateway.memory_info().rss / 2**20, 1)
    return result


RATE_LIMITED = ["legal_aid_50"]


def run_suite(
    options: Options,
    batching: bool,
    names: list[str] | None = None,
    scale: str = "demo",
    legal_limit: bool = True,
) -> list[dict[str, Any]]:
    """With `legal_limit` off, the legal-aid system's 20/s is lifted (and the gateway's pacing
    with it): back to back, queries with legal-aid calls would otherwise measure the limit."""
    env = gateway_env(legal_limit, GOVGRAPH_BATCHING="true" if batching else "false", **NO_POLLER)
    results = []
    with (
        tempfile.TemporaryDirectory() as work,
        running_stack(
            Path(work),
            scale=scale,
            latency_ms=options.latency_ms,
            gateway_env=env,
            legal_rps=20.0 if legal_limit else UNLIMITED,
        ) as stack,
    ):
        gateway = psutil.Process(stack.gateway_pid)
        lift_engagement_quota(stack.mock_urls)
        query_specs = specs(stack)
        for name, spec in query_specs.items():
            if names is not None and name not in names:
                continue
            if not legal_limit and name in RATE_LIMITED:
                continue
            query = (QUERIES / f"{name}.graphql").read_text(encoding="utf-8")
            legal_rps = 20.0 if legal_limit else UNLIMITED
            results.append(measure(stack, name, query, spec, options, gateway, legal_rps))
    return results


class UnknownQuery(ValueError):
    """`--only` named a query the benchmark does not have."""


def run(options: Options) -> dict[str, Any]:
    if options.profile_dir is not None:
        return profile_suite(options, specs)
    names = ["service_map", "resident_profile", "report_case"] if options.quick else None
    started = time.time()
    known = standard_names()
    unknown = sorted(set(options.only) - set(known) - {PEER_PART})
    if unknown:
        raise UnknownQuery(
            f"no standard query {unknown[0]} (one of {', '.join(known)}, or {PEER_PART})"
        )
    if options.only:
        # measured as the full run measures them: the legal-aid limit lifted but where it is
        # the subject
        only = [name for name in options.only if name != PEER_PART]
        lifted = [name for name in only if name not in RATE_LIMITED]
        limited = [name for name in only if name in RATE_LIMITED]
        report: dict[str, Any] = {
            "queries": (
                run_suite(options, batching=True, names=lifted, legal_limit=False) if lifted else []
            )
            + (run_suite(options, batching=True, names=limited) if limited else []),
            "settings": {
                "latency_ms": options.latency_ms,
                "concurrency": options.concurrency,
                "only": list(options.only),
            },
        }
        if PEER_PART in options.only:
            report["peer"] = peer_comparison(options)
        return written(options, report)
    work_at_start = work_ms(gateway_python())
    queries = run_suite(options, batching=True, names=names, legal_limit=False)
    if not options.quick:
        queries += run_suite(options, batching=True, names=RATE_LIMITED)
    naive = (
        []
        if options.quick
        else [
            {"name": q["name"], "backend_requests": q["backend_requests"], "p50_ms": q["p50_ms"]}
            for q in run_suite(
                options,
                batching=False,
                names=["grid_dashboard", "case_list", "legal_aid_50", "resident_profile"],
            )
        ]
    )
    scale_curve = (
        []
        if options.quick
        else [
            {
                "scale": scale,
                "queries": [
                    {
                        k: q[k]
                        for k in ("name", "backend_requests", "min_backend_requests", "p50_ms")
                    }
                    for q in run_suite(
                        options,
                        batching=True,
                        names=["case_list", "resident_profile"],
                        scale=scale,
                        legal_limit=False,
                    )
                ],
            }
            for scale in ("grids10", "grids100", "grids1000", "district")
        ]
    )
    peer = peer_comparison(options) if options.peer and not options.quick else None
    workers = worker_scaling(options)
    report = {
        "rate_limits": rate_limit_cost(),
        "queries": queries,
        "peer": peer,
        "batching_off": naive,
        "scale_curve": scale_curve,
        "workers": workers,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "gateway_python": interpreter_of(gateway_python()),
            "fixed_work_ms": {"start": work_at_start, "end": work_ms(gateway_python())},
        },
        "settings": {
            "latency_ms": options.latency_ms,
            "jitter_ms": options.latency_ms * JITTER_SHARE,
            "in_flight_cap": CAP,
            "requests_per_point": options.requests,
            "concurrency": options.concurrency,
            "quick": options.quick,
            "seconds": round(time.time() - started, 1),
        },
    }
    return written(options, report)


def written(options: Options, report: dict[str, Any]) -> dict[str, Any]:
    """The report, written where `--json` and `--markdown` ask (also for `--only`), with issue
    21's targets judged on it."""
    report["targets"] = targets(report)
    if options.json_path:
        options.json_path.parent.mkdir(parents=True, exist_ok=True)
        options.json_path.write_text(
            json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    if options.markdown_path:
        options.markdown_path.write_text(markdown(report), encoding="utf-8")
    return report
