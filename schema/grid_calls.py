"""The calls a grid's fields make: one function each, used by the field's resolver and by the
grids' page to start the same call ahead (`schema.calls_ahead`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import adapters

from .calls_ahead import AHEAD, Call
from .cases import statistics_period
from .context import CaseQuery, DataSource
from .relay import page_window


def residents_call(
    data: DataSource,
    grid: adapters.Grid,
    offset: int,
    limit: int,
    tag: adapters.PersonType | None,
    name: str | None,
) -> Call[adapters.Page[adapters.Resident]]:
    code = tag.value if tag is not None else None
    return Call(data.residents_of_grid, (grid.code, offset, limit, code, name))


def cases_call(
    data: DataSource, grid: adapters.Grid, offset: int, limit: int
) -> Call[adapters.Page[adapters.UrbanCase]]:
    return Call(data.urban_cases_of_grid, (grid.code, offset, limit, CaseQuery()))


def statistics_call(
    data: DataSource, grid: adapters.Grid, since: datetime, until: datetime
) -> Call[adapters.CaseStatistics] | None:
    """None for a micro-grid: figures are kept by grid, and the system has none for it. A
    period it cannot be is refused all the same."""
    since, until = statistics_period(since, until)
    if grid.parent_code is not None:
        return None
    return Call(data.statistics, ("WG", grid.code, since, until))


# What each field's resolver does with its arguments before its call, from the page's side.
def _residents(
    data: DataSource,
    grid: Any,
    cap: int,
    first: int | None = None,
    after: str | None = None,
    tag: adapters.PersonType | None = None,
    name: str | None = None,
) -> Call[adapters.Page[adapters.Resident]]:
    return residents_call(data, grid.raw, *page_window(first, after, cap), tag, name)


def _cases(
    data: DataSource, grid: Any, cap: int, first: int | None = None, after: str | None = None
) -> Call[adapters.Page[adapters.UrbanCase]]:
    return cases_call(data, grid.raw, *page_window(first, after, cap))


def _statistics(
    data: DataSource, grid: Any, cap: int, since: datetime, until: datetime
) -> Call[adapters.CaseStatistics] | None:
    return statistics_call(data, grid.raw, since, until)


AHEAD["Grid"] = {"residents": _residents, "cases": _cases, "statistics": _statistics}
