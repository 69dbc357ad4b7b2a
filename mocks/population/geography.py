"""The district's territory: streets, communities, grids and micro-grids, with codes and shapes.

Codes follow GB/T 2260 + GB/T 10114: county (6) + street (3) + community (3) = 12 digits, and a
grid code (WGBM) adds a 3-digit grid number numbered west to east, north to south. Micro-grids
are grids with a parent; their numbers follow the grids' in the same community.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .presets import Preset
from .vocab import COUNTY_CODE, PLACE_WORDS, ROAD_SUFFIXES

ORIGIN_LON = 118.700
ORIGIN_LAT = 32.100
GRID_WIDTH = 0.004
GRID_HEIGHT = 0.003
GRID_COLUMNS = 5


@dataclass(frozen=True, slots=True)
class BoundingBox:
    west: float
    south: float
    east: float
    north: float

    def polygon(self) -> str:
        """The legacy boundary format: 'lon,lat;lon,lat;…' closed ring, clockwise from NW."""
        ring = (
            (self.west, self.north),
            (self.east, self.north),
            (self.east, self.south),
            (self.west, self.south),
            (self.west, self.north),
        )
        return ";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in ring)


@dataclass(frozen=True, slots=True)
class Street:
    ordinal: int
    code: str
    name: str


@dataclass(slots=True)
class Community:
    ordinal: int
    code: str
    name: str
    street: Street
    road: str
    elderly_share: float
    daily_case_rate: int
    grid_ordinals: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Grid:
    ordinal: int
    code: str
    name: str
    community: Community
    number: int
    box: BoundingBox
    parent_code: str | None
    micro_codes: tuple[str, ...]


class Geography:
    """Every street, community, grid and micro-grid of a preset; small enough to hold whole."""

    def __init__(self, seed: int, preset: Preset) -> None:
        rng = random.Random(seed * 7 + 1)
        self.streets: list[Street] = []
        self.communities: list[Community] = []
        self.grids: list[Grid] = []
        self.micro_grids: list[Grid] = []
        self.grid_by_code: dict[str, Grid] = {}
        self.community_by_code: dict[str, Community] = {}
        names = list(PLACE_WORDS)
        rng.shuffle(names)
        for s in range(preset.streets):
            # Street parts 001-099 are 街道 (urban streets), 100-199 镇 (towns).
            is_town = s >= max(1, preset.streets * 3 // 4)
            number = 100 + s if is_town else 1 + s
            word = names[s % len(names)] + ("" if s < len(names) else str(s // len(names)))
            street = Street(s, f"{COUNTY_CODE}{number:03d}", word + ("镇" if is_town else "街道"))
            self.streets.append(street)
            for c in range(preset.communities_per_street):
                self._add_community(rng, preset, street, c, names)

    def _add_community(
        self, rng: random.Random, preset: Preset, street: Street, number: int, names: list[str]
    ) -> None:
        ordinal = len(self.communities)
        word = names[(ordinal * 5 + 3) % len(names)]
        suffix = "" if ordinal < len(names) else "二三四五六七八九十"[(ordinal // len(names)) % 9]
        road_word = names[(ordinal * 11 + 7) % len(names)]
        community = Community(
            ordinal=ordinal,
            code=f"{street.code}{number + 1:03d}",
            name=f"{word}{suffix}社区",
            street=street,
            road=road_word + ROAD_SUFFIXES[ordinal % len(ROAD_SUFFIXES)],
            elderly_share=round(rng.uniform(0.22, 0.45), 2),
            daily_case_rate=rng.randint(100, 200),
        )
        self.communities.append(community)
        self.community_by_code[community.code] = community
        rows = -(-preset.grids_per_community // GRID_COLUMNS)
        west0 = ORIGIN_LON + (ordinal % 8) * GRID_WIDTH * (GRID_COLUMNS + 1)
        north0 = ORIGIN_LAT - (ordinal // 8) * GRID_HEIGHT * (rows + 1)
        micro_number = preset.grids_per_community
        for n in range(preset.grids_per_community):
            row, col = divmod(n, GRID_COLUMNS)
            box = BoundingBox(
                west=west0 + col * GRID_WIDTH,
                north=north0 - row * GRID_HEIGHT,
                east=west0 + (col + 1) * GRID_WIDTH,
                south=north0 - (row + 1) * GRID_HEIGHT,
            )
            code = f"{community.code}{n + 1:03d}"
            micro_codes = []
            strip = GRID_WIDTH / preset.micro_grids_per_grid if preset.micro_grids_per_grid else 0
            for m in range(preset.micro_grids_per_grid):
                micro_number += 1
                micro = Grid(
                    ordinal=-1,
                    code=f"{community.code}{micro_number:03d}",
                    name=f"{community.name}第{n + 1}网格第{m + 1}微网格",
                    community=community,
                    number=micro_number,
                    box=BoundingBox(
                        box.west + m * strip, box.south, box.west + (m + 1) * strip, box.north
                    ),
                    parent_code=code,
                    micro_codes=(),
                )
                micro_codes.append(micro.code)
                self.micro_grids.append(micro)
                self.grid_by_code[micro.code] = micro
            grid = Grid(
                ordinal=len(self.grids),
                code=code,
                name=f"{community.name}第{n + 1}网格",
                community=community,
                number=n + 1,
                box=box,
                parent_code=None,
                micro_codes=tuple(micro_codes),
            )
            self.grids.append(grid)
            self.grid_by_code[code] = grid
            community.grid_ordinals.append(grid.ordinal)
