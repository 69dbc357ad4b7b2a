"""Lists of cases across grids and systems: the urban system offers one grid's cases at a
time and filters by its own status names, legal aid and mediation list a community's; so the
newest are merged, and filters the systems lack scan a bounded period."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from enum import Enum

import strawberry

import adapters
from adapters.normalise import BEIJING

from .cases import Case, Dispute, LegalAidCase, UrbanCase, as_beijing
from .context import CaseQuery
from .errors import bad_input
from .errors import code_argument as _code
from .people_ahead import cases_connection
from .relay import Connection, page_cap, page_window
from .text import bilingual as d

# The urban-management system filters by its own status names; the unified status covers these.
URBAN_LABELS = {
    adapters.CaseStatus.RECEIVED: ("受理", "立案"),
    adapters.CaseStatus.IN_PROGRESS: ("派遣", "处置"),
    adapters.CaseStatus.AWAITING_VERIFICATION: ("核查",),
    adapters.CaseStatus.CLOSED: ("结案",),
    adapters.CaseStatus.VOID: ("作废",),
    adapters.CaseStatus.REJECTED: (),
}
SCAN_DEFAULT_DAYS = 30
SCAN_MAX_DAYS = 92


@strawberry.enum(description=d("案件种类", "Kind of case"))
class CaseKind(Enum):
    URBAN = "urban"
    LEGAL_AID = "legal_aid"
    DISPUTE = "dispute"


@strawberry.input(description=d("案件筛选", "Case filter"))
class CaseFilter:
    kind: CaseKind = strawberry.field(
        default=CaseKind.URBAN, description=d("种类，默认城管案件", "Kind, urban cases by default")
    )
    grid: str | None = strawberry.field(
        default=None, description=d("网格编码（仅城管案件）", "Grid code (urban cases only)")
    )
    community: str | None = strawberry.field(
        default=None, description=d("社区编码", "Community code")
    )
    status: adapters.CaseStatus | None = strawberry.field(
        default=None, description=d("统一状态", "Unified status")
    )
    overdue: bool | None = strawberry.field(
        default=None, description=d("是否超期（仅城管案件）", "Overdue (urban cases only)")
    )
    since: datetime | None = strawberry.field(
        default=None, description=d("受理时间起（含）", "Filed from, inclusive")
    )
    until: datetime | None = strawberry.field(
        default=None, description=d("受理时间止（不含）", "Filed until, exclusive")
    )


async def cases_page(
    info: strawberry.Info, f: CaseFilter, first: int | None, after: str | None
) -> Connection[Case]:
    _code("filter.grid", f.grid, 15)
    _code("filter.community", f.community, 12)
    offset, limit = page_window(first, after, page_cap(info))
    since = as_beijing(f.since) if f.since else None
    until = as_beijing(f.until) if f.until else None
    if since and until and until <= since:
        raise bad_input("filter.until", "until 须晚于 since / until must be after since")
    data = info.context.data
    if f.kind is not CaseKind.URBAN:
        if f.grid is not None or f.overdue is not None:
            raise bad_input(
                "filter.grid",
                "法律援助和调解只按社区筛选 / legal aid and disputes filter by community only",
            )
        communities = [f.community] if f.community else [c.code for c in await data.communities()]
        wanted = f.status.value if f.status else None
        listed: list[adapters.LegalAidCase] | list[adapters.Dispute]
        if f.kind is CaseKind.LEGAL_AID:
            lists = await asyncio.gather(
                *(data.legal_aid_cases_of_community(c) for c in communities)
            )
            listed = [x for batch in lists for x in batch]
        else:
            disputes = await asyncio.gather(*(data.disputes_of_community(c) for c in communities))
            listed = [x for batch in disputes for x in batch]
        matching = [
            c
            for c in listed
            if (wanted is None or c.status.value == wanted)
            and (since is None or c.created_at >= since)
            and (until is None or c.created_at < until)
        ]
        matching.sort(key=lambda c: c.created_at, reverse=True)
        page = matching[offset : offset + limit]
        shown: list[Case] = [
            LegalAidCase.of(c) if isinstance(c, adapters.LegalAidCase) else Dispute.of(c)
            for c in page
        ]
        return await cases_connection(info, shown, offset, len(matching))
    grids = await _urban_scope(info, f)
    if f.status is None and f.overdue is None:
        query = CaseQuery(start=since, end=until)
        if len(grids) == 1:
            page = await data.urban_cases_of_grid(grids[0], offset, limit, query)
            shown_page = [UrbanCase.of(c) for c in page.items]
            return await cases_connection(info, shown_page, offset, page.total)
        # One list per grid is all the system offers: take each grid's newest offset+limit, merge.
        pages = await asyncio.gather(*(_newest(info, g, offset + limit, query) for g in grids))
        merged = sorted((c for p in pages for c in p.items), key=lambda c: c.filed_at, reverse=True)
        total = sum(p.total for p in pages)
        newest = [UrbanCase.of(c) for c in merged[offset : offset + limit]]
        return await cases_connection(info, newest, offset, total)
    # Unified status and overdue are not filters the system has: scan a bounded period.
    until = until or datetime.now(tz=BEIJING)
    since = since or until - timedelta(days=SCAN_DEFAULT_DAYS)
    if until - since > timedelta(days=SCAN_MAX_DAYS):
        raise bad_input(
            "filter.since",
            f"按状态或超期筛选时区间不超过{SCAN_MAX_DAYS}天 / at most {SCAN_MAX_DAYS} days when filtering by status or overdue",
        )
    labels = URBAN_LABELS[f.status] if f.status else None
    query = CaseQuery(start=since, end=until)
    everything = await asyncio.gather(*(_all_cases(info, g, query) for g in grids))
    kept = [
        c
        for batch in everything
        for c in batch
        if (labels is None or c.status_label in labels)
        and (f.overdue is None or c.overdue == f.overdue)
    ]
    kept.sort(key=lambda c: c.filed_at, reverse=True)
    shown_kept = [UrbanCase.of(c) for c in kept[offset : offset + limit]]
    return await cases_connection(info, shown_kept, offset, len(kept))


async def _urban_scope(info: strawberry.Info, f: CaseFilter) -> list[str]:
    if f.grid is not None:
        return [f.grid]
    grids = await info.context.data.grids()
    return [
        g.code for g in grids if g.parent_code is None and f.community in (None, g.community_code)
    ]


async def _newest(
    info: strawberry.Info, grid: str, count: int, query: CaseQuery
) -> adapters.Page[adapters.UrbanCase]:
    cap = page_cap(info)
    first = await info.context.data.urban_cases_of_grid(grid, 0, min(count, cap), query)
    items = list(first.items)
    while len(items) < min(count, first.total):
        more = await info.context.data.urban_cases_of_grid(
            grid, len(items), min(cap, count - len(items)), query
        )
        if not more.items:
            break
        items.extend(more.items)
    return adapters.Page(first.total, items)


async def _all_cases(
    info: strawberry.Info, grid: str, query: CaseQuery
) -> list[adapters.UrbanCase]:
    page = await _newest(info, grid, 10**9, query)
    return page.items
