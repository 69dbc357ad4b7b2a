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
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any

import redis.asyncio as aioredis
from cachetools import LRUCache
from redis.exceptions import RedisError

import adapters

log = logging.getLogger("govgraph.live")
QUEUE_SIZE = 256
KNOWN_VERSIONS = 100_000


@dataclass(frozen=True, slots=True)
class CaseChange:
    number: str
    version: int
    grid_code: str
    department_code: str
    co_departments: tuple[str, ...]
    stage: str

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


class LocalCaseFeed:
    """Fan-out to this process's subscribers."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[CaseChange | None]] = set()
        self._versions: LRUCache[str, int] = LRUCache(maxsize=KNOWN_VERSIONS)

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
        for queue in list(self._queues):
            try:
                queue.put_nowait(change)
            except asyncio.QueueFull:
                # A subscriber that does not read is ended, not left to grow without bound.
                self._queues.discard(queue)
                queue.get_nowait()
                queue.put_nowait(None)

    async def changes(self) -> AsyncIterator[CaseChange]:
        """Every change from now on, until the feed closes or the reader falls behind."""
        queue: asyncio.Queue[CaseChange | None] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._queues.add(queue)
        try:
            while (change := await queue.get()) is not None:
                yield change
        finally:
            self._queues.discard(queue)


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
        fields = json.dumps(asdict(change), ensure_ascii=False)
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
                    change = _change_of(fields.get(b"change", b"{}"))
                    if change is not None and self._new(change):
                        self._deliver(change)


def _change_of(raw: bytes) -> CaseChange | None:
    try:
        body = json.loads(raw)
        return CaseChange(
            str(body["number"]),
            int(body["version"]),
            str(body["grid_code"]),
            str(body["department_code"]),
            tuple(str(c) for c in body["co_departments"]),
            str(body["stage"]),
        )
    except (ValueError, KeyError, TypeError):
        log.warning("case feed: an entry that is not a change was skipped")
        return None


CaseFeed = LocalCaseFeed
