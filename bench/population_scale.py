"""Measure how long a preset's population takes to build and how much memory it holds.

    python bench/population_scale.py district

Prints JSON: build seconds, peak resident memory (MiB) after building and after serving a
sample of reads from every system's data (residents, a year of one grid's cases, statistics).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime, timedelta

from mocks.population import Population


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(preset: str) -> dict[str, object]:
    started = time.perf_counter()
    population = Population(seed=1, preset=preset)
    built = time.perf_counter() - started
    after_build = peak_rss_mib()
    registry = population.registry
    step = max(1, registry.size // 20_000)
    for index in range(0, registry.size, step):
        registry.person(index)
    end = population.now()
    for ordinal in range(
        0, len(population.geography.grids), max(1, len(population.geography.grids) // 20)
    ):
        list(population.cases_of_grid(ordinal, end - timedelta(days=365), end))
    return {
        "preset": preset,
        "residents": registry.size,
        "grids": len(population.geography.grids),
        "build_seconds": round(built, 2),
        "peak_rss_mib_after_build": round(after_build, 1),
        "peak_rss_mib_after_reads": round(peak_rss_mib(), 1),
        "measured_at": datetime.now().isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "district"), indent=2))
