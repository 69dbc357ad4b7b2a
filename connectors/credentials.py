"""Short-lived credentials shared by a connector's callers: one refresh at a time, the others
waiting for it, and a token dropped when the system calls it stale."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class SingleFlight:
    """At most one refresh of a credential at a time; concurrent callers share its result."""

    def __init__(self) -> None:
        self._task: asyncio.Future[str] | None = None

    async def run(self, fetch: Callable[[], Awaitable[str]]) -> str:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(fetch())
        return await asyncio.shield(self._task)


class AccessToken:
    """A short-lived credential: kept until a margin before it dies, fetched by one caller while
    the others wait for it, and dropped when the system calls it stale."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[tuple[str, int]]],
        margin_s: float,
        clock: Callable[[], float],
    ) -> None:
        self._fetch = fetch
        self.margin_s = margin_s
        self.clock = clock
        self._token: tuple[str, float] | None = None
        self._refresh = SingleFlight()
        self.fetched = 0

    async def _fetched(self) -> str:
        token, lifetime = await self._fetch()
        self.fetched += 1
        # Refreshed a little before expiry, so no call carries a token that dies on the way.
        self._token = (token, self.clock() + max(1.0, lifetime - self.margin_s))
        return token

    async def get(self) -> str:
        if self._token is not None and self._token[1] > self.clock():
            return self._token[0]
        return await self._refresh.run(self._fetched)

    def stale(self, token: str) -> None:
        """The system refused `token`: the next call fetches another (unless one already did)."""
        if self._token is not None and self._token[0] == token:
            self._token = None
