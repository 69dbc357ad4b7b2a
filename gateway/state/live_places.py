"""The places a client may hold for live updates (`live_connections_per_client`): sockets and
streams over HTTP together, whichever worker or replica each is on.

Kept in process with one worker, or on the shared store (`state_url`): counted per worker, a
client could hold the limit on every worker of every replica (four workers on three replicas: 60
connections where the setting says 5). On the store each client has a sorted set of its places,
each scored with the end of its lease; a claim drops ended leases and adds one only while the
client holds fewer than the limit, in one script, so two workers cannot both take the last
place. Each worker renews the leases of the places it holds (every third of a lease); a worker
that dies without giving its places back loses them when their leases end. If the store fails,
the worker's own count, of its share of the limit, stands in until it is back, as for the
other shared limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from connectors.errors import StateUnavailableError
from gateway.state.shared import SharedState

LEASE_S = 30.0

# KEYS[1] the client's places; ARGV: now (ms), limit, lease (ms), the new place
CLAIM = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""


@dataclass(frozen=True, slots=True)
class Place:
    client: str
    token: str
    shared: bool  # held on the store (else in this worker's own count)


class LivePlaces(Protocol):
    async def claim(self, client: str) -> Place | None: ...

    async def let_go(self, place: Place) -> None: ...

    async def aclose(self) -> None: ...


class LocalLivePlaces:
    """One process's count of each client's places."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: Counter[str] = Counter()

    async def claim(self, client: str) -> Place | None:
        if self._held[client] >= self.limit:
            return None
        self._held[client] += 1
        return Place(client, "", shared=False)

    async def let_go(self, place: Place) -> None:
        self._held[place.client] -= 1
        if self._held[place.client] <= 0:
            del self._held[place.client]

    async def aclose(self) -> None:
        self._held.clear()


class SharedLivePlaces:
    def __init__(
        self,
        state: SharedState,
        limit: int,
        lease_s: float = LEASE_S,
        workers: int = 1,
        on_fallback: Callable[[str], None] = lambda what: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = state
        self.limit = limit
        self.lease_ms = int(lease_s * 1000)
        self.on_fallback = on_fallback
        self.clock = clock
        # while the store is away, each worker its own share, as for the other shared limits
        self.local = LocalLivePlaces(max(1, limit // max(1, workers)))
        self._claim = state.redis.register_script(CLAIM)
        self._mine: dict[str, set[str]] = {}  # the places this worker holds on the store
        self._renewing: asyncio.Task[None] | None = None

    def _key(self, client: str) -> str:
        return self.state.key("live-places", client)

    async def claim(self, client: str) -> Place | None:
        token = secrets.token_hex(8)
        now_ms = int(self.clock() * 1000)
        try:
            taken = await self.state.run(
                self._claim(
                    keys=[self._key(client)], args=[now_ms, self.limit, self.lease_ms, token]
                )
            )
        except StateUnavailableError:
            self.on_fallback("live_places")
            return await self.local.claim(client)
        if not taken:
            return None
        self._mine.setdefault(client, set()).add(token)
        if self._renewing is None or self._renewing.done():
            self._renewing = asyncio.create_task(self._renew_while_held())
        return Place(client, token, shared=True)

    async def let_go(self, place: Place) -> None:
        if not place.shared:
            await self.local.let_go(place)
            return
        tokens = self._mine.get(place.client, set())
        tokens.discard(place.token)
        if not tokens:
            self._mine.pop(place.client, None)
        with contextlib.suppress(StateUnavailableError):  # its lease ends it either way
            await self.state.run(self.state.redis.zrem(self._key(place.client), place.token))

    async def renew(self) -> None:
        """Every place this worker holds, its lease begun afresh."""
        until = int(self.clock() * 1000) + self.lease_ms
        pipe = self.state.redis.pipeline(transaction=False)
        for client, tokens in self._mine.items():
            key = self._key(client)
            pipe.zadd(key, dict.fromkeys(tokens, until), xx=True)
            pipe.pexpire(key, self.lease_ms)
        try:
            await self.state.run(pipe.execute())
        except StateUnavailableError:
            self.on_fallback("live_places")

    async def _renew_while_held(self) -> None:
        while self._mine:
            await asyncio.sleep(self.lease_ms / 3000)
            await self.renew()

    async def aclose(self) -> None:
        if self._renewing is not None:
            self._renewing.cancel()
            await asyncio.gather(self._renewing, return_exceptions=True)
