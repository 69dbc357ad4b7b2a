"""The feed of case changes that live subscriptions listen to.

A change is a reference (number, version, grid, departments, stage), never the case's personal
fields: each subscriber reads the case again through its own scope. Each (number, version)
enters the feed once, whoever saw it first (the worker that made the change, or the poller that
found one made in the legacy system); subscribers also drop a version they have seen.

In one process the feed is a fan-out to local queues. With a shared store it is a Redis stream:
a version is admitted by a compare-and-set and appended in the same script, and every worker
of every replica reads the stream and fans out to its own subscribers, so a subscriber on any
replica sees each change once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from collections import deque
from collections.abc import AsyncGenerator, Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import redis.asyncio as aioredis
from cachetools import LRUCache
from redis.exceptions import RedisError

import adapters

log = logging.getLogger("govgraph.live")
QUEUE_SIZE = 256
KNOWN_VERSIONS = 100_000
# A subscriber that comes back (`Last-Event-ID`) is first given what it missed, if it was away
# no longer than a restart takes, up to this many changes (of all grids): each one it follows
# is read again, so an old position must not cost a backend call per change of the day.
REPLAY_MAX = 1_000
REPLAY_WINDOW_MS = 300_000
CLOCK_SKEW_MS = 60_000
# A change's place in the feed, as Redis numbers stream entries: milliseconds, then a sequence.
POSITION = re.compile(r"\d{1,15}-\d{1,15}")


def order(position: str) -> tuple[int, int]:
    milliseconds, _, sequence = position.partition("-")
    return int(milliseconds), int(sequence or 0)


@dataclass(frozen=True, slots=True)
class CaseChange:
    number: str
    version: int
    grid_code: str
    department_code: str
    co_departments: tuple[str, ...]
    stage: str
    # where the change stands in the feed, given when it is delivered (not part of its identity)
    position: str = field(default="", compare=False)

    @classmethod
    def of(cls, case: adapters.UrbanCase) -> CaseChange:
        return cls(
            case.number,
            case.version,
            case.grid_code,
            case.department_code,
            case.co_departments,
            case.status_label,
        )

    def concerns_department(self, code: str) -> bool:
        return code == self.department_code or code in self.co_departments


def _recent_enough(position: str) -> bool:
    """A position of the last few minutes (by its milliseconds), not one from the future: an
    id that no stream gave could otherwise hold back every change until its time."""
    if not POSITION.fullmatch(position):
        return False
    now_ms = int(time.time() * 1000)
    return now_ms - REPLAY_WINDOW_MS <= order(position)[0] <= now_ms + CLOCK_SKEW_MS


class LocalCaseFeed:
    """Fan-out to this process's subscribers."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[CaseChange | None]] = set()
        self._versions: LRUCache[str, int] = LRUCache(maxsize=KNOWN_VERSIONS)
        self._recent: deque[CaseChange] = deque(maxlen=REPLAY_MAX)
        self._sequence = itertools.count()
        self._last_ms = 0

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    async def start(self) -> None:
        """Nothing to start in one process."""

    async def aclose(self) -> None:
        for queue in list(self._queues):
            queue.put_nowait(None)

    def _new(self, change: CaseChange) -> bool:
        if change.version <= self._versions.get(change.number, 0):
            return False
        self._versions[change.number] = change.version
        return True

    async def publish(self, change: CaseChange) -> bool:
        """True when the change is new to the feed (and so delivered)."""
        if not self._new(change):
            return False
        self._deliver(change)
        return True

    def _deliver(self, change: CaseChange) -> None:
        if not change.position:  # delivered here alone: numbered as the stream would, in order
            self._last_ms = max(self._last_ms, int(time.time() * 1000))
            change = replace(change, position=f"{self._last_ms}-{next(self._sequence)}")
        self._recent.append(change)
        for queue in list(self._queues):
            try:
                queue.put_nowait(change)
            except asyncio.QueueFull:
                # A subscriber that does not read is ended, not left to grow without bound.
                self._queues.discard(queue)
                queue.get_nowait()
                queue.put_nowait(None)

    async def changes(self, after: str | None = None) -> AsyncGenerator[CaseChange, None]:
        """Every change from now on, until the feed closes or the reader falls behind; with
        `after` (a position this subscriber was last given), first the changes since, each
        once."""
        queue: asyncio.Queue[CaseChange | None] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._queues.add(queue)  # before the history is read: nothing falls between the two
        try:
            last = (0, 0)
            if after is not None and _recent_enough(after):
                last = order(after)
                for missed in await self._since(after):
                    at = order(missed.position)
                    if at > last:  # only those after it, each once
                        last = at
                        yield missed
            while (change := await queue.get()) is not None:
                if order(change.position) > last:
                    yield change
        finally:
            self._queues.discard(queue)

    async def _since(self, after: str) -> Iterable[CaseChange]:
        """The changes this process has delivered lately, oldest first (the caller keeps those
        after `after`)."""
        return list(self._recent)


