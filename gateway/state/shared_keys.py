"""Idempotency keys on the shared store, so that a retry landing on another worker or replica
finds the first attempt. A claim is atomic (one Lua script) and holds a lease: a worker that
dies mid-write leaves its key in progress only until the lease runs out; the next attempt then
takes it over as an unknown outcome and reconciles with the backend before writing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from gateway.state.idempotency import KeyState, StoredKey
from gateway.state.shared import SharedState

CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'state', 'in_progress',
             'first', ARGV[2], 'lease', ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return false
end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'in_progress' and tonumber(redis.call('HGET', KEYS[1], 'lease')) < tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 'lease', ARGV[5])
  state = 'unknown'
end
local f = redis.call('HMGET', KEYS[1], 'fingerprint', 'first', 'status', 'body')
return {state, f[1], f[2], f[3] or '', f[4] or ''}
"""


class SharedIdempotencyStore:
    def __init__(
        self,
        state: SharedState,
        ttl_s: float,
        lease_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = state
        self.ttl_ms = int(ttl_s * 1000)
        self.lease_s = lease_s
        self.clock = clock
        self._claim = state.redis.register_script(CLAIM)

    def _key(self, owner: str, key: str) -> str:
        return self.state.key("idem", owner, key)

    async def claim(
        self, owner: str, key: str, fingerprint: str, now: datetime
    ) -> StoredKey | None:
        moment = self.clock()
        found = await self.state.run(
            self._claim(
                keys=[self._key(owner, key)],
                args=[fingerprint, now.isoformat(), self.ttl_ms, moment, moment + self.lease_s],
            )
        )
        if found is None:
            return None
        state, stored_fingerprint, first, status, body = (
            v.decode() if isinstance(v, bytes) else str(v) for v in found
        )
        return StoredKey(
            fingerprint=stored_fingerprint,
            state=KeyState(state),
            first_attempt_at=datetime.fromisoformat(first),
            status=int(status) if status else 0,
            body=json.loads(body) if body else None,
        )

    async def complete(self, owner: str, key: str, status: int, body: dict[str, Any]) -> None:
        name = self._key(owner, key)
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        pipe = self.state.redis.pipeline(transaction=True)
        pipe.hset(name, items=["state", "completed", "status", status, "body", text])
        pipe.pexpire(name, self.ttl_ms)
        await self.state.run(pipe.execute())

    async def mark_unknown(self, owner: str, key: str) -> None:
        await self.state.run(self.state.redis.hset(self._key(owner, key), "state", "unknown"))

    async def release(self, owner: str, key: str) -> None:
        await self.state.run(self.state.redis.delete(self._key(owner, key)))

    async def resume(self, owner: str, key: str) -> None:
        lease = self.clock() + self.lease_s
        fields: list[str | float] = ["state", "in_progress", "lease", lease]
        await self.state.run(self.state.redis.hset(self._key(owner, key), items=fields))
