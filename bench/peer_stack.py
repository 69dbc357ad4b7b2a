"""The peer's stack: a govgraph stack with Hive Gateway serving GraphQL Mesh's composition of
the legal-aid OpenAPI beside it, on the same legal-aid mock."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.harness import (
    COMMUNITY,
    NO_POLLER,
    PEERS,
    QUERIES,
    UNLIMITED,
    gateway_env,
    headers_for,
)
from bench.processes import Stack, free_port, running_stack, wait_until_up
from gateway.settings import Settings
from schema.relay import global_id

PEER_NOTE = (
    "Hive Gateway 2.15.1 + GraphQL Mesh (@omnigraph/openapi 0.112.4); in-flight deduplication off "
    "on both sides (the peer's inbound and outbound, govgraph's coalescing of identical backend "
    "calls); the legal-aid system's rate limit lifted so that it binds neither"
)

# a request as the load generator sends it: URL, JSON body, headers
Side = tuple[str, dict[str, Any], dict[str, str]]


@dataclass
class PeerStack:
    stack: Stack
    peer_url: str  # the peer's /graphql
    peer_group: int  # the process group the peer's processes run in
    bearer: str  # a legal-aid token, for the peer's and the direct calls
    code: str  # an application's record code in the demo community

    @property
    def legal_url(self) -> str:
        return self.stack.mock_urls["legal"]

    def peer_processes(self) -> list[psutil.Process]:
        return [
            process
            for process in psutil.process_iter(["pid"])
            if _group_of(process.info["pid"]) == self.peer_group
        ]


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except (ProcessLookupError, PermissionError):
        return None


def peer_installed() -> bool:
    return (PEERS / "node_modules" / ".bin" / "hive-gateway").exists()


@contextlib.contextmanager
def running_peer(latency_ms: float) -> Iterator[PeerStack]:
    # no case poller: the peer has none, and a poll inside the counted request would be ours
    env = gateway_env(False, GOVGRAPH_COALESCE_IN_FLIGHT="false", **NO_POLLER)
    with (
        tempfile.TemporaryDirectory() as work,
        running_stack(
            Path(work), latency_ms=latency_ms, gateway_env=env, legal_rps=UNLIMITED
        ) as stack,
        contextlib.ExitStack() as processes,
    ):
        legal = stack.mock_urls["legal"]
        supergraph = Path(work) / "supergraph.graphql"
        subprocess.run(
            ["npx", "mesh-compose", "-o", str(supergraph)],
            cwd=PEERS,
            env={**os.environ, "LEGAL_URL": legal},
            check=True,
            capture_output=True,
            timeout=300,
        )
        port = free_port()
        serve = ["npx", "hive-gateway", "supergraph", str(supergraph), "--port", str(port)]
        # npx starts node as its child: the peer runs in a process group of its own, and the
        # whole group is stopped afterwards, or node outlives the benchmark.
        hive = subprocess.Popen(
            [*serve, "--host", "127.0.0.1"],
            cwd=PEERS,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.callback(stop_group, hive)
        wait_until_up(f"http://127.0.0.1:{port}/healthcheck", hive)
        bearer = legal_bearer(legal)
        yield PeerStack(
            stack=stack,
            peer_url=f"http://127.0.0.1:{port}/graphql",
            peer_group=hive.pid,
            bearer=bearer,
            code=application_code(legal, bearer),
        )


def stop_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


def legal_bearer(legal_url: str) -> str:
    """A token from the legal-aid system, as govgraph's connector gets one."""
    answer = httpx.post(
        f"{legal_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "govgraph",
            "client_secret": Settings().legal_client_secret,
        },
        timeout=10,
    )
    return str(answer.json()["access_token"])


def peer_query_variables(legal_url: str) -> dict[str, str]:
    """govgraph's variables for the peer query: an application of the demo community by id."""
    code = application_code(legal_url, legal_bearer(legal_url))
    return {"id": global_id("LegalAidCase", code)}


def application_code(legal_url: str, bearer: str) -> str:
    page = httpx.get(
        f"{legal_url}/api/v1/applications",
        params={"case_area_id": COMMUNITY, "limit": "1"},
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=10,
    ).json()
    return str(page["items"][0]["record_code"])


def sides_of(peer: PeerStack, ours_name: str, peer_name: str) -> dict[str, Side]:
    """Each gateway's request for one shared query: its URL, body and headers."""
    variables = {
        "legal_application": {"id": global_id("LegalAidCase", peer.code)},
        "legal_community": {"area": COMMUNITY},
        "peer_legal_application": {"code": peer.code},
        "peer_legal_community": {"area": COMMUNITY},
    }
    asked = (
        ("govgraph", f"{peer.stack.gateway_url}/graphql", ours_name, headers_for("legal_aid")),
        ("peer", peer.peer_url, peer_name, {"Authorization": f"Bearer {peer.bearer}"}),
    )
    return {
        label: (
            url,
            {
                "query": (QUERIES / f"{name}.graphql").read_text(encoding="utf-8"),
                "variables": variables[name],
            },
            headers,
        )
        for label, url, name, headers in asked
    }


def side_processes(peer: PeerStack) -> dict[str, list[psutil.Process]]:
    """The processes whose CPU each side spends: the gateway's, the peer's whole process group;
    none for the direct call, whose only process is the legal-aid system's."""
    return {
        "govgraph": [psutil.Process(peer.stack.gateway_pid)],
        "peer": peer.peer_processes(),
        "direct": [],
    }


def direct_side(peer: PeerStack) -> Side:
    """The same application straight from the legal-aid system: what neither gateway adds."""
    return (
        f"{peer.legal_url}/api/v1/applications/{peer.code}",
        {},
        {"Authorization": f"Bearer {peer.bearer}"},
    )
