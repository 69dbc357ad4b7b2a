"""The latency floor a query can reach: per dependency level, the slowest system's latency
times the waves its in-flight cap forces, or the time its rate limit needs for the calls.

Two readings of "the system's latency". The nominal floor (`lower_bound`) takes every call to
last the set latency; at concurrency N the N requests share each system's cap and rate limit.
The mocks, like the systems, draw each call's time instead (the set latency ± the jitter,
uniformly), so a wave lasts as long as its slowest call and no client, however fast, reaches
the nominal floor on a level of several calls. `jittered_bound` is the median request's
critical path under those draws, for N clients sending one request after another, as the load
generator does: a request's calls start as the cap frees a slot, each lasting its own draw, its
level ending with its own last call, and the N clients' calls take the slots first come, first
served. It is what the systems allow any client. With the jitter at nought it is the nominal
floor. It can come in under it where a level's calls run a little past whole waves: the call
past them starts when the first place frees, not when the wave ends.
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
WARM_UP = 2  # a client's first requests, all sent at once, are not yet the steady load


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
    drawn uniformly and independently, as the mocks draw it, with `concurrency` clients in a
    closed loop. Where the legal-aid rate limit binds, it sets the level as in `lower_bound`,
    and the draws add only their tail."""
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
    each = max(1, SAMPLES // concurrency) + WARM_UP
    latencies = closed_loop(levels, latency_ms, jitter_ms, concurrency, each, draws)
    return round(statistics.median(latencies), 1)


def closed_loop(
    levels: list[dict[str, int]],
    latency_ms: float,
    jitter_ms: float,
    concurrency: int,
    each: int,
    draws: random.Random,
) -> list[float]:
    """How long each request takes when `concurrency` clients send `each` requests one after
    another, as the load generator does: a request's level starts when its previous level's
    calls have ended, and its calls take each system's slots in the order they become ready
    (first come, first served). Each client's first `WARM_UP` requests, sent all together, are
    left out."""
    free_at = {system: [0.0] * CAP for level in levels for system in level}
    # (ready at, client, level, request started at, requests the client has finished)
    ready = [(0.0, client, 0, 0.0, 0) for client in range(concurrency)]
    took: list[float] = []
    while ready:
        at, client, index, started, finished = heapq.heappop(ready)
        if index == len(levels):
            if finished >= WARM_UP:
                took.append(at - started)
            if finished + 1 < each:
                heapq.heappush(ready, (at, client, 0, at, finished + 1))
            continue
        end = max(
            (
                take_slots(free_at[system], at, calls, latency_ms, jitter_ms, draws)
                for system, calls in levels[index].items()
            ),
            default=at,
        )
        heapq.heappush(ready, (end, client, index + 1, started, finished))
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
    return take_slots([0.0] * min(calls, CAP), 0.0, calls, latency_ms, jitter_ms, draws)


def take_slots(
    free_at: list[float],
    ready_at: float,
    calls: int,
    latency_ms: float,
    jitter_ms: float,
    draws: random.Random,
) -> float:
    """`calls` ready at `ready_at`, each taking the slot that frees first (`free_at`, a heap of
    the times the slots free, updated) and lasting its own draw: when the last of them ends."""
    end = ready_at
    for _ in range(calls):
        start = max(ready_at, heapq.heappop(free_at))
        finish = start + latency_ms + draws.uniform(-jitter_ms, jitter_ms)
        heapq.heappush(free_at, finish)
        end = max(end, finish)
    return end


def paced(backend: str, calls: int, span_ms: float, legal_rps: float) -> float:
    if backend == "legal-aid" and calls > legal_rps:
        # Under steady load the system's bucket is spent: the calls take calls/rate.
        return max(span_ms, calls / legal_rps * 1000)
    return span_ms
