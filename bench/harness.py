"""What every benchmark part shares: the options, the standard places and identifiers, the
callers' tokens, the mocks' journals and the load generator run in its own process."""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gateway.access.auth import Role, mint_token
from gateway.settings import Settings

HERE = Path(__file__).parent
QUERIES = HERE / "queries"
PEERS = HERE / "peers"
GRID = "320213001001001"
COMMUNITY = "320213001001"
CAP = 10
# The mocks' jitter as a share of their latency: each call takes the latency ± this, uniformly.
JITTER_SHARE = 0.25


# `--only peer`: the peer side by side and nothing else (its overhead at concurrency 1 moves
# from run to run, and a full run takes half an hour); with `--profile`, the peer query.
PEER_PART = "peer"


@dataclass
class Options:
    quick: bool
    latency_ms: float
    concurrency: int
    requests: int
    json_path: Path | None
    markdown_path: Path | None
    peer: bool
    only: tuple[str, ...] = ()  # just these standard queries (or PEER_PART), nothing else
    profile_dir: Path | None = None  # profile the standard queries into it, and nothing else


# A p50 of 20 requests moved by 2–5 ms between runs of the same code, as the mocks draw each
# call's latency: a query gets as many requests as fit in a few seconds of its floor at that
# concurrency (the shared floor at N, each of the N clients sending one after another), at least
# `requests` and at most MOST_REQUESTS a client. At concurrency 10, 30 requests were three waves,
# and their median moved by a tenth between runs.
SECONDS_PER_POINT = 6.0
MOST_REQUESTS = {1: 200}
MOST_PER_CLIENT = 30


def requests_at(options: Options, floor_ms: float, concurrency: int = 1) -> int:
    if options.quick:
        return options.requests
    most = MOST_REQUESTS.get(concurrency, MOST_PER_CLIENT * concurrency)
    fitting = int(SECONDS_PER_POINT * 1000 / max(floor_ms, 30.0)) * concurrency
    return max(options.requests, min(most, fitting))


def lift_engagement_quota(mock_urls: dict[str, str]) -> None:
    """The engagement platform's 3,000 calls a minute would bind at concurrency 1, where a query
    of 30 calls is sent a hundred times in a few seconds: lifted, as the legal-aid pace is, so
    that the gateway's time is measured and not the platform's minute."""
    answer = httpx.post(
        f"{mock_urls['engage']}/__admin/quota", json={"per_minute": 0, "daily": 0}, timeout=10
    )
    answer.raise_for_status()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def token(role: str, **claims: Any) -> str:
    s = Settings()
    return mint_token(
        s.jwt_secret,
        issuer=s.jwt_issuer,
        audience=s.jwt_audience,
        role=Role(role),
        subject=f"bench-{role}",
        **claims,
    )


def headers_for(role: str) -> dict[str, str]:
    if role == "public":
        return {}
    claims: dict[str, Any] = {"grids": [GRID]} if role == "grid_worker" else {}
    headers = {"Authorization": f"Bearer {token(role, **claims)}"}
    if role in ("civil_affairs", "legal_aid"):
        headers["X-Purpose"] = "benchmark"
    return headers


def journals(stack: Any) -> dict[str, int]:
    return {
        name: httpx.get(f"{url}/__admin/requests", timeout=10).json()["total"]
        for name, url in stack.mock_urls.items()
    }


SYSTEMS = {
    "urban": "urban-management",
    "civil": "civil-affairs",
    "legal": "legal-aid",
    "engage": "engagement",
}


def call_durations(mock_url: str, since: float) -> list[float]:
    """How long a mock took over each call it answered since `since` (its drawn latency and its
    own work), in the order it answered them; its journal keeps the last 500."""
    recent = httpx.get(f"{mock_url}/__admin/requests", timeout=10).json()["recent"]
    return [call["duration_ms"] for call in recent if call["at"] >= since]


def service_times(stack: Any, since: float) -> dict[str, float]:
    """Each system's median time per call since `since`, measured inside the mock (its set
    latency and jitter, and its own work): what a wave of calls takes at best."""
    times: dict[str, float] = {}
    for name, url in stack.mock_urls.items():
        durations = call_durations(url, since)
        if durations:
            times[SYSTEMS[name]] = round(statistics.median(durations), 1)
    return times


LIFTED_LIMITS = {
    "GOVGRAPH_RATE_USER_REQUESTS_PER_MINUTE": "100000000",
    "GOVGRAPH_RATE_USER_COST_PER_MINUTE": "100000000000",
    "GOVGRAPH_RATE_PUBLIC_REQUESTS_PER_MINUTE": "100000000",
    "GOVGRAPH_RATE_PUBLIC_COST_PER_MINUTE": "100000000000",
}
UNLIMITED = 1_000_000.0
# The live-updates poller asks the urban system every few seconds whatever the load: a poll
# inside a measured request would be counted as the query's.
NO_POLLER = {"GOVGRAPH_CASE_POLL_INTERVAL_S": "0"}


def gateway_env(legal_limit: bool, **more: str) -> dict[str, str]:
    """A benchmarked gateway's settings: the client limits lifted, the in-flight cap of the
    floor, and the legal-aid pace lifted unless `legal_limit` is what is measured; then `more`."""
    env = {**LIFTED_LIMITS, "GOVGRAPH_MAX_IN_FLIGHT": str(CAP)}
    if not legal_limit:
        env["GOVGRAPH_LEGAL_RATE_LIMIT_RPS"] = str(UNLIMITED)
    return {**env, **more}


def load(
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
    requests: int,
    concurrency: int,
    mutation: bool,
    method: str = "POST",
    warm_up: int = 0,
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump(
            {"url": url, "body": body, "headers": headers, "mutation": mutation, "method": method},
            spec,
        )
    try:
        output = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.loadgen",
                spec.name,
                "--requests",
                str(requests),
                "--concurrency",
                str(concurrency),
                "--warm-up",
                str(warm_up),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        ).stdout
    finally:
        os.unlink(spec.name)
    result: dict[str, Any] = json.loads(output)
    return result


def resident_with_legal_aid(gateway_url: str) -> str:
    query = (
        '{ cases(filter: {kind: LEGAL_AID, community: "%s"}, first: 20) { edges { node { ... on LegalAidCase { applicant { resident { idNumber } } } } } } }'
        % COMMUNITY
    )
    body = httpx.post(
        f"{gateway_url}/graphql",
        json={"query": query},
        headers=headers_for("legal_aid"),
        timeout=30,
    ).json()
    for edge in body["data"]["cases"]["edges"]:
        resident = edge["node"]["applicant"]["resident"]
        if resident:
            return str(resident["idNumber"])
    raise RuntimeError("no applicant who is a resident")
