"""What the legacy systems allow a query on this machine: the backend calls the gateway makes
for it, sent again straight to the mocks by a client with no gateway in between.

The nominal floor (`bench.floor`) multiplies the set latency by the waves the in-flight cap
forces. No client reaches it: each wave waits for the slowest of its calls (the mocks add
jitter), and a mock serves the ten calls of a wave one after another on its own event loop.
The replay measures that instead. A gateway is recorded answering the query once, in this
process with the running gateway's settings. Its calls are then grouped into the query's
dependency levels (`expected.json`), and each level is sent again at once under the same cap
per system: first as one client, then as `concurrency` clients sharing the caps. The replay
makes no GraphQL, access or adaptation work, only the HTTP: its p50 is what these calls cost at
these mocks when nothing else does. It is not a hard floor. A gateway that shares identical
calls between clients (ten dashboards at once) comes in under the ten direct clients, which
share nothing; and calls sent all at once queue at the mocks more than calls spread out.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from typing import Any

import httpx
import uvloop

from bench.harness import CAP, NO_POLLER, SYSTEMS, gateway_env
from connectors.transport import LegacyTransport
from gateway.http.app import create_app
from gateway.settings import Settings


@dataclass
class Call:
    system: str  # as the levels name it: "urban-management", ...
    request: httpx.Request
    started: float
    status: int = 0
    answer_bytes: int = 0


class Recorder(httpx.AsyncBaseTransport):
    """Passes each call on, and keeps it (its body read) while `calls` is a list."""

    def __init__(self, system: str, inner: httpx.AsyncBaseTransport) -> None:
        self.system = system
        self.inner = inner
        self.calls: list[Call] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.calls is None:
            return await self.inner.handle_async_request(request)
        await request.aread()
        call = Call(self.system, request, time.perf_counter())
        self.calls.append(call)
        reply = await self.inner.handle_async_request(request)
        call.status, call.answer_bytes = reply.status_code, len(reply.content)
        return reply

    async def aclose(self) -> None:
        await self.inner.aclose()


def gateway_settings(mock_urls: dict[str, str], audit_path: str) -> Settings:
    urls = {f"GOVGRAPH_{key.upper()}_URL": url for key, url in mock_urls.items()}
    return Settings.load(gateway_env(False, **NO_POLLER, **urls, GOVGRAPH_AUDIT_PATH=audit_path))


async def record(
    mock_urls: dict[str, str], body: dict[str, Any], headers: dict[str, str]
) -> list[Call]:
    """The calls of one warm request (sessions, tokens and reference caches filled by two
    before it), in the order they were sent."""
    recorders = {
        key: Recorder(SYSTEMS[key], LegacyTransport(CAP * 2)) for key in mock_urls if key in SYSTEMS
    }
    with tempfile.TemporaryDirectory() as work:
        app = create_app(gateway_settings(mock_urls, f"{work}/audit.log"), transports=recorders)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app), base_url="http://bench"
            ) as client,
        ):
            for _ in range(2):
                (await client.post("/graphql", json=body, headers=headers)).raise_for_status()
            calls: list[Call] = []
            for recorder in recorders.values():
                recorder.calls = calls
            (await client.post("/graphql", json=body, headers=headers)).raise_for_status()
            for recorder in recorders.values():
                recorder.calls = None
    return sorted(calls, key=lambda call: call.started)


def by_level(calls: list[Call], levels: list[dict[str, int]]) -> list[list[Call]] | None:
    """Each level's calls: per system, the next as many as the level names, in the order sent.
    None when the gateway made other calls than the levels count (the replay would not be
    the query's minimum)."""
    left = {
        system: [c for c in calls if c.system == system] for system in {c.system for c in calls}
    }
    grouped: list[list[Call]] = []
    for level in levels:
        group: list[Call] = []
        for system, count in level.items():
            mine = left.get(system, [])
            if len(mine) < count:
                return None
            group += mine[:count]
            left[system] = mine[count:]
        grouped.append(group)
    return grouped if not any(left.values()) else None


async def _replay_once(
    levels: list[list[Call]],
    transports: dict[str, LegacyTransport],
    caps: dict[str, asyncio.Semaphore],
) -> float:
    async def send(call: Call) -> None:
        async with caps[call.system]:
            reply = await transports[call.system].handle_async_request(call.request)
        # The same answer again, not a refusal (a stale signature, a spent token) that is quick.
        if reply.status_code != call.status or len(reply.content) < 0.8 * call.answer_bytes:
            raise RuntimeError(f"a replayed {call.system} call was answered differently")

    started = time.perf_counter()
    for level in levels:
        await asyncio.gather(*(send(call) for call in level))
    return (time.perf_counter() - started) * 1000


async def replay(
    levels: list[list[Call]], requests: int, concurrency: int, requests_c1: int | None = None
) -> dict[str, float]:
    """p50 of the replay as one client (`requests_c1` times, else `requests`), and as
    `concurrency` clients sharing each cap."""
    systems = {call.system for level in levels for call in level}
    transports = {system: LegacyTransport(CAP * 2) for system in systems}
    try:
        caps = {system: asyncio.Semaphore(CAP) for system in systems}
        for _ in range(2):
            await _replay_once(levels, transports, caps)
        alone = [
            await _replay_once(levels, transports, caps) for _ in range(requests_c1 or requests)
        ]

        async def client(times: list[float]) -> None:
            # The clients start together: each one's first replay is left out, as the load
            # generator leaves out each client's first request.
            await _replay_once(levels, transports, caps)
            for _ in range(max(1, requests // concurrency)):
                times.append(await _replay_once(levels, transports, caps))

        shared: list[float] = []
        await asyncio.gather(*(client(shared) for _ in range(concurrency)))
    finally:
        for transport in transports.values():
            await transport.aclose()
    return {
        "p50_ms_c1": round(statistics.median(alone), 1),
        f"p50_ms_c{concurrency}": round(statistics.median(shared), 1),
    }


def add_direct_floor(
    result: dict[str, Any],
    mock_urls: dict[str, str],
    body: dict[str, Any],
    headers: dict[str, str],
    levels: list[dict[str, int]],
    requests: int,
    concurrency: int,
    requests_c1: int,
) -> None:
    """The direct client's p50s into a query's result, and the gateway's p50 over them."""

    async def measure() -> dict[str, float] | None:
        grouped = by_level(await record(mock_urls, body, headers), levels)
        return (
            None if grouped is None else await replay(grouped, requests, concurrency, requests_c1)
        )

    direct = uvloop.run(measure())
    result["direct_p50_ms"] = direct
    for clients in (1, concurrency):
        floor = (direct or {}).get(f"p50_ms_c{clients}")
        point = result[f"c{clients}"]
        point["p50_over_direct"] = round(point["p50_ms"] / floor, 2) if floor else None
