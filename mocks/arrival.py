"""When a request reached a mock: the moment its first bytes were read off the socket, before it
waited for the process to get round to it.

The set latency is a system's response time as its callers see it. All four mocks run in one
Python process, on the same cores as the gateway and its clients, and ten calls arriving at once
are served one after another: timed from when the application got to each, the tenth was held
for the latency after its wait, and answered up to the other nine's work late, which no real
system of that latency would be (the grid dashboard's SOAP calls, set to 20 ms, took 21.5 ms at
the median and 24.8 at p90 as the gateway saw them). Timed from arrival, a call waits in the
queue within its latency, as a real system's does."""

from __future__ import annotations

import time

from starlette.types import Scope
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

ARRIVED = "mocks.arrival"


class ArrivalStampedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, noting in each request's scope when it began to arrive."""

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.scope["extensions"] = {ARRIVED: {"at": time.perf_counter()}}


def arrived_at(scope: Scope) -> float:
    """When the request began to arrive (its first bytes read), or now if it came another way."""
    arrived = (scope.get("extensions") or {}).get(ARRIVED) or {}
    at = arrived.get("at")
    return at if isinstance(at, float) else time.perf_counter()
