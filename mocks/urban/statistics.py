"""The urban system's GetStatistics: figures for a grid (WG), a community (SQ) or a department
(BM) over a period of filing, like the real system's precomputed figures: a period is counted
again at most once a minute, or after a write."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cachetools import LRUCache

from ..population import Population, UrbanCase
from ..population.vocab import DEPARTMENTS
from .records import Record, figures_of
from .soap import SoapFault

DEPARTMENT_CODES = tuple(code for code, _, _ in DEPARTMENTS)


class Statistics:
    def __init__(self, population: Population) -> None:
        self.population = population
        self._figures: LRUCache[tuple[object, ...], Record] = LRUCache(maxsize=4096)

    def figures(self, args: dict[str, Any]) -> Record:
        kind, target = args["TJLX"], args["TJDX"]
        start, end = args["KSSJ"], args["JSSJ"]
        if end <= start or end - start > timedelta(days=366):
            raise SoapFault("Client", "2002", "统计时间段应大于0且不超过366天")
        ordinals = self._grids_of(kind, target)
        now = self.population.now()
        minute = now.replace(second=0, microsecond=0)
        period = (start, end, minute, self.population.writes.version)
        figures = self._figures.get((kind, target, *period))
        if figures is not None:
            return figures
        if kind == "BM":
            # One pass over the district's cases gives every department's figures: a dashboard
            # asks for all of them at once, and a pass over a year draws every case.
            for code, cases in self._by_department(ordinals, start, end).items():
                self._figures[(kind, code, *period)] = figures_of(
                    kind, code, start, end, iter(cases), now
                )
            return self._figures[(kind, target, *period)]
        drawn = (c for o in ordinals for c in self.population.cases_of_grid(o, start, end))
        figures = figures_of(kind, target, start, end, drawn, now)
        self._figures[(kind, target, *period)] = figures
        return figures

    def _grids_of(self, kind: str, target: str) -> list[int]:
        geography = self.population.geography
        if kind == "WG":
            grid = geography.grid_by_code.get(target)
            if grid is None or grid.parent_code is not None:
                raise SoapFault("Client", "3001", "网格不存在")
            return [grid.ordinal]
        if kind == "SQ":
            community = geography.community_by_code.get(target)
            if community is None:
                raise SoapFault("Client", "3001", "社区不存在")
            return list(community.grid_ordinals)
        if kind == "BM":
            if target not in DEPARTMENT_CODES:
                raise SoapFault("Client", "3001", "部门不存在")
            return [g.ordinal for g in geography.grids]
        raise SoapFault("Client", "2002", "参数TJLX应为WG、SQ或BM")

    def _by_department(
        self, ordinals: list[int], start: datetime, end: datetime
    ) -> dict[str, list[UrbanCase]]:
        found: dict[str, list[UrbanCase]] = {code: [] for code in DEPARTMENT_CODES}
        for ordinal in ordinals:
            for case in self.population.cases_of_grid(ordinal, start, end):
                found.setdefault(case.department, []).append(case)
        return found
