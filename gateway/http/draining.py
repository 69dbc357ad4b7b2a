"""A server's graceful shutdown, told to the responses that would otherwise outlast it.

On SIGTERM uvicorn stops listening, closes idle connections, closes sockets with 1012 (service
restart, which graphql-ws clients take as a cue to connect again) and waits for responses in
flight. A live stream over HTTP never ends by itself, so it held the process for the whole grace
period and was then cut off mid-body. uvicorn tells each connection's protocol (`shutdown()`);
the gateway's protocol (`gateway.http.one_write`) passes that on through the app's lifespan
state to a `Draining`, which each stream watches (`gateway.http.live_streams`): it ends at once,
cleanly, so that its client connects again, to a worker or replica that is up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

# the key of the app's lifespan state under which uvicorn's protocols find it
STATE_KEY = "govgraph.draining"


class Draining:
    """Set once the server has begun to shut down; streams wait on it beside their events."""

    def __init__(self) -> None:
        self._event = asyncio.Event()  # bound to the serving loop when first waited on

    @property
    def started(self) -> bool:
        return self._event.is_set()

    def begin(self) -> None:
        self._event.set()

    async def wait(self) -> None:
        await self._event.wait()


def begin_draining(app_state: Mapping[str, object]) -> None:
    """From a connection's `shutdown()` (each open connection calls it): the app's `Draining`
    begun."""
    draining = app_state.get(STATE_KEY)
    if isinstance(draining, Draining):
        draining.begin()
