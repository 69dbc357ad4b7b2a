"""What the per-client rate limits cost a request as the number of clients on record grows: the
in-process counters (one worker, or each worker while the shared store is down). A public
mini-program is limited by address, so a busy district has thousands of keys within the
two minutes a sliding window remembers; a request must cost the same with one or 100,000."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from gateway.access.auth import Principal, Role
from gateway.state.ratelimit import RateLimiter

CLIENTS_ON_RECORD = (1, 10_000, 100_000)
REQUESTS = 20_000


async def _cpu_us_per_request(clients: int) -> float:
    rate = RateLimiter(10**9, 10**12, 10**9, 10**12)
    for number in range(clients):
        await rate.admit(
            Principal.public(f"10.{number >> 16}.{(number >> 8) & 255}.{number & 255}"), 1
        )
    caller = Principal(Role.GRID_WORKER, subject="bench-worker")
    started = time.process_time()
    for _ in range(REQUESTS):
        if await rate.admit(caller, 3):
            raise RuntimeError("the bench's own limits refused a request")
    return round((time.process_time() - started) / REQUESTS * 1e6, 2)


def rate_limit_cost() -> dict[str, Any]:
    return {
        "requests": REQUESTS,
        "cpu_us_per_request": {
            str(clients): asyncio.run(_cpu_us_per_request(clients)) for clients in CLIENTS_ON_RECORD
        },
    }
