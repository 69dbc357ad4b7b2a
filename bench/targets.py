"""Issue 21's targets, judged on one report: each with this run's worst figure and where it is,
beside the closest measure of what the target is after where the target itself cannot be reached
by any client (the nominal floor, throughput in a closed loop at the legacy system's pace).

A row whose part of the bench did not run (`--quick`, `--only peer`) says so and is not judged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from bench.peer_rounds import cpu_ours_over_peer, ratio

DASHBOARD = "grid_dashboard"
PEER_QUERY = "legal_application"


@dataclass(frozen=True)
class Target:
    name: str
    limit: str  # "≤ 1.2", "≥ 1.3"
    value: float | None  # the run's worst figure; None when that part did not run
    where: str  # which query or round gave it
    met: bool | None
    closest_of: str = ""  # for a closest measure: the target it stands in for

    def row(self) -> list[str]:
        value = "not run" if self.value is None else f"{self.value:g}"
        verdict = {True: "met", False: "not met", None: "-"}[self.met]
        return [self.name, self.limit, value, self.where or "-", verdict]


def _judged(
    name: str,
    limit: float,
    at_most: bool,
    figures: Iterable[tuple[str, float | None]],
    closest_of: str = "",
) -> Target:
    """The worst of `figures` (the largest for an upper limit, the smallest for a lower one)."""
    known = [(where, value) for where, value in figures if value is not None]
    sign = "≤" if at_most else "≥"
    if not known:
        return Target(name, f"{sign} {limit:g}", None, "", None, closest_of)
    where, value = (max if at_most else min)(known, key=lambda pair: pair[1])
    met = value <= limit if at_most else value >= limit
    if len(known) > 1:
        where = f"{where} (worst of {len(known)})"
    return Target(name, f"{sign} {limit:g}", value, where, met, closest_of)


def _figure(query: dict[str, Any], level: str, key: str) -> float | None:
    value = query.get(level, {}).get(key)
    return float(value) if value is not None else None


def _standard(report: dict[str, Any]) -> list[Target]:
    queries = [q for q in report.get("queries") or [] if "c1" in q]
    cn = f"c{report.get('settings', {}).get('concurrency', 10)}"
    floored = [q for q in queries if q.get("lower_bound_ms")]
    dashboard = [q for q in queries if q["name"] == DASHBOARD]

    def each(among: list[dict[str, Any]], level: str, key: str) -> list[tuple[str, float | None]]:
        return [(q["name"], _figure(q, level, key)) for q in among]

    within = 1.2
    return [
        _judged(
            "backend requests over the minimum, every standard query",
            1.0,
            True,
            ((q["name"], q.get("backend_ratio")) for q in queries),
        ),
        _judged(
            "CPU ms per legacy answer, the grid dashboard (c1)",
            0.5,
            True,
            each(dashboard, "c1", "gateway_cpu_ms_per_answer"),
        ),
        _judged(
            "p50 / nominal floor (c1)", within, True, each(floored, "c1", "p50_over_lower_bound")
        ),
        _judged(
            "p50 / floor with the jitter (c1)",
            within,
            True,
            each(floored, "c1", "p50_over_jittered_lower_bound"),
            closest_of="the nominal floor, which no client reaches on a wave of calls",
        ),
        _judged(
            "p50 / direct client (c1)",
            within,
            True,
            each(floored, "c1", "p50_over_direct"),
            closest_of="the nominal floor: the same calls, sent with no gateway",
        ),
        _judged(
            f"p50 / shared floor ({cn})",
            within,
            True,
            each(floored, cn, "p50_over_shared_lower_bound"),
        ),
    ]


def _peer(report: dict[str, Any]) -> list[Target]:
    peer = report.get("peer") or {}
    query: dict[str, Any] = next(
        (q for q in peer.get("queries") or [] if q["name"] == PEER_QUERY), {}
    )
    cn = f"c{report.get('settings', {}).get('concurrency', 10)}"
    capacity = peer.get("capacity") or {}

    def overhead(level: str) -> list[tuple[str, float | None]]:
        return [(PEER_QUERY, (query.get(f"overhead_{level}") or {}).get("ours_over_peer"))]

    def by_round(ratios: list[float] | None) -> list[tuple[str, float | None]]:
        return [(f"round {n}", r) for n, r in enumerate(ratios or [], 1)]

    direct, theirs = query.get(f"direct_{cn}") or {}, query.get(f"peer_{cn}") or {}
    reachable = (
        ratio(direct["rps"], theirs["rps"]) if direct.get("rps") and theirs.get("rps") else None
    )
    return [
        _judged("peer query: overhead, ours / the peer's (c1)", 0.5, True, overhead("c1")),
        _judged(
            "peer query: CPU a request, ours / the peer's (c1)",
            0.5,
            True,
            [(PEER_QUERY, cpu_ours_over_peer(query, "c1"))],
            closest_of="the overhead at c1: the same rounds, in CPU",
        ),
        _judged(f"peer query: overhead, ours / the peer's ({cn})", 0.5, True, overhead(cn)),
        _judged(
            f"peer query: requests/s, ours / the peer's ({cn}), by round",
            1.3,
            False,
            by_round(query.get(f"round_throughput_ratios_{cn}")),
        ),
        Target(
            f"peer query: requests/s, the direct call / the peer's ({cn})",
            "(the bound)",
            reachable,
            "no gateway at all: no gateway can do more",
            None,
        ),
        _judged(
            "peer query at capacity: CPU a request, ours / the peer's",
            round(1 / 1.3, 2),
            True,
            [("mock at 0 ms", capacity.get("cpu_ours_over_peer"))],
            closest_of="requests/s ≥ 1.3: a core serves 1.3 times as many at 1 / 1.3 of the CPU",
        ),
    ]


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target and closest measure of the report, as the JSON report carries them."""
    return [asdict(target) for target in _standard(report) + _peer(report)]


def targets_markdown(judged: list[dict[str, Any]]) -> list[str]:
    """The targets' table; closest measures in italics, each naming what it stands in for."""
    if not any(t["value"] is not None for t in judged):
        return []
    lines = [
        "Issue 21's targets in this run: the worst figure over the queries or rounds, and in"
        " italics the closest measure of a target that cannot be reached as set"
        " (`docs/performance.md` says why).",
        "",
        "| target | limit | this run | where | |",
        "|---|---|---|---|---|",
    ]
    for fields in judged:
        target = Target(**fields)
        cells = target.row()
        if target.closest_of:
            cells[0] = f"*{cells[0]}*, for {target.closest_of}"
        lines.append("| " + " | ".join(cells) + " |")
    return lines
