"""A mock's latency runs from when a request's first bytes were read off the socket, not from
when the process got round to it: ten calls arriving together are each answered the set
latency after they arrived, as a real system of that response time would answer them."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import Receive, Scope, Send

import mocks.harness as harness
from gateway.testing.servers import BackgroundServers
from mocks.arrival import ARRIVED, ArrivalStampedProtocol, arrived_at
from mocks.harness import Harness, MockIdentity


async def _stamps(scope: Scope, receive: Receive, send: Send) -> None:
    started = time.perf_counter()
    extensions = scope.get("extensions") or {}
    body = {"stamped": ARRIVED in extensions, "arrived": arrived_at(scope), "started": started}
    await JSONResponse(body)(scope, receive, send)


def test_each_request_served_over_a_socket_carries_when_it_arrived() -> None:
    servers = BackgroundServers({"mock": _stamps}, http=ArrivalStampedProtocol).start()
    try:
        with httpx.Client(base_url=servers.urls["mock"]) as client:
            for _ in range(3):  # a kept-alive connection's later requests are stamped anew
                seen = client.get("/").json()
                assert seen["stamped"] is True
                assert seen["arrived"] <= seen["started"]
    finally:
        servers.stop()


def test_a_request_that_came_another_way_counts_from_now() -> None:
    before = time.perf_counter()
    assert before <= arrived_at({"type": "http"}) <= time.perf_counter()


async def test_the_answer_is_due_the_latency_after_arrival(monkeypatch: pytest.MonkeyPatch) -> None:
    dues: list[float] = []

    async def until(due: float) -> None:
        dues.append(due)

    monkeypatch.setattr(harness, "_until", until)
    identity = MockIdentity("test", "/", "", {})
    mock = Harness(identity, lambda scope: "op", lambda: PlainTextResponse("", 500))
    mock.wrap(PlainTextResponse("ok"))
    mock.faults.latency_ms = 20.0
    arrived = time.perf_counter() - 5.0  # five seconds in the queue, say
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/x",
        "raw_path": b"/x",
        "query_string": b"",
        "headers": [],
        "extensions": {ARRIVED: {"at": arrived}},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await mock(scope, receive, send)
    assert dues == [arrived + 0.020]
    assert sent[0]["status"] == 200
    # the journal's time for the call is its whole time at the system, the wait included
    assert mock.journal.recent[-1]["duration_ms"] >= 5000
