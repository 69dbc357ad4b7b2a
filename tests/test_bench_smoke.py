"""Smoke test: `govgraph bench --quick` runs the whole harness on tiny settings and writes JSON
of the documented shape. Timings are not checked (benchmarks, not timed tests)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mocks import DEFAULT_PORTS

QUERY_KEYS = {
    "name",
    "backend_requests",
    "min_backend_requests",
    "backend_ratio",
    "lower_bound_ms",
    "measured_lower_bound_ms",
    "jittered_lower_bound_ms",
    "backend_service_ms",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "rps",
    "gateway_cpu_ms_per_request",
    "peak_gateway_rss_mib",
    "requests_c1",
    "c1",
}


def test_bench_quick_writes_results_of_the_documented_shape(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    markdown = tmp_path / "bench.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway.cli.main",
            "bench",
            "--quick",
            "--latency-ms",
            "2",
            "--concurrency",
            "2",
            "--json",
            str(out),
            "--markdown",
            str(markdown),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) >= {"queries", "machine", "settings"}
    assert report["settings"]["quick"] is True
    interpreter = report["machine"]["gateway_python"]
    assert interpreter["path"] == sys.executable
    assert interpreter["version"] == ".".join(map(str, sys.version_info[:3]))
    assert "Gateway interpreter: Python" in markdown.read_text(encoding="utf-8")
    judged = {t["name"]: t for t in report["targets"]}
    assert judged["backend requests over the minimum, every standard query"]["met"] is True
    assert judged["peer query: overhead, ours / the peer's (c1)"]["value"] is None  # quick: no peer
    assert "| p50 / floor with the jitter (c1)" not in markdown.read_text(encoding="utf-8")
    assert "| *p50 / floor with the jitter (c1)*, for" in markdown.read_text(encoding="utf-8")
    work = report["machine"]["fixed_work_ms"]
    assert set(work) == {"start", "end"} and all(ms > 0 for ms in work.values())
    assert f"took {work['start']} ms" in markdown.read_text(encoding="utf-8")
    names = {q["name"] for q in report["queries"]}
    assert names == {"service_map", "resident_profile", "report_case"}
    for query in report["queries"]:
        assert set(query) >= QUERY_KEYS
        assert "c2" in query
        assert query["backend_requests"] >= 0
        assert set(query["c1"]["statuses"]) == {"200"}
        assert query["c2"]["shared_lower_bound_ms"] >= query["lower_bound_ms"]
        assert (query["jittered_lower_bound_ms"] > 0) == (query["backend_requests"] > 0)
        shared = query["c2"]["shared_jittered_lower_bound_ms"]
        assert shared >= query["jittered_lower_bound_ms"]
        # every system the query calls was timed inside its mock
        assert (query["measured_lower_bound_ms"] > 0) == (query["backend_requests"] > 0)
        assert all(ms > 0 for ms in query["backend_service_ms"].values())
    # the resident profile's own calls, replayed by a direct client; never a write's
    profile = next(q for q in report["queries"] if q["name"] == "resident_profile")
    assert profile["direct_p50_ms"]["p50_ms_c1"] > 0
    assert profile["direct_p50_ms"]["p50_ms_c2"] > 0
    assert profile["c1"]["p50_over_direct"] > 0
    assert "direct_p50_ms" not in next(q for q in report["queries"] if q["name"] == "report_case")
    assert "Against a direct client" in markdown.read_text(encoding="utf-8")
    assert "Against the floor with the mocks' jitter" in markdown.read_text(encoding="utf-8")
    service_map = next(q for q in report["queries"] if q["name"] == "service_map")
    assert service_map["backend_requests"] == 0  # reference data, all cached
    assert "| resident_profile |" in markdown.read_text(encoding="utf-8")
    workers = report["workers"]
    assert workers["rps_1_worker"] > 0 and workers["rps_2_workers"] > 0
    assert "with one worker process" in markdown.read_text(encoding="utf-8")
    limits = report["rate_limits"]["cpu_us_per_request"]
    assert set(limits) == {"1", "10000", "100000"} and all(us > 0 for us in limits.values())
    assert "with 100,000 clients on record" in markdown.read_text(encoding="utf-8")


def test_an_interpreter_that_cannot_run_the_gateway_is_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    for python in (str(tmp_path / "no-such-python"), "/bin/false"):
        result = subprocess.run(
            [
                *(sys.executable, "-m", "gateway.cli.main", "bench", "--quick"),
                *("--gateway-python", python, "--json", str(tmp_path / "out.json")),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2
        assert "cannot run govgraph's gateway" in result.stdout
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "out.json").exists()


def test_the_floor_counts_waves_of_the_cap_and_the_rate_limit() -> None:
    from bench.floor import lower_bound

    dashboard = [{"civil-affairs": 40, "urban-management": 80}]
    assert lower_bound(dashboard, 20, 20) == 160  # the slower system: 8 waves of 10
    assert lower_bound(dashboard, 20, 20, concurrency=10) == 1600  # ten share the cap
    legal_50 = [{"civil-affairs": 1}, {"legal-aid": 50}]
    assert lower_bound(legal_50, 20, 20) == 20 + 2500  # 50 calls at 20 a second
    assert lower_bound([{"urban-management": 1}, {"urban-management": 1}], 20, 20) == 40


def test_short_queries_get_more_requests_and_quick_runs_keep_theirs() -> None:
    from bench.harness import Options, requests_at

    full = Options(False, 20, 10, 20, None, None, False)
    assert requests_at(full, 40) == 150  # six seconds of a 40 ms floor
    assert requests_at(full, 160) == 37
    assert requests_at(full, 2520) == 20  # never fewer than asked for
    assert requests_at(full, 0) == 200  # and never more than the most
    assert requests_at(Options(True, 20, 10, 3, None, None, False), 40) == 3
    # At concurrency 10, six seconds of the shared floor for each of the ten clients
    assert requests_at(full, 40, 10) == 300  # 1,500 would fit: thirty each at most
    assert requests_at(full, 900, 10) == 60
    assert requests_at(full, 1600, 10) == 30
    assert requests_at(full, 25020, 10) == 20


def test_the_measured_floor_takes_each_systems_measured_time_per_wave() -> None:
    from bench.floor import lower_bound

    dashboard = [{"civil-affairs": 40, "urban-management": 80}]
    measured = {"civil-affairs": 30.0, "urban-management": 22.0}
    assert lower_bound(dashboard, 20, 20, service_ms=measured) == max(4 * 30, 8 * 22)
    profile = [{"civil-affairs": 1}, {"civil-affairs": 2, "legal-aid": 2}]
    # a system not measured keeps the set latency
    assert lower_bound(profile, 20, 20, service_ms={"civil-affairs": 23.5}) == 23.5 + 23.5
    assert lower_bound(profile, 20, 20, service_ms={"legal-aid": 26.0}) == 20 + 26


def test_the_jittered_floor_waits_for_each_requests_slowest_draw() -> None:
    from bench.floor import jittered_bound, lower_bound

    one_call = [{"legal-aid": 1}, {"legal-aid": 1}]
    # with no jitter it is the nominal floor, whatever the shape
    for levels in (one_call, [{"civil-affairs": 40, "urban-management": 80}]):
        assert jittered_bound(levels, 20, 0, 1e6) == lower_bound(levels, 20, 1e6)
    # one call a level: the median of a sum of symmetric draws is the set latency's sum
    assert jittered_bound(one_call, 20, 5, 1e6) == pytest.approx(40, abs=0.5)
    # ten at once wait for the slowest of ten draws on 15-25 ms: 15 + 10 * 10/11, about 24.1
    assert jittered_bound([{"urban-management": 10}], 20, 5, 1e6) == pytest.approx(24.1, abs=0.4)
    # past the cap, a call starts as a slot frees: 80 calls on 10 slots end after 160 ms of work
    # spread over the slots, plus the last calls' tail
    dashboard = jittered_bound([{"civil-affairs": 40, "urban-management": 80}], 20, 5, 1e6)
    assert 162 < dashboard < 175
    # and a call past a whole wave starts when the first slot frees, not when the wave ends:
    # eleven calls end with the eleventh, some 36 ms in, where the nominal floor counts two waves
    assert 33 < jittered_bound([{"civil-affairs": 11}], 20, 5, 1e6) < 39
    assert lower_bound([{"civil-affairs": 11}], 20, 1e6) == 40
    # where the rate limit binds, it binds as in the nominal floor
    legal_50 = [{"civil-affairs": 1}, {"legal-aid": 50}]
    assert jittered_bound(legal_50, 20, 5, 20) == pytest.approx(20 + 2500, abs=0.5)
    # ten clients, one call a level each: ten slots, so a request waits for its own draws only,
    # not for the slowest of the ten (a client sending them straight gets about 42 ms)
    assert jittered_bound(one_call, 20, 5, 1e6, concurrency=10) == pytest.approx(40, abs=0.6)
    # where the ten share a cap that binds, the steady load is the nominal shared floor: the
    # resident profile's three civil-affairs calls on ten slots, ten clients, 60 ms a request
    profile = [{"civil-affairs": 1}, {"civil-affairs": 2, "legal-aid": 2}]
    assert lower_bound(profile, 20, 1e6, concurrency=10) == 60
    assert jittered_bound(profile, 20, 0, 1e6, concurrency=10) == 60
    assert jittered_bound(profile, 20, 5, 1e6, concurrency=10) == pytest.approx(60, abs=1.5)
    for levels in (one_call, profile, [{"civil-affairs": 40, "urban-management": 80}]):
        for concurrency in (1, 10):
            nominal = lower_bound(levels, 20, 1e6, concurrency=concurrency)
            assert jittered_bound(levels, 20, 0, 1e6, concurrency=concurrency) == nominal
    # drawn from a fixed seed: the report is the same for the same shape
    assert jittered_bound(one_call, 20, 5, 1e6) == jittered_bound(one_call, 20, 5, 1e6)


@pytest.mark.parametrize("asked", ["legal_application", "peer"])  # by its name, or the part's
def test_the_profile_pass_writes_a_call_tree_and_a_flame_graph_for_the_peer_query(
    tmp_path: Path, asked: str
) -> None:
    folder = tmp_path / "profiles"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway.cli.main",
            "bench",
            "--profile",
            str(folder),
            "--only",
            asked,
            "--latency-ms",
            "0",
            "--requests",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.name for p in folder.iterdir()) == [
        "legal_application.speedscope.json",
        "legal_application.txt",
    ]
    flame = json.loads((folder / "legal_application.speedscope.json").read_text(encoding="utf-8"))
    frames = {(f["name"], Path(f["file"] or "").name) for f in flame["shared"]["frames"]}
    # the call to the legal-aid system is in the graph, not only the root
    assert ("application", "legal.py") in frames, sorted(frames)[:40]
    assert "LegalAidConnector" in (folder / "legal_application.txt").read_text(encoding="utf-8")


def test_the_peer_rounds_pool_into_one_sample() -> None:
    from bench.peer_rounds import pooled, throughput

    rounds = [
        {"latencies_ms": [10.0, 30.0], "seconds": 1.0, "statuses": {"200": 2}, "graphql_errors": 0},
        {
            "latencies_ms": [20.0, 40.0],
            "seconds": 3.0,
            "statuses": {"200": 1, "429": 1},
            "graphql_errors": 1,
        },
    ]
    side = pooled(rounds)
    assert side["p50_ms"] == 25.0
    assert side["rps"] == 1.0  # 4 requests in 4 seconds, not the mean of 2 and 0.67
    assert side["statuses"] == {"200": 3, "429": 1}
    assert side["graphql_errors"] == 1
    assert side["rounds"] == 2
    assert side["cpu_ms_per_request"] is None  # no process counted
    assert throughput(rounds[0]) == 2.0
    counted = [{**rounds[0], "cpu_s": 0.004, "warm_up_requests": 1}, {**rounds[1], "cpu_s": 0.002}]
    assert pooled(counted)["cpu_ms_per_request"] == 1.2  # 6 ms over the 5 requests sent
    assert pooled([counted[0], rounds[1]])["cpu_ms_per_request"] is None  # a round uncounted


def test_the_peer_overhead_takes_each_calls_own_draw_out_request_by_request() -> None:
    from bench.peer import overheads

    def side(extra_ms: float, draws: list[float], legacy: bool = True) -> list[dict[str, Any]]:
        run: dict[str, Any] = {"latencies_ms": [d + extra_ms for d in draws]}
        if legacy:
            run["legacy_ms"] = draws
        return [run]

    # the systems' draws differ by side; what each side adds does not
    direct, ours, theirs = [15.0, 25.0, 16.0], [24.0, 15.5, 24.5], [18.0, 17.0, 25.0]
    runs = {"direct": side(1.0, direct), "govgraph": side(2.0, ours), "peer": side(4.0, theirs)}
    paired = overheads(runs)
    assert paired["method"] == "each request less the system's own time"
    assert (paired["govgraph_ms"], paired["peer_ms"], paired["ours_over_peer"]) == (1.0, 3.0, 0.33)
    assert paired["direct_p50_ms"] == 17.0
    assert "bare_ms" not in paired
    with_bare = overheads({**runs, "bare": side(1.6, [20.0, 16.0, 24.0])})
    assert (with_bare["bare_ms"], with_bare["bare_over_peer"]) == (0.6, 0.2)
    assert with_bare["ours_over_peer"] == 0.33
    # plain medians, where a request's own call is not known: here they mislead
    plain = overheads(
        {
            k: side(e, d, legacy=False)
            for k, (e, d) in {
                "direct": (1.0, direct),
                "govgraph": (2.0, ours),
                "peer": (4.0, theirs),
            }.items()
        }
    )
    assert plain["method"] == "plain medians"
    assert (plain["govgraph_ms"], plain["ours_over_peer"]) == (9.0, 1.8)
    # a request that made no call, or two, leaves the pairing unknown
    runs["govgraph"][0]["legacy_ms"] = direct[:2]
    assert overheads(runs)["method"] == "plain medians"


def test_replayed_calls_are_grouped_into_the_querys_levels_in_the_order_sent() -> None:
    import httpx

    from bench.replay import Call, by_level

    def call(system: str, at: float) -> Call:
        return Call(system, httpx.Request("GET", f"http://x/{system}/{at}"), at)

    sent = [call("civil-affairs", 0), call("civil-affairs", 2), call("legal-aid", 3)]
    sent.insert(2, call("civil-affairs", 2.5))
    levels = [{"civil-affairs": 1}, {"civil-affairs": 2, "legal-aid": 1}]
    grouped = by_level(sent, levels)
    assert grouped is not None
    assert [[c.started for c in level] for level in grouped] == [[0], [2, 2.5, 3]]
    # other calls than the levels count: no replay rather than a wrong floor
    assert by_level(sent, [{"civil-affairs": 1}, {"civil-affairs": 1, "legal-aid": 1}]) is None
    assert by_level(sent[:2], levels) is None


def test_the_load_generator_leaves_out_each_clients_first_requests_but_counts_them() -> None:
    import asyncio

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from bench.loadgen import run
    from gateway.testing.servers import BackgroundServers

    seen: list[str] = []

    async def answer(request: Request) -> JSONResponse:
        seen.append(request.headers.get("idempotency-key", ""))
        if len(seen) == 1:
            return JSONResponse({"errors": [{"message": "the first one fails"}]})
        return JSONResponse({"data": {"ok": True}})

    servers = BackgroundServers({"app": Starlette(routes=[Route("/", answer, methods=["POST"])])})
    servers.start()
    try:
        spec = {"url": servers.urls["app"] + "/", "body": {"query": "{ ok }"}, "mutation": True}
        result = asyncio.run(run(spec, 12, 3, warm_up=2))
    finally:
        servers.stop()
    # twelve measured, two more per client sent first; every one a write of its own
    assert len(result["latencies_ms"]) == 12
    assert len(seen) == 18 and len(set(seen)) == 18
    assert result["warm_up_requests"] == 6
    assert result["statuses"] == {"200": 18}
    assert result["graphql_errors"] == 1  # a warm-up request's error still counts
    assert result["seconds"] > 0


def test_a_stack_whose_port_was_taken_meanwhile_starts_again_on_fresh_ports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    import httpx

    import bench.processes as processes

    # A port that was free when asked and is taken by the time the mocks bind it.
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    real = processes.free_port
    handed: list[int] = []

    def racing_free_port() -> int:
        handed.append(port if not handed else real())
        return handed[-1]

    monkeypatch.setattr(processes, "free_port", racing_free_port)
    try:
        with processes.running_stack(tmp_path, scale="tiny") as stack:
            assert str(port) not in " ".join([*stack.mock_urls.values(), stack.gateway_url])
            assert httpx.get(f"{stack.gateway_url}/healthz", timeout=10).status_code == 200
    finally:
        taken.close()
    assert handed.count(port) == 1  # the first stack failed on it; the second had fresh ports
    assert len(handed) == 2 * (len(DEFAULT_PORTS) + 1)


def test_the_report_shows_the_peer_querys_capacity_beside_its_latency() -> None:
    from bench.report import markdown

    side = {"p50_ms": 22.0, "rps": 44.0, "graphql_errors": 0}
    capacity_side = {"rps": 600.0, "p50_ms": 10.0, "graphql_errors": 0, "cpu_ms_per_request": 0.9}
    report: dict[str, Any] = {
        "queries": [],
        "settings": {"concurrency": 10},
        "peer": {
            "queries": [
                {
                    "name": "legal_application",
                    "peer": "Hive Gateway",
                    "govgraph_backend_requests": 1,
                    "peer_backend_requests": 1,
                    **{f"{label}_c{c}": side for label in ("govgraph", "peer") for c in (1, 10)},
                    "round_throughput_ratios_c10": [1.1, 1.05],
                }
            ],
            "capacity": {
                "query": "legal_application",
                "concurrency": 10,
                "rounds": 2,
                "requests_a_round": 2000,
                "govgraph": capacity_side,
                "peer": {**capacity_side, "rps": 500.0, "cpu_ms_per_request": 1.5},
                "direct": {**capacity_side, "rps": 800.0, "cpu_ms_per_request": None},
                "round_throughput_ratios": [1.19, 1.21],
                "cpu_ours_over_peer": 0.6,
            },
        },
    }
    text = markdown(report)
    # no standard query measured (`--only peer`): no empty table of them above the peer's
    assert text.startswith("Peer: Hive Gateway"), text[:200]
    assert "backend requests / min" not in text
    assert "| legal_application | 1 / 1 | 22.0 / 22.0 |" in text
    assert "govgraph 600.0 requests/s at 0.9 ms of CPU a request, the peer 500.0 at 1.5" in text
    assert "(CPU ours / theirs 0.6; requests/s by round 1.19, 1.21)" in text
    assert "the direct call 800.0 requests/s" in text
    assert "CPU a request in these rounds" not in text  # the latency rounds counted none
    query = report["peer"]["queries"][0]
    query["govgraph_c1"] = {**side, "cpu_ms_per_request": 1.6}
    query["peer_c1"] = {**side, "cpu_ms_per_request": 3.2}
    query["overhead_c1"] = {
        "direct_p50_ms": 21.7,
        "govgraph_ms": 1.9,
        "peer_ms": 3.0,
        "ours_over_peer": 0.63,
        "method": "each request less the system's own time",
        "bare_ms": 0.7,
        "bare_over_peer": 0.23,
    }
    assert (
        "govgraph adds 1.9 ms, the peer 3.0 ms (ours / theirs 0.63); each request less the"
        " system's own time. A bare Python proxy on the same server (uvicorn, no GraphQL, no"
        " checks) adds 0.7 ms (0.23 of the peer's). CPU a request in these rounds: govgraph"
        " 1.6 ms, the peer 3.2 (ours / theirs 0.5)."
    ) in markdown(report)
    report["peer"]["capacity"] = {"skipped": "RuntimeError: process exited with 1"}
    assert "Capacity: skipped (RuntimeError: process exited with 1)." in markdown(report)


def test_only_peer_runs_the_peer_side_by_side_and_no_standard_query(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bench import run as bench_run
    from bench.harness import Options

    asked: list[str] = []

    def suite(*_: Any, **__: Any) -> list[dict[str, Any]]:
        asked.append("suite")
        return []

    def peer(_: Options) -> dict[str, Any]:
        asked.append("peer")
        return {"queries": []}

    monkeypatch.setattr(bench_run, "run_suite", suite)
    monkeypatch.setattr(bench_run, "peer_comparison", peer)
    options = Options(
        quick=False,
        latency_ms=20.0,
        concurrency=10,
        requests=20,
        json_path=tmp_path / "peer.json",
        markdown_path=None,
        peer=True,
        only=("peer",),
    )
    report = bench_run.run(options)
    assert asked == ["peer"]
    assert report["peer"] == {"queries": []} and report["queries"] == []
    assert json.loads((tmp_path / "peer.json").read_text(encoding="utf-8"))["settings"]["only"] == [
        "peer"
    ]
    asked.clear()
    bench_run.run(dataclasses.replace(options, only=("resident_profile",)))
    assert asked == ["suite"]  # a standard query alone: the peer is not run
