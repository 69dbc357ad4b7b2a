"""Rate limits per client (the token's subject, else the IP address) in two tiers by role:
requests a minute, and query cost a minute, so that one client cannot enumerate residents by
aliasing or paging. Sliding-window counters: two a client and tier, whatever the cost spent (a
moving window keeps one entry per unit of cost, so a heavy client's 200,000 a minute would be
200,000 entries, and every hit would copy them). A request takes from both tiers or from
neither: one refused for its cost has not spent its count.

In process the counters are `SlidingWindows`, whose hit costs the same however many clients are
on record. With a shared store (`state_url`) they are `SharedWindows` there, so a client's
allowance is the same with one worker or many, checked and taken in one round trip. If the
store fails, each worker counts on its own until it is back (counted in
`govgraph_state_fallbacks_total`)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from connectors.errors import StateUnavailableError
from gateway.access.auth import Principal, Role
from gateway.settings import Settings
from gateway.state.shared import SharedState
from gateway.state.shared_windows import SharedWindows
from gateway.state.windows import Limit, SlidingWindows

LOG = logging.getLogger("govgraph.state")
WINDOW_S = 60.0


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
        self._local = SlidingWindows(WINDOW_S)
        self._shared = SharedWindows(shared, WINDOW_S) if shared is not None else None
        self.on_fallback = on_fallback
        # requests and cost a minute, for public callers (True) and for the others
        self._tiers = {True: (public_requests, public_cost), False: (user_requests, user_cost)}

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

    def cost_budget(self, principal: Principal) -> int:
        """The most cost the caller's tier may spend in a minute."""
        return self._tiers[principal.role is Role.PUBLIC][1]

    async def admit(self, principal: Principal, cost: float) -> int:
        """0 if the request may run, else whole seconds to wait (for Retry-After)."""
        return await self.admit_as(self.client_key(principal), principal.role is Role.PUBLIC, cost)

    async def admit_as(self, key: str, public: bool, cost: float) -> int:
        """`admit` for a client known by `key` alone, in the public tier or the other."""
        requests, budget = self._tiers[public]
        weight = max(1, math.ceil(cost))
        if weight > budget:
            return int(WINDOW_S)
        limits = (Limit("requests", requests, 1), Limit("cost", budget, weight))
        wait: float | None = None
        if self._shared is not None:
            try:
                wait = await self._shared.take(limits, key)
            except StateUnavailableError:
                LOG.warning("rate limits: shared store unavailable, counting locally")
                self.on_fallback("rate_limit")
        if wait is None:
            wait = self._local.take(
                [Limit(f"{limit.key}:{key}", limit.amount, limit.cost) for limit in limits]
            )
        return math.floor(wait) + 1 if wait else 0
