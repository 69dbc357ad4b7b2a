"""Whether each legacy system answers, for `/readyz`. The balancer and the kubelet call it
without a token, and each call asked every legacy system for its description: whoever could
reach `/readyz` could make the gateway knock on four old systems as often as it could send a
GET. The systems are now asked once for callers who come while a probe is under way and once a
`readiness_cache_s` at most; the breakers and budgets, read from memory, are always current."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

import httpx

from gateway.backends.wiring import Backends
from gateway.systems import System

Reached = dict[str, dict[str, object]]  # a system's name → reachable, and its status or error


class Readiness:
    def __init__(
        self,
        backends: Backends,
        systems: Sequence[System],
        fresh_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backends = backends
        self.systems = systems
        self.fresh_s = fresh_s
        self.clock = clock
        self._last: tuple[float, Reached] | None = None
        self._probing: asyncio.Future[Reached] | None = None

    async def states(self) -> Reached:
        """Each system: whether it answered its probe, with its breaker and budget as now."""
        reached = await self._reached()
        return {
            system.name: {**reached[system.name], **self._held(system)} for system in self.systems
        }

    def _held(self, system: System) -> dict[str, object]:
        backend = self.backends.connectors[system.key].backend
        return {
            "breaker": backend.breaker.state.value,
            "retries": backend.budget.retries,
            "requests": backend.budget.requests,
        }

    async def _reached(self) -> Reached:
        if self._last is not None and self.clock() - self._last[0] < self.fresh_s:
            return self._last[1]
        if self._probing is None or self._probing.done():  # none under way: one starts
            self._probing = asyncio.ensure_future(self._probe_all())
        # shielded: a caller that goes away does not stop the others' probe
        return await asyncio.shield(self._probing)

    async def _probe_all(self) -> Reached:
        answers = await asyncio.gather(*(self._probe(system) for system in self.systems))
        reached = dict(zip((system.name for system in self.systems), answers, strict=True))
        self._last = (self.clock(), reached)
        return reached

    async def _probe(self, system: System) -> dict[str, object]:
        backend = self.backends.connectors[system.key].backend
        try:
            response = await backend.http.get(system.readiness_path, timeout=2.0)
        except httpx.HTTPError as error:
            return {"reachable": False, "error": type(error).__name__}
        return {"reachable": response.status_code < 500, "status": response.status_code}
