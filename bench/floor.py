"""The latency floor a query can reach: per dependency level, the slowest system's latency
times the waves its in-flight cap forces, or the time its rate limit needs for the calls."""

from __future__ import annotations

import math

from bench.harness import CAP


def lower_bound(
    levels: list[dict[str, int]],
    latency_ms: float,
    legal_rps: float,
    concurrency: int = 1,
    service_ms: dict[str, float] | None = None,
) -> float:
    """The critical path of one request; with `concurrency`, of that many at once that share
    each system's in-flight cap and rate limit and share no calls. With `service_ms` (a system's
    measured time per call), a wave takes that instead of the set latency."""
    total = 0.0
    for level in levels:
        slowest = 0.0
        for backend, alone in level.items():
            calls = alone * concurrency
            wave_ms = (service_ms or {}).get(backend, latency_ms)
            waves = math.ceil(calls / CAP) * wave_ms
            if backend == "legal-aid" and calls > legal_rps:
                # Under steady load the system's bucket is spent: the calls take calls/rate.
                waves = max(waves, calls / legal_rps * 1000)
            slowest = max(slowest, waves)
        total += slowest
    return round(total, 1)