# KEYS: version key, stream; ARGV: version, fields (JSON), stream length, version ttl (s)
ADMIT = """
local known = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) <= known then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'change', ARGV[2])
return 1
"""


class RedisCaseFeed(LocalCaseFeed):
    def __init__(self, url: str, namespace: str, timeout_s: float, block_ms: int = 1000) -> None:
        super().__init__()
        self.namespace = namespace
        self.stream = f"{namespace}:case-changes"
        self.block_ms = block_ms
        self.timeout_s = timeout_s
        # The reader blocks on the stream: its own connection, with room for the block.
        self.redis: aioredis.Redis = aioredis.from_url(
            url, socket_timeout=timeout_s + block_ms / 1000, socket_connect_timeout=timeout_s
        )
        self._admit = self.redis.register_script(ADMIT)
        self._reader: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        last = "$"
        with contextlib.suppress(RedisError, OSError):
            newest: Any = await self.redis.xrevrange(self.stream, count=1)
            last = newest[0][0].decode() if newest else "0-0"
        self._reader = asyncio.create_task(self._read(last))

    async def aclose(self) -> None:
        self._stopping = True
        if self._reader is not None:
            self._reader.cancel()
            # A cancellation that lands inside the client may come out as its error: the flag
            # ends the loop then, and the wait is bounded either way.
            await asyncio.wait({self._reader}, timeout=2.0)
        await super().aclose()
        await self.redis.aclose()

    async def publish(self, change: CaseChange) -> bool:
        described = {k: v for k, v in asdict(change).items() if k != "position"}
        fields = json.dumps(described, ensure_ascii=False)
        try:
            admitted = await self._admit(
                keys=[f"{self.namespace}:case-version:{change.number}", self.stream],
                args=[change.version, fields, 10_000, 7 * 86_400],
            )
        except (RedisError, OSError) as error:
            # The store is away: this worker's own subscribers still hear of its change.
            log.warning(
                "case feed: store unavailable (%s); delivered locally", type(error).__name__
            )
            return await super().publish(change)
        return bool(admitted)

    async def _since(self, after: str) -> Iterable[CaseChange]:
        """From `after` on, from the stream, which every replica writes: a subscriber may come
        back to another."""
        try:
            entries: Any = await self.redis.xrange(self.stream, min=after, count=REPLAY_MAX + 1)
        except (RedisError, OSError):
            return await super()._since(after)
        found = (
            _change_of(fields.get(b"change", b"{}"), entry.decode()) for entry, fields in entries
        )
        return [c for c in found if c is not None]

    async def _read(self, last: str) -> None:
        while not self._stopping:
            try:
                batches: Any = await self.redis.xread({self.stream: last}, block=self.block_ms)
            except (RedisError, OSError) as error:
                log.warning("case feed: reading failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(1.0)
                continue
            for _, entries in batches or ():
                for entry_id, fields in entries:
                    last = entry_id.decode()
                    change = _change_of(fields.get(b"change", b"{}"), last)
                    if change is not None and self._new(change):
                        self._deliver(change)


def _change_of(raw: bytes, position: str) -> CaseChange | None:
    try:
        body = json.loads(raw)
        return CaseChange(
            str(body["number"]),
            int(body["version"]),
            str(body["grid_code"]),
            str(body["department_code"]),
            tuple(str(c) for c in body["co_departments"]),
            str(body["stage"]),
            position,
        )
    except (ValueError, KeyError, TypeError):
        log.warning("case feed: an entry that is not a change was skipped")
        return None


CaseFeed = LocalCaseFeed
