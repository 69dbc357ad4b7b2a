"""The legacy systems' probe for /readyz: shared by the callers who come while it is under way,
fresh for `fresh_s`, and started again once stale even when every caller of the last one went
away before it ended."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from gateway.http.readiness import Readiness


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def backends(asked: list[str], gate: asyncio.Event) -> Any:
    async def get(path: str, **options: Any) -> Any:
        asked.append(path)
        await gate.wait()
        return SimpleNamespace(status_code=200)

    backend = SimpleNamespace(
        http=SimpleNamespace(get=get),
        breaker=SimpleNamespace(state=SimpleNamespace(value="closed")),
        budget=SimpleNamespace(retries=0, requests=0),
    )
    return SimpleNamespace(connectors={"urban": SimpleNamespace(backend=backend)})


SYSTEMS: Any = [SimpleNamespace(name="urban-management", key="urban", readiness_path="/wsdl")]


async def test_a_probe_whose_callers_all_left_is_not_served_once_stale() -> None:
    asked: list[str] = []
    gate, clock = asyncio.Event(), Clock()
    readiness = Readiness(backends(asked, gate), SYSTEMS, fresh_s=1.0, clock=clock)
    leaving = asyncio.create_task(readiness.states())
    await asyncio.sleep(0)
    leaving.cancel()  # the balancer gave up; the probe goes on
    gate.set()
    await asyncio.sleep(0.01)
    assert (await readiness.states())["urban-management"]["reachable"] is True
    assert asked == ["/wsdl"]  # the finished probe, still fresh
    clock.now = 2.0
    await readiness.states()
    assert asked == ["/wsdl", "/wsdl"]  # stale: asked again
