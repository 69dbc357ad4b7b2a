"""Changes made in the urban system directly (its own clients, its admin) are found by polling
its incremental feed, QueryChangedCases, by modification time. One poller per deployment: with a
shared store the workers elect a leader by a lease (SET NX PX, renewed by a compare-and-set), so
N workers on M replicas make one poll an interval, and another takes over within a lease when
the leader stops. The cursor is the system's own modification time, kept a little behind (its
clock is not ours); versions already in the feed are not published twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Protocol

import httpx

import adapters
from connectors.errors import GovGraphError
from connectors.resilience import BreakerState
from gateway.backends.request_base import URBAN
from gateway.backends.wiring import Backends, adapt
from gateway.state.case_feed import CaseChange, LocalCaseFeed
from gateway.state.shared import SharedState
from gateway.systems import SYSTEMS

log = logging.getLogger("govgraph.live")
CURSOR_SLACK = timedelta(seconds=5)
MAX_PAGES = 20
MAX_BACKOFF_S = 60.0
READINESS_PATH = next(s.readiness_path for s in SYSTEMS if s.key == "urban")
PROBE_TIMEOUT_S = 2.0

# KEYS: lease; ARGV: holder, lease ms
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""


class Leadership(Protocol):
    async def hold(self) -> bool: ...

    async def release(self) -> None: ...


class SoleLeader:
    """One process: it is the leader."""

    async def hold(self) -> bool:
        return True

    async def release(self) -> None:
        """Nothing held."""


class LeaseLeader:
    def __init__(self, shared: SharedState, lease_s: float) -> None:
        self.shared = shared
        self.key = shared.key("case-poller", "leader")
        self.holder = secrets.token_hex(8)
        self.lease_ms = int(lease_s * 1000)
        self._renew = shared.redis.register_script(RENEW)

    async def hold(self) -> bool:
        try:
            return bool(
                await self.shared.run(
                    self._renew(keys=[self.key], args=[self.holder, self.lease_ms])
                )
            )
        except GovGraphError:
            return False  # no store, no leader: nobody polls twice

    async def release(self) -> None:
        with contextlib.suppress(GovGraphError):
            if await self.shared.run(self.shared.redis.get(self.key)) == self.holder.encode():
                await self.shared.run(self.shared.redis.delete(self.key))


class CasePoller:
    def __init__(
        self,
        backends: Backends,
        feed: LocalCaseFeed,
        leadership: Leadership,
        interval_s: float,
        start: datetime,
    ) -> None:
        self.backends = backends
        self.feed = feed
        self.leadership = leadership
        self.interval_s = interval_s
        self.cursor = start - CURSOR_SLACK
        self.polls = 0
        self.published = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def aclose(self) -> None:
        """Stopped even if the cancellation lands in a call that turns it into an error."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=2.0)
        await self.leadership.release()

    async def _run(self) -> None:
        """Every interval while the system answers; while it does not, less and less often
        (up to a minute), and not while its breaker is open (it may probe a half-open one): it
        does not keep a failing system down, nor the breaker open for requests that share it."""
        failures = 0
        while not self._stopping:
            await asyncio.sleep(min(self.interval_s * 2**failures, MAX_BACKOFF_S))
            if self.backends.urban.backend.breaker.state is BreakerState.OPEN:
                continue
            if not await self.leadership.hold():
                continue
            # Not yet answering (a system still starting, or down): asked by a bare probe first,
            # which no breaker counts, so that background polling never opens the breaker that
            # the requests share.
            if (failures or not self.polls) and not await self._answers():
                failures = min(failures + 1, 10)
                continue
            try:
                await self.poll()
                failures = 0
            except GovGraphError as error:
                failures = min(failures + 1, 10)
                log.warning("case poller: %s", error.extensions.get("code"))

    async def _answers(self) -> bool:
        http = self.backends.urban.backend.http
        try:
            response = await http.get(READINESS_PATH, timeout=PROBE_TIMEOUT_S)
        except httpx.HTTPError:
            return False
        return response.status_code < 500

    async def poll(self) -> int:
        """One round: every case changed since the cursor, oldest change first."""
        self.polls += 1
        urban = self.backends.urban
        published = 0
        newest = self.cursor
        for page in range(1, MAX_PAGES + 1):
            found = await urban.changed_cases(self.cursor, page=page)
            cases = adapt(URBAN, "QueryChangedCases", adapters.urban_case_from_urban, found.items)
            for case in cases:
                if case.modified_at is not None:
                    newest = max(newest, case.modified_at)
                if case.version and await self.feed.publish(CaseChange.of(case)):
                    published += 1
            if page * 100 >= found.total:
                break
        self.cursor = max(self.cursor, newest - CURSOR_SLACK)
        self.published += published
        return published
