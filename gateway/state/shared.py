"""The state every worker and replica shares, on Redis or Valkey (`state_url`): idempotency
keys, client rate limits and look-up budgets. Keys are namespaced per deployment
(`state_namespace`) and every call runs under a short timeout (`state_timeout_s`); a failure is
`StateUnavailableError`, which callers turn into a local fallback for reads and a 503 for writes.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from connectors.errors import StateUnavailableError


class SharedState:
    def __init__(self, url: str, namespace: str, timeout_s: float) -> None:
        self.url = url
        self.namespace = namespace
        self.redis: aioredis.Redis = aioredis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            health_check_interval=10,
            decode_responses=False,
        )

    def key(self, *parts: str) -> str:
        return ":".join((self.namespace, *parts))

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError):
            return False

    async def run(self, command: Any) -> Any:
        """Await a Redis call; any failure of the store is StateUnavailableError."""
        try:
            return await command
        except (RedisError, OSError) as error:
            raise StateUnavailableError(
                "共享状态存储不可用 / the shared state store is unavailable",
                detail=type(error).__name__,
            ) from None

    async def aclose(self) -> None:
        await self.redis.aclose()
