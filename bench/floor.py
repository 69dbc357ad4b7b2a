"""The latency floor a query can reach: per dependency level, the slowest system's latency
times the waves its in-flight cap forces, or the time its rate limit needs for the calls.

Two readings of "the system's latency". The nominal floor (`lower_bound`) takes every call to
last the set latency, and at concurrency N makes the N requests wait, level by level, for all
their calls together. The mocks, like the systems, draw each call's time instead (the set
latency ± the jitter, uniformly), so a wave lasts as long as its slowest call and no client,
however fast, reaches the nominal floor on a level of several calls. `jittered_bound` is the
median request's critical path under those draws: a request's calls start as the cap frees a
slot, each lasting its own draw, its level ending with its own last call. With N requests at
once, each goes on to its next level when its own calls end, and the N share each system's
slots first come, first served. It is what the systems allow any client. At concurrency 1 it is
the nominal floor with the jitter at nought. It can come in under the nominal floor: where a
level's calls run a little past whole waves (the call past them starts when the first place
frees, not when the wave ends), and where N requests share a cap (a request waits for its own
calls, not for the other requests').
"""

from __future__ import annotations

import heapq
import math
import random
import statistics
from collections.abc import Callable

from bench.harness import CAP

SAMPLES = 1001  # the median of this many draws moves by well under a percent
SEED = 21


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

    def waves(backend: str, calls: int) -> float:
        return math.ceil(calls / CAP) * (service_ms or {}).get(backend, latency_ms)

    return round(critical_path(levels, legal_rps, concurrency, waves), 1)


def jittered_bound(
    levels: list[dict[str, int]],
    latency_ms: float,
    jitter_ms: float,
    legal_rps: float,
    concurrency: int = 1,
) -> float:
    """The median request's critical path when each call lasts `latency_ms` ± `jitter_ms`,
    drawn uniformly and independently, as the mocks draw it, with `concurrency` requests
    starting together. Where the legal-aid rate limit binds, it sets the level as in
    `lower_bound`, and the draws add only their tail."""
    draws = random.Random(SEED)
    if any(
        paced(backend, calls * concurrency, 0.0, legal_rps) > 0
        for level in levels
        for backend, calls in level.items()
    ):

        def drawn(_backend: str, calls: int) -> float:
            return makespan(calls, latency_ms, jitter_ms, draws)

        paths = [critical_path(levels, legal_rps, concurrency, drawn) for _ in range(SAMPLES)]
        return round(statistics.median(paths), 1)
    rounds = max(1, SAMPLES // concurrency)
    latencies = [
        latency
        for _ in range(rounds)
        for latency in requests_at_once(levels, latency_ms, jitter_ms, concurrency, draws)
    ]
    return round(statistics.median(latencies), 1)


def requests_at_once(
    levels: list[dict[str, int]],
    latency_ms: float,
    jitter_ms: float,
    concurrency: int,
    draws: random.Random,
) -> list[float]:
    """How long each of `concurrency` requests takes, all sent at once: a request's level
    starts when its previous level's calls have ended, and its calls take each system's slots
    in the order they become ready (first come, first served)."""
    free_at = {system: [0.0] * CAP for level in levels for system in level}
    ready = [(0.0, request, 0) for request in range(concurrency)]
    took: list[float] = []
    while ready:
        at, request, index = heapq.heappop(ready)
        if index == len(levels):
            took.append(at)
            continue
        end = at
        for system, calls in levels[index].items():
            slots = free_at[system]
            for _ in range(calls):
                start = max(at, heapq.heappop(slots))
                finish = start + latency_ms + draws.uniform(-jitter_ms, jitter_ms)
                heapq.heappush(slots, finish)
                end = max(end, finish)
        heapq.heappush(ready, (end, request, index + 1))
    return took


def critical_path(
    levels: list[dict[str, int]],
    legal_rps: float,
    concurrency: int,
    span: Callable[[str, int], float],
) -> float:
    """Level after level, the slowest system's time: `span(system, calls)` for its calls, or
    the time its rate limit needs for them."""
    total = 0.0
    for level in levels:
        slowest = 0.0
        for backend, alone in level.items():
            calls = alone * concurrency
            slowest = max(slowest, paced(backend, calls, span(backend, calls), legal_rps))
        total += slowest
    return total


def makespan(calls: int, latency_ms: float, jitter_ms: float, draws: random.Random) -> float:
    """When the last of `calls` ends, each started as soon as one of the cap's slots is free."""
    free_at = [0.0] * min(calls, CAP)
    end = 0.0
    for _ in range(calls):
        start = heapq.heappop(free_at)
        finish = start + latency_ms + draws.uniform(-jitter_ms, jitter_ms)
        end = max(end, finish)
        heapq.heappush(free_at, finish)
    return end


def paced(backend: str, calls: int, span_ms: float, legal_rps: float) -> float:
    if backend == "legal-aid" and calls > legal_rps:
        # Under steady load the system's bucket is spent: the calls take calls/rate.
        return max(span_ms, calls / legal_rps * 1000)
    return span_ms
