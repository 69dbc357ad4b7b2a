"""Root query fields."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from enum import Enum

import strawberry

import adapters
from adapters.normalise import BEIJING, ascii_digits, id_number_is_valid

from .cases import (
    Case,
    CaseStatistics,
    Dispute,
    LegalAidCase,
    UrbanCase,
    as_beijing,
    statistics_for,
)
from .context import CaseQuery
from .errors import bad_input
from .people import Building, Household, Resident
from .places import Community, Department, Grid, page_cap
from .relay import Connection, Node, connection, page_window, parse_global_id
from .services import LegalAidWorkstation, Service, ServiceCenter
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


@strawberry.enum(description=d("统计对象", "What statistics are about"))
class StatisticsScope(Enum):
    GRID = "WG"
    COMMUNITY = "SQ"
    DEPARTMENT = "BM"


@strawberry.input(description=d("居民筛选：须指定网格", "Resident filter; a grid is required"))
class ResidentFilter:
    grid: str = strawberry.field(description=d("网格编码", "Grid code"))
    tag: adapters.PersonType | None = strawberry.field(
        default=None, description=d("人员类别", "Person type")
    )
    name: str | None = strawberry.field(
        default=None, description=d("姓名（包含）", "Name contains")
    )


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


@strawberry.input(description=d("服务筛选", "Service filter"))
class ServiceFilter:
    community: str | None = strawberry.field(
        default=None, description=d("社区编码", "Community code")
    )
    category: str | None = strawberry.field(
        default=None, description=d("类别，如 助餐", "Category, e.g. 助餐")
    )


@strawberry.input(description=d("服务阵地筛选", "Service-centre filter"))
class ServiceCenterFilter:
    grid: str | None = strawberry.field(default=None, description=d("网格编码", "Grid code"))
    community: str | None = strawberry.field(
        default=None, description=d("社区编码", "Community code")
    )
    level: str | None = strawberry.field(
        default=None, description=d("层级：中心、站、驿站", "Level")
    )


def _code(argument: str, value: str | None, digits: int) -> str | None:
    if value is not None and (len(value) != digits or not ascii_digits(value)):
        raise bad_input(
            argument, f"{argument} 应为{digits}位数字 / {argument} must be {digits} digits"
        )
    return value


async def _node(info: strawberry.Info, kind: str, key: str) -> Node | None:
    data = info.context.data
    loaders = {
        "Resident": (data.resident, Resident.of),
        "Household": (data.household, Household.of),
        "Building": (data.building, Building.of),
        "Grid": (data.grid, Grid.of),
        "Department": (data.department, Department.of),
        "UrbanCase": (data.urban_case, UrbanCase.of),
        "LegalAidCase": (data.legal_aid_case, LegalAidCase.of),
        "Dispute": (data.dispute, Dispute.of),
        "Service": (data.service, Service.of),
        "ServiceCenter": (data.service_center, ServiceCenter.of),
    }
    if kind == "Community":
        found = next((c for c in await data.communities() if c.code == key), None)
        return None if found is None else Community.of(found)
    if kind not in loaders:
        return None
    load, wrap = loaders[kind]
    value = await load(key)
    return None if value is None else wrap(value)  # type: ignore[operator]


@strawberry.type(description=d("查询", "Queries"))
class Query:
    @strawberry.field(description=d("按全局ID取任一对象", "Any object by its global ID"))
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        kind, key = parse_global_id(id)
        return await _node(info, kind, key)

    @strawberry.field(description=d("按编码取网格", "A grid by its code"))
    async def grid(self, info: strawberry.Info, code: str) -> Grid | None:
        found = await info.context.data.grid(_code("code", code, 15) or "")
        return None if found is None else Grid.of(found)

    @strawberry.field(
        description=d("网格列表（默认不含微网格）", "Grids, micro-grids excluded unless asked")
    )
    async def grids(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        community: str | None = None,
        include_micro_grids: bool = False,
    ) -> Connection[Grid] | None:
        _code("community", community, 12)
        offset, limit = page_window(first, after, page_cap(info))
        grids = [
            Grid.of(g)
            for g in await info.context.data.grids()
            if (include_micro_grids or g.parent_code is None)
            and community in (None, g.community_code)
        ]
        return connection(grids[offset : offset + limit], offset, len(grids))

    @strawberry.field(description=d("按编码取社区", "A community by its code"))
    async def community(self, info: strawberry.Info, code: str) -> Community | None:
        _code("code", code, 12)
        found = next((c for c in await info.context.data.communities() if c.code == code), None)
        return None if found is None else Community.of(found)

    @strawberry.field(description=d("全部社区", "All communities"))
    async def communities(self, info: strawberry.Info) -> list[Community] | None:
        return [Community.of(c) for c in await info.context.data.communities()]

    @strawberry.field(
        description=d(
            "按全局ID、人口编号或身份证号取居民（三选一）",
            "A resident by global ID, registry number or ID number (one of them)",
        )
    )
    async def resident(
        self,
        info: strawberry.Info,
        id: strawberry.ID | None = None,
        registry_number: str | None = None,
        id_number: str | None = None,
    ) -> Resident | None:
        given = [v for v in (id, registry_number, id_number) if v is not None]
        if len(given) != 1:
            raise bad_input(
                "id",
                "须且只能提供 id、registryNumber、idNumber 之一 / give exactly one of id, registryNumber, idNumber",
            )
        data = info.context.data
        if id_number is not None:
            if not id_number_is_valid(id_number):
                raise bad_input("idNumber", "身份证号校验失败 / ID number fails its check")
            found = await data.resident_by_id_number(id_number.upper())
        else:
            if id is not None:
                kind, registry_number = parse_global_id(id)
                if kind != "Resident":
                    return None
            number = registry_number or ""
            if not 1 <= len(number) <= 32 or not number.isascii() or not number.isalnum():
                raise bad_input("registryNumber", "人口编号格式错误 / invalid registry number")
            found = await data.resident(number)
        return None if found is None else Resident.of(found)

    @strawberry.field(
        description=d(
            "居民列表（按网格，可按类别、姓名筛选）", "Residents of a grid, by type and name"
        )
    )
    async def residents(
        self,
        info: strawberry.Info,
        filter: ResidentFilter,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Resident] | None:
        _code("filter.grid", filter.grid, 15)
        if filter.name is not None and not 1 <= len(filter.name) <= 20:
            raise bad_input("filter.name", "姓名长度应为1到20 / name must be 1..20 characters")
        offset, limit = page_window(first, after, page_cap(info))
        tag = filter.tag.value if filter.tag is not None else None
        page = await info.context.data.residents_of_grid(
            filter.grid, offset, limit, tag, filter.name
        )
        return connection([Resident.of(r) for r in page.items], offset, page.total)

    @strawberry.field(name="case", description=d("按全局ID取案件", "A case by its global ID"))
    async def case_(self, info: strawberry.Info, id: strawberry.ID) -> Case | None:
        kind, key = parse_global_id(id)
        found = (
            await _node(info, kind, key)
            if kind in ("UrbanCase", "LegalAidCase", "Dispute")
            else None
        )
        return found if isinstance(found, Case) else None

    @strawberry.field(description=d("案件列表，按受理时间倒序", "Cases, newest first"))
    async def cases(
        self,
        info: strawberry.Info,
        filter: CaseFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Case] | None:
        return await _cases(info, filter or CaseFilter(), first, after)

    @strawberry.field(
        description=d(
            "考核统计（来自城管系统统计接口）",
            "Performance statistics, from the urban-management system",
        )
    )
    async def statistics(
        self,
        info: strawberry.Info,
        scope: StatisticsScope,
        code: str,
        since: datetime,
        until: datetime,
    ) -> CaseStatistics | None:
        return await statistics_for(info, scope.value, code, since, until)

    @strawberry.field(description=d("职能部门", "Departments"))
    async def departments(self, info: strawberry.Info) -> list[Department] | None:
        return [Department.of(x) for x in await info.context.data.departments()]

    @strawberry.field(description=d("服务", "Services"))
    async def services(
        self, info: strawberry.Info, filter: ServiceFilter | None = None
    ) -> list[Service] | None:
        f = filter or ServiceFilter()
        _code("filter.community", f.community, 12)
        data = info.context.data
        services, centers = await asyncio.gather(data.services(), data.service_centers())
        if f.community is not None:
            offered = {
                s.id
                for c in centers
                if c.community_code == f.community
                for s in await data.services_at(c.id)
            }
            services = [s for s in services if s.id in offered]
        return [Service.of(s) for s in services if f.category in (None, s.category)]

    @strawberry.field(description=d("党群服务阵地", "Service centres"))
    async def service_centers(
        self, info: strawberry.Info, filter: ServiceCenterFilter | None = None
    ) -> list[ServiceCenter] | None:
        f = filter or ServiceCenterFilter()
        _code("filter.grid", f.grid, 15)
        _code("filter.community", f.community, 12)
        return [
            ServiceCenter.of(c)
            for c in await info.context.data.service_centers()
            if f.grid in (None, c.grid_code)
            and f.community in (None, c.community_code)
            and f.level in (None, c.level)
        ]

    @strawberry.field(description=d("法律援助工作站", "Legal-aid workstations"))
    async def legal_aid_workstations(
        self, info: strawberry.Info, community: str | None = None
    ) -> list[LegalAidWorkstation] | None:
        _code("community", community, 12)
        stations = await info.context.data.workstations()
        return [
            LegalAidWorkstation.of(w) for w in stations if community in (None, w.community_code)
        ]


async def _cases(
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
        if f.kind is CaseKind.LEGAL_AID:
            lists = await asyncio.gather(
                *(data.legal_aid_cases_of_community(c) for c in communities)
            )
            found: list[Case] = [LegalAidCase.of(x) for batch in lists for x in batch]
        else:
            disputes = await asyncio.gather(*(data.disputes_of_community(c) for c in communities))
            found = [Dispute.of(x) for batch in disputes for x in batch]
        found = [
            c
            for c in found
            if (wanted is None or c.status.value == wanted)
            and (since is None or c.created_at >= since)
            and (until is None or c.created_at < until)
        ]
        found.sort(key=lambda c: c.created_at, reverse=True)
        return connection(found[offset : offset + limit], offset, len(found))
    grids = await _urban_scope(info, f)
    if f.status is None and f.overdue is None:
        query = CaseQuery(start=since, end=until)
        if len(grids) == 1:
            page = await data.urban_cases_of_grid(grids[0], offset, limit, query)
            return connection([UrbanCase.of(c) for c in page.items], offset, page.total)
        # One list per grid is all the system offers: take each grid's newest offset+limit, merge.
        pages = await asyncio.gather(*(_newest(info, g, offset + limit, query) for g in grids))
        merged = sorted((c for p in pages for c in p.items), key=lambda c: c.filed_at, reverse=True)
        total = sum(p.total for p in pages)
        return connection([UrbanCase.of(c) for c in merged[offset : offset + limit]], offset, total)
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
    return connection([UrbanCase.of(c) for c in kept[offset : offset + limit]], offset, len(kept))


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
