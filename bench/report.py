"""The benchmark's report as Markdown: one row per standard query, then the peer comparison."""

from __future__ import annotations

from typing import Any

from bench.peer_rounds import cpu_ours_over_peer
from bench.targets import targets, targets_markdown


def markdown(report: dict[str, Any]) -> str:
    header = [
        "| query | backend requests / min | p50 ms (c1) | lower bound ms | p50/bound (c1) | measured bound ms | p50/measured bound (c1) | p50 ms (cN) | shared bound ms (cN) | p50/shared bound (cN) | rps (cN) | CPU ms/req (c1) | CPU ms/answer (c1) | memory KiB/req (cN) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    measured = [q for q in report["queries"] if "c1" in q]
    lines = header if measured else []  # `--only peer`: the peer's tables alone
    for q in measured:
        cn = next(
            v for k, v in q.items() if k.startswith("c") and k != "c1" and isinstance(v, dict)
        )
        lines.append(
            f"| {q['name']} | {q['backend_requests']} / {q['min_backend_requests']} | {q['c1']['p50_ms']} | {q['lower_bound_ms']} | {q['c1']['p50_over_lower_bound']} | {q['measured_lower_bound_ms']} | {q['c1']['p50_over_measured_lower_bound']} | {cn['p50_ms']} | {cn['shared_lower_bound_ms']} | {cn['p50_over_shared_lower_bound']} | {cn['rps']} | {q['c1']['gateway_cpu_ms_per_request']} | {q['c1'].get('gateway_cpu_ms_per_answer')} | {cn.get('memory_kib_per_request')} |"
        )
    counted = [f"{q['name']} {q['requests_c1']}" for q in report["queries"] if "requests_c1" in q]
    if counted:
        lines += [
            "",
            "Requests at concurrency 1 (as many as fit in about six seconds of each query's"
            f" floor, so that a p50 holds still between runs): {', '.join(counted)}.",
        ]
    c = report.get("settings", {}).get("concurrency", "N")
    lines += _captioned(
        "Against the floor with the mocks' jitter (`bench/floor.py`): the median request's"
        " critical path when each call lasts its own draw of the set latency ± the jitter, so"
        " that a wave lasts as long as its slowest call; at concurrency"
        f" {c}, {c} clients each sending one request after another, their calls sharing each"
        " system's slots first come, first served.",
        [
            "query",
            "jittered floor ms (c1)",
            "p50/jittered floor (c1)",
            f"shared jittered floor ms (c{c})",
            f"p50/shared jittered floor (c{c})",
        ],
        [
            [
                q["name"],
                q["jittered_lower_bound_ms"],
                q["c1"]["p50_over_jittered_lower_bound"],
                q[f"c{c}"]["shared_jittered_lower_bound_ms"],
                q[f"c{c}"]["p50_over_shared_jittered_lower_bound"],
            ]
            for q in report["queries"]
            if q.get("jittered_lower_bound_ms")
        ],
    )
    lines += _captioned(
        "Against a direct client: the query's own backend calls sent again straight to the"
        " mocks, level by level, under the same in-flight cap (`bench/replay.py`).",
        [
            "query",
            "p50 ms c1 gateway / direct",
            "p50/direct (c1)",
            f"p50 ms c{c} gateway / direct",
            f"p50/direct (c{c})",
        ],
        [
            [
                q["name"],
                f"{q['c1']['p50_ms']} / {q['direct_p50_ms']['p50_ms_c1']}",
                q["c1"]["p50_over_direct"],
                f"{q[f'c{c}']['p50_ms']} / {q['direct_p50_ms'][f'p50_ms_c{c}']}",
                q[f"c{c}"]["p50_over_direct"],
            ]
            for q in report["queries"]
            if q.get("direct_p50_ms")
        ],
    )
    peer = report.get("peer") or {}
    if peer.get("queries"):
        c = report["settings"]["concurrency"]
        lines += [
            "",
            f"Peer: {peer['queries'][0]['peer']}.",
            "",
            f"| query | backend requests ours / peer | p50 ms c1 ours / peer | p50 ms c{c} ours / peer | rps c{c} ours / peer | rps ratio c{c} by round | errors ours / peer |",
            "|---|---|---|---|---|---|---|",
        ]
        for q in peer["queries"]:
            ours1, peer1 = q["govgraph_c1"], q["peer_c1"]
            oursn, peern = q[f"govgraph_c{c}"], q[f"peer_c{c}"]
            errors = (
                sum(q[f"govgraph_c{k}"]["graphql_errors"] for k in (1, c)),
                sum(q[f"peer_c{k}"]["graphql_errors"] for k in (1, c)),
            )
            lines.append(
                f"| {q['name']} | {q['govgraph_backend_requests']} / {q['peer_backend_requests']} | {ours1['p50_ms']} / {peer1['p50_ms']} | {oursn['p50_ms']} / {peern['p50_ms']} | {oursn['rps']} / {peern['rps']} | {', '.join(str(r) for r in q.get(f'round_throughput_ratios_c{c}', []))} | {errors[0]} / {errors[1]} |"
            )
        for q in peer["queries"]:
            for k in (1, c):
                over = q.get(f"overhead_c{k}")
                if over:
                    lines.append(
                        f"\nOverhead over a direct call to the legal-aid system ({q['name']}, c{k}):"
                        f" direct p50 {over['direct_p50_ms']} ms; govgraph adds {over['govgraph_ms']} ms,"
                        f" the peer {over['peer_ms']} ms (ours / theirs {over['ours_over_peer']});"
                        f" {over.get('method', 'plain medians')}.{bare_note(over)}{cpu_note(q, k)}"
                    )
        capacity = peer.get("capacity")
        if capacity and "skipped" in capacity:
            lines.append(f"\nCapacity: skipped ({capacity['skipped']}).")
        elif capacity:
            ours, theirs = capacity["govgraph"], capacity["peer"]
            lines.append(
                f"\nCapacity ({capacity['query']}, the mock answering at once, concurrency"
                f" {capacity['concurrency']}, {capacity['rounds']} alternating rounds of"
                f" {capacity['requests_a_round']}): govgraph {ours['rps']} requests/s at"
                f" {ours['cpu_ms_per_request']} ms of CPU a request, the peer {theirs['rps']} at"
                f" {theirs['cpu_ms_per_request']} (CPU ours / theirs"
                f" {capacity['cpu_ours_over_peer']}; requests/s by round"
                f" {', '.join(str(r) for r in capacity['round_throughput_ratios'])}); the direct"
                f" call {capacity['direct']['rps']} requests/s."
            )
    elif peer:
        lines += ["", f"Peer: skipped ({peer.get('skipped')})."]
    workers = report.get("workers")
    if workers:
        lines += [
            "",
            f"Workers ({workers['query']}, mock latency 0, concurrency {workers['concurrency']}): "
            f"{workers['rps_1_worker']} requests/s with one worker process, "
            f"{workers['rps_2_workers']} with two ({workers['ratio']}x).",
        ]
    limits = report.get("rate_limits")
    if limits:
        cost = [(int(n), us) for n, us in limits["cpu_us_per_request"].items()]
        said = [f"{us} µs with {n:,} client{'' if n == 1 else 's'} on record" for n, us in cost]
        lines += ["", "Rate limits in process, CPU a request: " + ", ".join(said) + "."]
    judged = targets_markdown(report.get("targets") or targets(report))
    if judged:
        lines += ["", *judged]
    machine = report.get("machine", {})
    python = machine.get("gateway_python")
    if python:
        lines += [
            "",
            f"Gateway interpreter: Python {python['version']} ({python['path']}; configured"
            f" with --enable-optimizations: {python['enable_optimizations']},"
            f" --with-lto: {python['with_lto']}).",
        ]
    work = machine.get("fixed_work_ms")
    if work:
        lines += [
            "",
            f"Machine speed: a fixed pure-Python workload (`bench/calibration.py`) took"
            f" {work['start']} ms under the gateway's interpreter at the start of the run and"
            f" {work['end']} ms at its end; the CPU figures above scale with it.",
        ]
    return "\n".join(lines).lstrip("\n") + "\n"


def bare_note(overhead: dict[str, Any]) -> str:
    """The bare Python proxy's part of the comparison, where it ran."""
    if "bare_ms" not in overhead:
        return ""
    return (
        f" A bare Python proxy on the same server (uvicorn, no GraphQL, no checks) adds"
        f" {overhead['bare_ms']} ms ({overhead['bare_over_peer']} of the peer's)."
    )


def cpu_note(query: dict[str, Any], concurrency: int) -> str:
    """Each gateway's CPU a request in these rounds, where its processes were counted."""
    over = cpu_ours_over_peer(query, f"c{concurrency}")
    if over is None:
        return ""
    ours = query[f"govgraph_c{concurrency}"]["cpu_ms_per_request"]
    theirs = query[f"peer_c{concurrency}"]["cpu_ms_per_request"]
    return (
        f" CPU a request in these rounds: govgraph {ours} ms, the peer {theirs}"
        f" (ours / theirs {over})."
    )


def _captioned(caption: str, header: list[str], rows: list[list[Any]]) -> list[str]:
    """A table under its caption, or nothing when it has no rows."""
    if not rows:
        return []
    return [
        "",
        caption,
        "",
        _row(header),
        "|" + "---|" * len(header),
        *(_row(row) for row in rows),
    ]


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"
