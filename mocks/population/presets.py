"""Population sizes: `demo` for one street, `district` for a whole district, `tiny` for tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    streets: int
    communities_per_street: int
    grids_per_community: int
    micro_grids_per_grid: int
    residents_per_grid: int
    case_days: int
    legal_aid_per_10k_residents: int
    disputes_per_10k_residents: int
    enrolments_per_community: int

    @property
    def communities(self) -> int:
        return self.streets * self.communities_per_street

    @property
    def grids(self) -> int:
        return self.communities * self.grids_per_community

    @property
    def residents(self) -> int:
        return self.grids * self.residents_per_grid


PRESETS = {
    "tiny": Preset("tiny", 1, 2, 3, 2, 60, 30, 250, 400, 20),
    "demo": Preset("demo", 1, 4, 10, 3, 500, 365, 125, 200, 150),
    "district": Preset("district", 20, 10, 10, 3, 250, 365, 125, 200, 150),
    # for the benchmark's scale curve: the same street, ever more grids
    "grids10": Preset("grids10", 1, 1, 10, 3, 500, 365, 125, 200, 150),
    "grids100": Preset("grids100", 1, 10, 10, 3, 500, 365, 125, 200, 150),
    "grids1000": Preset("grids1000", 10, 10, 10, 3, 250, 365, 125, 200, 150),
}
