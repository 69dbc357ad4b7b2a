"""What `govgraph bench` measures besides time: the gateway's profile per standard query
(`--profile`) and the growth of its memory while a load runs."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from bench.harness import (
    PEER_PART,
    QUERIES,
    UNLIMITED,
    Options,
    gateway_env,
    headers_for,
    load,
)
from bench.peer_stack import peer_query_variables
from bench.processes import running_stack

PEER_QUERY = "legal_application"


class PeakMemory:
    """The gateway's resident memory sampled every 10 ms while a load runs: its growth."""

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.growth = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakMemory:
        self._base = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.growth = max(self.growth, self.process.memory_info().rss - self._base)

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def profile_suite(
    options: Options, specs: Callable[[Any], dict[str, dict[str, Any]]]
) -> dict[str, Any]:
    """Each standard query and the peer query, warmed, then `requests` times at concurrency 1 with its name in
    X-Profile-As: the gateway writes one call tree and one flame graph a query on shutdown."""
    assert options.profile_dir is not None
    directory = options.profile_dir.resolve()
    env = gateway_env(False, GOVGRAPH_PROFILE_DIR=str(directory))
    profiled = []
    with (
        tempfile.TemporaryDirectory() as work,
        running_stack(
            Path(work), latency_ms=options.latency_ms, gateway_env=env, legal_rps=UNLIMITED
        ) as stack,
    ):
        url = f"{stack.gateway_url}/graphql"
        asked = dict(specs(stack))
        only = {PEER_QUERY if name == PEER_PART else name for name in options.only}
        if not only or PEER_QUERY in only:
            # the query the peer is compared on, though not a standard one
            legal = stack.mock_urls["legal"]
            asked[PEER_QUERY] = {"variables": peer_query_variables(legal), "role": "legal_aid"}
        for name, spec in asked.items():
            if only and name not in only:
                continue
            query = (QUERIES / f"{name}.graphql").read_text(encoding="utf-8")
            body = {"query": query, "variables": spec["variables"]}
            headers = headers_for(spec["role"])
            mutation = "mutation " in query
            for _ in range(2):
                load(url, body, headers, 1, 1, mutation)
            load(url, body, {**headers, "X-Profile-As": name}, options.requests, 1, mutation)
            profiled.append(name)
    return {"profiles": {name: str(directory / f"{name}.txt") for name in profiled}}
