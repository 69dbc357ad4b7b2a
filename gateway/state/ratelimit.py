"""Rate limits per client (the token's subject, else the IP address) in two tiers by role:
requests a minute, and query cost a minute, so that one client cannot enumerate residents by
aliasing or paging. Sliding-window counters: two a client and tier, whatever the cost spent (a
moving window keeps one entry per unit of cost, so a heavy client's 200,000 a minute would be
200,000 entries, and every hit would copy them). In process they are `SlidingWindows`, whose hit
costs the same however many clients are on record.

With a shared store (`state_url`) the counters live there (the `limits` library's sliding
window counter on Redis), so a client's allowance is the same with one worker or many. There the
two tiers are two hits, so a request refused for its cost has spent one of the request count; in
process nothing is spent by a refused request. If the store fails, each worker counts on its own
until it is back (counted in `govgraph_state_fallbacks_total`)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from limits import RateLimitItemPerMinute
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from gateway.access.auth import Principal, Role
from gateway.settings import Settings
from gateway.state.shared import SharedState
from gateway.state.windows import Limit, SlidingWindows

LOG = logging.getLogger("govgraph.state")


class RateLimiter:
    def __init__(
        self,
        public_requests: int,
        public_cost: int,
        user_requests: int,
        user_cost: int,
        shared: SharedState | None = None,
        on_fallback: Callable[[str], None] = lambda what: None,
    ) -> None:
        self._local = SlidingWindows()
        self._shared: SlidingWindowCounterRateLimiter | None = None
        if shared is not None:
            storage: Storage = RedisStorage(
                "async+" + shared.url,
                implementation="redispy",
                key_prefix=f"{shared.namespace}:rl",
                connection_pool=shared.redis.connection_pool,  # type: ignore[arg-type]
            )
            self._shared = SlidingWindowCounterRateLimiter(storage)
        self.on_fallback = on_fallback
        self._tiers = {
            True: (RateLimitItemPerMinute(public_requests), RateLimitItemPerMinute(public_cost)),
            False: (RateLimitItemPerMinute(user_requests), RateLimitItemPerMinute(user_cost)),
        }

    @classmethod
    def of(
        cls, settings: Settings, shared: SharedState | None, on_fallback: Callable[[str], None]
    ) -> RateLimiter:
        return cls(
            settings.rate_public_requests_per_minute,
            settings.rate_public_cost_per_minute,
            settings.rate_user_requests_per_minute,
            settings.rate_user_cost_per_minute,
            shared=shared,
            on_fallback=on_fallback,
        )

    @staticmethod
    def client_key(principal: Principal) -> str:
        if principal.role is Role.PUBLIC or not principal.subject:
            return f"ip:{principal.client}"
        return f"sub:{principal.role.value}:{principal.subject}"

    async def admit(self, principal: Principal, cost: float) -> int:
        """0 if the request may run, else seconds to wait (for Retry-After)."""
        requests, budget = self._tiers[principal.role is Role.PUBLIC]
        key = self.client_key(principal)
        weight = max(1, math.ceil(cost))
        if weight > budget.amount:
            return 60
        if self._shared is not None:
            try:
                return await self._admit(self._shared, requests, budget, key, weight)
            except Exception:  # the limits library re-raises the store's own errors
                LOG.warning("rate limits: shared store unavailable, counting locally")
                self.on_fallback("rate_limit")
        wait = self._local.take(
            (
                Limit(f"requests:{key}", requests.amount, 1),
                Limit(f"cost:{key}", budget.amount, weight),
            )
        )
        return math.floor(wait) + 1 if wait else 0

    @staticmethod
    async def _admit(
        limiter: SlidingWindowCounterRateLimiter,
        requests: RateLimitItemPerMinute,
        budget: RateLimitItemPerMinute,
        key: str,
        weight: int,
    ) -> int:
        for item, amount in ((requests, 1), (budget, weight)):
            if not await limiter.hit(item, key, cost=amount):
                stats = await limiter.get_window_stats(item, key)
                return max(1, math.ceil(stats.reset_time - time.time()))
        return 0
