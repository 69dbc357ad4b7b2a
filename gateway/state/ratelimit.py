"""Rate limits per client (the token's subject, else the IP address) in two tiers by role:
requests a minute, and query cost a minute, so that one client cannot enumerate residents by
aliasing or paging. Sliding-window counters from the `limits` library, in memory: two counters
a client and tier, whatever the cost spent (a moving window keeps one entry per unit of cost,
so a heavy client's 200,000 a minute would be 200,000 entries, and every hit would copy them)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from gateway.access.auth import Principal, Role


class RateLimiter:
    def __init__(
        self,
        public_requests: int,
        public_cost: int,
        user_requests: int,
        user_cost: int,
    ) -> None:
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._tiers = {
            True: (RateLimitItemPerMinute(public_requests), RateLimitItemPerMinute(public_cost)),
            False: (RateLimitItemPerMinute(user_requests), RateLimitItemPerMinute(user_cost)),
        }

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
        for item, amount in ((requests, 1), (budget, weight)):
            if not await self._limiter.hit(item, key, cost=amount):
                stats = await self._limiter.get_window_stats(item, key)
                return max(1, math.ceil(stats.reset_time - time.time()))
        return 0
