"""Look-ups by a personal value, limited so that they cannot serve as an oracle.

A role that sees an ID number (or phone) masked could otherwise try the few numbers that fit
the mask, one look-up each, until one answers. So for such roles a request may look up one
person by such a value, and each caller has a budget of look-ups that find no one in their
scope (`identifier_miss_budget` in `identifier_miss_window_s`); once it is spent, look-ups are
refused, found or not, until old misses age out. Misses are audited and counted in
`govgraph_identifier_lookups_total`, for operators to alert on. Roles that see the value whole
are not limited: a look-up tells them nothing they are not shown.

The budget is kept in process, or on the shared store (`SharedMissBudget`) when there is one,
so that N workers do not give a caller N budgets; if the store fails, each worker's own count
stands in until it is back.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from cachetools import LRUCache

from connectors.errors import LookupBudgetError, LookupLimitError


class MissBudget(Protocol):
    async def spent(self, subject: str) -> bool: ...

    async def miss(self, subject: str) -> None: ...


class InMemoryMissBudget:
    """Misses per subject in a sliding window, for at most `max_subjects` subjects."""

    def __init__(
        self,
        allowed: int,
        window_s: float,
        max_subjects: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allowed = allowed
        self.window_s = window_s
        self.clock = clock
        self._misses: LRUCache[str, deque[float]] = LRUCache(maxsize=max_subjects)

    def _recent(self, subject: str) -> deque[float]:
        times = self._misses.get(subject)
        if times is None:
            times = deque()
            self._misses[subject] = times
        horizon = self.clock() - self.window_s
        while times and times[0] <= horizon:
            times.popleft()
        return times

    async def spent(self, subject: str) -> bool:
        return len(self._recent(subject)) >= self.allowed

    async def miss(self, subject: str) -> None:
        self._recent(subject).append(self.clock())


class RequestLookups:
    """One request's identifier look-ups, for one caller."""

    def __init__(self, subject: str, budget: MissBudget, on_outcome: Callable[[str], None]):
        self.subject = subject
        self.budget = budget
        self.on_outcome = on_outcome
        self.used = 0

    async def admit(self) -> None:
        """Before the look-up is sent: refused if this request already made one, or the
        caller's misses are spent."""
        if self.used >= 1:
            self.on_outcome("refused")
            raise LookupLimitError(
                "每个请求只能按身份证号或手机号查找一人 / one look-up by ID number or phone a request"
            )
        if await self.budget.spent(self.subject):
            self.on_outcome("refused")
            raise LookupBudgetError(
                "未命中的查找次数已用完，请稍后再试 / too many look-ups found no one; try later"
            )
        self.used += 1

    async def settle(self, found: bool) -> None:
        if not found:
            await self.budget.miss(self.subject)
        self.on_outcome("hit" if found else "miss")
