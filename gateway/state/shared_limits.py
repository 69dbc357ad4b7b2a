"""Protection of the legacy systems across all workers and replicas: one in-flight cap per
backend (a lease-based semaphore: a place is a member of a sorted set scored by its lease's end,
so a killed worker's places free themselves when their leases run out) and legal aid's pace as
one budget (a GCRA on the shared store: each attempt reserves the next time slot).

If the store fails, each worker falls back to its local share (`fallback_share` of the cap, and
its own pacer at the same share of the rate), logged and counted in
`govgraph_state_fallbacks_total`, and uses the shared ones again once the store answers.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable

from connectors.errors import StateUnavailableError
from gateway.state.shared import SharedState

LOG = logging.getLogger("govgraph.state")

ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
"""

RESERVE = """
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local now, interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if tat < now then tat = now end
local nxt = tat + interval
redis.call('SET', KEYS[1], tostring(nxt), 'PX', ARGV[4])
local wait = nxt - now - burst * interval
if wait < 0 then return '0' end
return tostring(wait)
"""


class SharedSlots:
    def __init__(
        self,
        state: SharedState,
        cap: int,
        lease_s: float,
        fallback_share: int,
        on_fallback: Callable[[str], None] = lambda what: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = state
        self.cap = cap
        self.lease_s = lease_s
        self.clock = clock
        self.on_fallback = on_fallback
        self._acquire = state.redis.register_script(ACQUIRE)
        self._local: dict[str, asyncio.Semaphore] = {}
        self._share = max(1, fallback_share)

    async def acquire(self, backend: str) -> str:
        key = self.state.key("inflight", backend)
        token = uuid.uuid4().hex
        pause = 0.002
        while True:
            now = self.clock()
            try:
                got = await self.state.run(
                    self._acquire(
                        keys=[key],
                        args=[now, self.cap, now + self.lease_s, token, int(self.lease_s * 2000)],
                    )
                )
            except StateUnavailableError:
                self.on_fallback("in_flight")
                await self._local_semaphore(backend).acquire()
                return "local:" + token
            if got:
                return token
            await asyncio.sleep(pause * (1 + random.random()))
            pause = min(0.05, pause * 2)

    async def release(self, backend: str, token: str) -> None:
        if token.startswith("local:"):
            self._local_semaphore(backend).release()
            return
        try:
            await self.state.run(self.state.redis.zrem(self.state.key("inflight", backend), token))
        except StateUnavailableError:
            self.on_fallback("in_flight")  # the lease frees the place when it runs out

    def _local_semaphore(self, backend: str) -> asyncio.Semaphore:
        found = self._local.get(backend)
        if found is None:
            found = self._local[backend] = asyncio.Semaphore(self._share)
        return found


class SharedPace:
    """One pace for a system across every process: `rate` attempts a second, bursts of
    `burst`; the local pacer stands in while the store is away."""

    def __init__(
        self,
        state: SharedState,
        name: str,
        rate: float,
        burst: float,
        local: Callable[[], Awaitable[None]],
        on_fallback: Callable[[str], None] = lambda what: None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.state = state
        self.sleep = sleep
        self.key = state.key("pace", name)
        self.interval = 1.0 / rate
        self.burst = burst
        self.local = local
        self.on_fallback = on_fallback
        self.clock = clock
        self._reserve = state.redis.register_script(RESERVE)

    async def acquire(self) -> None:
        try:
            wait = await self.state.run(
                self._reserve(
                    keys=[self.key],
                    args=[self.clock(), self.interval, self.burst, 60_000],
                )
            )
        except StateUnavailableError:
            self.on_fallback("pace")
            await self.local()
            return
        seconds = float(wait)
        if seconds > 0:
            await self.sleep(seconds)
