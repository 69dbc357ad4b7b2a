"""Issue 21's targets as the bench judges them on a report (`bench/targets.py`)."""

from __future__ import annotations

from typing import Any

from bench.targets import targets, targets_markdown


def _query(name: str, nominal: float, jittered: float, shared: float, **c1: Any) -> dict[str, Any]:
    return {
        "name": name,
        "backend_ratio": 1.0,
        "lower_bound_ms": 40.0,
        "c1": {
            "p50_over_lower_bound": nominal,
            "p50_over_jittered_lower_bound": jittered,
            "p50_over_direct": 1.1,
            **c1,
        },
        "c10": {"p50_over_shared_lower_bound": shared},
    }


def _side(cpu: float, rps: float = 300.0) -> dict[str, Any]:
    return {"cpu_ms_per_request": cpu, "rps": rps}


def _report() -> dict[str, Any]:
    return {
        "settings": {"concurrency": 10},
        "queries": [
            _query("grid_dashboard", 1.18, 1.11, 0.13, gateway_cpu_ms_per_answer=0.34),
            _query("engagement_dashboard", 1.27, 1.13, 0.12),
            _query("report_case", 1.17, 1.16, 1.25),
        ],
        "peer": {
            "queries": [
                {
                    "name": "legal_application",
                    "overhead_c1": {"ours_over_peer": 0.55},
                    "overhead_c10": {"ours_over_peer": 0.2},
                    "govgraph_c1": _side(1.8),
                    "peer_c1": _side(4.5),
                    "govgraph_c10": _side(0.9, 330.0),
                    "peer_c10": _side(2.5, 300.0),
                    "direct_c10": _side(0.0, 345.0),
                    "round_throughput_ratios_c10": [1.31, 1.12, 1.4],
                }
            ],
            "capacity": {"cpu_ours_over_peer": 0.6},
        },
    }


def _by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in targets(report)}


def test_each_target_is_judged_on_its_worst_figure_and_names_where_it_is() -> None:
    judged = _by_name(_report())
    nominal = judged["p50 / nominal floor (c1)"]
    assert (nominal["value"], nominal["met"]) == (1.27, False)
    assert nominal["where"] == "engagement_dashboard (worst of 3)"
    jittered = judged["p50 / floor with the jitter (c1)"]
    assert (jittered["value"], jittered["met"]) == (1.16, True)
    assert jittered["closest_of"].startswith("the nominal floor")
    shared = judged["p50 / shared floor (c10)"]
    assert (shared["value"], shared["where"], shared["met"]) == (
        1.25,
        "report_case (worst of 3)",
        False,
    )
    assert judged["CPU ms per legacy answer, the grid dashboard (c1)"]["met"] is True
    assert judged["backend requests over the minimum, every standard query"]["met"] is True


def test_the_peer_targets_take_the_rounds_worst_and_the_closest_measures_beside_them() -> None:
    judged = _by_name(_report())
    assert judged["peer query: overhead, ours / the peer's (c1)"]["met"] is False
    cpu = judged["peer query: CPU a request, ours / the peer's (c1)"]
    assert (cpu["value"], cpu["met"]) == (0.4, True)
    assert judged["peer query: overhead, ours / the peer's (c10)"]["met"] is True
    rounds = judged["peer query: requests/s, ours / the peer's (c10), by round"]
    assert (rounds["value"], rounds["where"], rounds["met"]) == (
        1.12,
        "round 2 (worst of 3)",
        False,
    )
    bound = judged["peer query: requests/s, the direct call / the peer's (c10)"]
    assert (bound["value"], bound["met"]) == (1.15, None)
    capacity = judged["peer query at capacity: CPU a request, ours / the peer's"]
    assert (capacity["limit"], capacity["met"]) == ("≤ 0.77", True)


def test_parts_that_did_not_run_are_not_judged_and_a_run_of_nothing_shows_no_table() -> None:
    only_peer = _report()
    only_peer["queries"] = []
    judged = _by_name(only_peer)
    assert judged["p50 / nominal floor (c1)"]["value"] is None
    assert judged["p50 / nominal floor (c1)"]["met"] is None
    assert judged["peer query: overhead, ours / the peer's (c1)"]["met"] is False
    text = "\n".join(targets_markdown(targets(only_peer)))
    assert "| p50 / nominal floor (c1) | ≤ 1.2 | not run | - | - |" in text
    assert "| peer query: overhead, ours / the peer's (c1) | ≤ 0.5 | 0.55 |" in text
    assert targets_markdown(targets({"queries": [], "peer": None})) == []


def test_the_report_shows_the_judged_targets_in_italics_where_they_stand_in() -> None:
    text = "\n".join(targets_markdown(targets(_report())))
    assert "| *p50 / floor with the jitter (c1)*, for the nominal floor" in text
    assert "| 1.16 | report_case (worst of 3) | met |" in text
    assert "| p50 / nominal floor (c1) | ≤ 1.2 | 1.27 | engagement_dashboard" in text
