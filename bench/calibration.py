"""How fast the machine was while a benchmark ran: a fixed piece of pure-Python work, none of it
govgraph's, timed under the gateway's interpreter at the start of a run and at its end.

The gateway's CPU figures are Python work, so they move with the machine: on a shared two-core
machine the same commit has measured a fifth apart within an hour. With this figure beside them,
two runs can be compared (the CPU figures scale with it), and a run whose machine slowed down
while it ran says so."""

from __future__ import annotations

import subprocess

# Calls, attribute reads, small dicts and objects, string building and sorting: the kind of
# work a gateway does per field and per record, in a loop long enough (about 20 ms on this
# machine) to time, and the best of seven, since interruptions only ever add.
WORK = """
import time

class Item:
    __slots__ = ("code", "name", "count")

    def __init__(self, code, name, count):
        self.code = code
        self.name = name
        self.count = count

def label(item):
    return f"{item.code}:{item.name.strip()}"

def once():
    items = [Item(str(i).zfill(6), " name %d " % i, i % 13) for i in range(20000)]
    rows = [{"label": label(item), "count": item.count * 2} for item in items]
    rows.sort(key=lambda row: (row["count"], row["label"]))
    return sum(len(row["label"]) for row in rows)

best = float("inf")
for _ in range(7):
    started = time.perf_counter()
    once()
    best = min(best, time.perf_counter() - started)
print(round(best * 1000, 2))
"""


def work_ms(python: str) -> float:
    """The best time, in milliseconds, of the fixed work under `python`."""
    done = subprocess.run(
        [python, "-c", WORK], capture_output=True, text=True, check=True, timeout=120
    )
    return float(done.stdout.strip())
