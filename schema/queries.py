"""Root query fields."""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import Enum

import strawberry

import adapters
from adapters.normalise import id_number_is_valid

from .calls_ahead import start_item_calls
from .case_lists import CaseFilter, cases_page
from .cases import (
    Case,
    CaseStatistics,
    Dispute,
    LegalAidCase,
    UrbanCase,
    statistics_for,
)
from .errors import bad_input
from .errors import code_argument as _code
from .extensions import fields_for
from .people import Building, Household, Resident
from .places import Community, Department, Grid
from .relay import Connection, Node, connection, page_cap, page_window, parse_global_id
from .services import LegalAidWorkstation, Service, ServiceCenter
from .text import bilingual as d


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


async def resolve_node(info: strawberry.Info, kind: str, key: str) -> Node | None:
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
class Query(*fields_for("Query")):  # type: ignore[misc]
    @strawberry.field(description=d("按全局ID取任一对象", "Any object by its global ID"))
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        kind, key = parse_global_id(id)
        return await resolve_node(info, kind, key)

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
            g
            for g in await info.context.data.grids()
            if (include_micro_grids or g.parent_code is None)
            and community in (None, g.community_code)
        ]
        # Only the page is made into GraphQL objects: a district has hundreds or thousands.
        shown = [Grid.of(g) for g in grids[offset : offset + limit]]
        await start_item_calls(info, shown)
        return connection(shown, offset, len(grids))

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
            await resolve_node(info, kind, key)
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
        return await cases_page(info, filter or CaseFilter(), first, after)

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
