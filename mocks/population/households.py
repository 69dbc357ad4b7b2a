"""How a grid's residents are housed: households, buildings and micro-grids, drawn per grid.

A resident's registry index fixes their grid (index // residents per grid); the grid's layout,
drawn from the seed on first use, fixes their household, building and micro-grid. Households
have a type so that ages and tags agree with who lives together (an elderly person living alone
is a household of one).
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass

from .geography import Grid

HOUSEHOLD_TYPES = (
    # (type, size, weight)
    ("elderly_alone", 1, 9),
    ("single", 1, 7),
    ("elderly_couple", 2, 14),
    ("couple", 2, 14),
    ("family", 3, 28),
    ("family", 4, 12),
    ("three_generations", 4, 8),
    ("three_generations", 5, 8),
)


@dataclass(frozen=True, slots=True)
class Building:
    number: int
    code: str
    micro_grid_code: str
    road_number: int
    floors: int
    first_household: int
    household_count: int


@dataclass(frozen=True, slots=True)
class Household:
    number: int
    code: str
    kind: str
    first_local: int
    size: int
    building: Building
    room: str
    head_male: bool
    middle_male: bool


class GridLayout:
    """Households and buildings of one grid; residents are numbered locally 0..n-1."""

    def __init__(self, seed: int, grid: Grid, residents: int) -> None:
        rng = random.Random((seed << 24) ^ (grid.ordinal * 2_654_435_761) ^ 0x5EED)
        kinds = [(kind, size) for kind, size, _ in HOUSEHOLD_TYPES]
        weights = [weight for _, _, weight in HOUSEHOLD_TYPES]
        drawn: list[tuple[str, int]] = []
        total = 0
        while total < residents:
            kind, size = rng.choices(kinds, weights)[0]
            size = min(size, residents - total)
            drawn.append(
                (kind if size > 1 or kind in ("elderly_alone", "single") else "single", size)
            )
            total += size
        buildings: list[Building] = []
        first = 0
        micro_codes = grid.micro_codes or (grid.code,)
        while first < len(drawn):
            count = min(rng.randint(12, 36), len(drawn) - first)
            number = len(buildings) + 1
            micro = micro_codes[min(len(micro_codes) - 1, first * len(micro_codes) // len(drawn))]
            buildings.append(
                Building(
                    number=number,
                    code=f"{grid.code}{number:03d}",
                    micro_grid_code=micro,
                    road_number=grid.number * 100 + number * 2 - 1,
                    floors=rng.choice((6, 6, 7, 11, 18)),
                    first_household=first,
                    household_count=count,
                )
            )
            first += count
        self.grid = grid
        self.buildings = buildings
        self.households: list[Household] = []
        self.household_starts: list[int] = []
        local = 0
        for building in buildings:
            per_floor = max(1, -(-building.household_count // building.floors))
            for h in range(building.household_count):
                kind, size = drawn[building.first_household + h]
                floor, door = divmod(h, per_floor)
                number = len(self.households) + 1
                self.households.append(
                    Household(
                        number=number,
                        code=f"{grid.code}{number:04d}",
                        kind=kind,
                        first_local=local,
                        size=size,
                        building=building,
                        room=f"{floor + 1}{door + 1:02d}",
                        head_male=rng.random() < 0.55,
                        middle_male=rng.random() < 0.5,
                    )
                )
                self.household_starts.append(local)
                local += size

    def household_of(self, local: int) -> Household:
        return self.households[bisect.bisect_right(self.household_starts, local) - 1]

    def household_by_number(self, number: int) -> Household | None:
        if 1 <= number <= len(self.households):
            return self.households[number - 1]
        return None


def age_range(kind: str, position: int) -> tuple[int, int]:
    """The ages a household member of this kind and place is drawn from."""
    if kind in ("elderly_alone", "elderly_couple"):
        return (62, 94)
    if kind == "single":
        return (20, 58)
    if kind == "couple":
        return (24, 59)
    if kind == "three_generations" and position == 0:
        return (66, 92)
    if kind == "three_generations" and position == 1:
        return (36, 60)
    if kind == "three_generations" and position == 2:
        return (34, 58)
    if position <= 1:
        return (28, 55)
    return (0, 22)


def spouse_age(partner: int, rng: random.Random) -> int:
    return max(22, partner + max(-10, min(10, round(rng.gauss(0, 3)))))


def child_age(parent: int, rng: random.Random) -> int:
    return max(0, parent - rng.randint(22, 38))
