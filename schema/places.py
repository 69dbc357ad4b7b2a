"""Places: communities, grids and micro-grids with their workers, and departments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry

import adapters

from .calls_ahead import joined
from .entities import keyed, resolve_entity
from .extensions import fields_for
from .grid_calls import cases_call, residents_call, statistics_call
from .relay import Connection, Node, connection, global_id, page_cap, page_window
from .text import bilingual as d

if TYPE_CHECKING:  # names for type checkers; Strawberry resolves the lazy types at run time
    from .cases import CaseStatistics, UrbanCase
    from .people import Resident
    from .services import LegalAidWorkstation, ServiceCenter

ResidentRef: TypeAlias = Annotated["Resident", strawberry.lazy("schema.people")]
UrbanCaseRef: TypeAlias = Annotated["UrbanCase", strawberry.lazy("schema.cases")]
CaseStatisticsRef: TypeAlias = Annotated["CaseStatistics", strawberry.lazy("schema.cases")]
ServiceCenterRef: TypeAlias = Annotated["ServiceCenter", strawberry.lazy("schema.services")]
LegalAidWorkstationRef: TypeAlias = Annotated[
    "LegalAidWorkstation", strawberry.lazy("schema.services")
]


@strawberry.type(description=d("网格员", "A grid worker (网格员) or the grid leader (网格长)"))
class GridWorker:
    code: str = strawberry.field(description=d("网格员编码", "Worker code"))
    name: str = strawberry.field(description=d("姓名", "Name"))
    phone: str | None = strawberry.field(description=d("联系电话", "Phone"))
    role: str = strawberry.field(
        description=d("职务：网格长、专职或兼职网格员", "Role: leader, full- or part-time worker")
    )
    full_time: bool = strawberry.field(description=d("是否专职", "Full-time"))

    @classmethod
    def of(cls, w: adapters.GridWorker) -> GridWorker:
        return cls(code=w.code, name=w.name, phone=w.phone, role=w.role, full_time=w.full_time)


@strawberry.type(description=d("经纬度点", "A point, longitude and latitude (WGS-84 style)"))
class Point:
    longitude: float = strawberry.field(description=d("经度", "Longitude"))
    latitude: float = strawberry.field(description=d("纬度", "Latitude"))


@strawberry.type(
    description=d(
        "网格（城管网格系统）；微网格是有上级网格的网格",
        "A grid from urban management; a micro-grid is a grid with a parent",
    ),
    directives=keyed("Grid"),
)
class Grid(Node, *fields_for("Grid")):  # type: ignore[misc]
    raw: strawberry.Private[adapters.Grid]
    code: str = strawberry.field(description=d("网格编码（15位）", "Grid code (WGBM, 15 digits)"))
    name: str = strawberry.field(description=d("网格名称", "Name"))
    level: str = strawberry.field(description=d("层级：网格或微网格", "Level: grid or micro-grid"))
    households: int = strawberry.field(description=d("户数", "Households"))
    resident_count: int = strawberry.field(description=d("人口数", "Residents"))
    boundary: list[Point] = strawberry.field(
        description=d("边界（闭合多边形）", "Boundary, a closed ring")
    )

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, code: str) -> Grid | None:
        """A federation reference, resolved like `node(id)`: null where the caller may not see it."""
        return await resolve_entity(info, "Grid", code)  # type: ignore[no-any-return]

    @classmethod
    def of(cls, g: adapters.Grid) -> Grid:
        return cls(
            raw=g,
            id=global_id("Grid", g.code),
            code=g.code,
            name=g.name,
            level=g.level,
            households=g.households,
            resident_count=g.residents,
            boundary=[Point(longitude=lon, latitude=lat) for lon, lat in g.boundary],
        )

    @strawberry.field(description=d("网格长和网格员", "Leader and workers"))
    def workers(self) -> list[GridWorker]:
        return [GridWorker.of(w) for w in self.raw.workers]

    @strawberry.field(description=d("网格长", "The grid leader"))
    def leader(self) -> GridWorker | None:
        return next((GridWorker.of(w) for w in self.raw.workers if w.role == "网格长"), None)

    @strawberry.field(description=d("上级网格", "Parent grid, for a micro-grid"))
    async def parent(self, info: strawberry.Info) -> Grid | None:
        if self.raw.parent_code is None:
            return None
        found = await info.context.data.grid(self.raw.parent_code)
        return None if found is None else Grid.of(found)

    @strawberry.field(description=d("下属微网格", "Micro-grids of this grid"))
    async def children(self, info: strawberry.Info) -> list[Grid]:
        grids = await info.context.data.grids()
        return [Grid.of(g) for g in grids if g.parent_code == self.raw.code]

    @strawberry.field(description=d("所属社区", "Community"))
    def community(self) -> Community:
        g = self.raw
        return Community.of(
            adapters.Community(g.community_code, g.community_name, g.street_code, g.street_name)
        )

    @strawberry.field(
        description=d(
            "网格内居民（民政），可按类别、姓名筛选", "Residents of this grid, from civil affairs"
        )
    )
    async def residents(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        tag: adapters.PersonType | None = None,
        name: str | None = None,
    ) -> Connection[ResidentRef] | None:
        from .people import Resident as ResidentType

        offset, limit = page_window(first, after, page_cap(info))
        call = residents_call(info.context.data, self.raw, offset, limit, tag, name)
        page = await joined(info.context, call)
        return connection([ResidentType.of(r) for r in page.items], offset, page.total)

    @strawberry.field(
        description=d(
            "网格内城管案件，按立案时间倒序", "Urban-management cases of this grid, newest first"
        )
    )
    async def cases(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[UrbanCaseRef] | None:
        from .cases import UrbanCase as UrbanCaseType
        from .people_ahead import cases_connection

        offset, limit = page_window(first, after, page_cap(info))
        page = await joined(info.context, cases_call(info.context.data, self.raw, offset, limit))
        shown = [UrbanCaseType.of(c) for c in page.items]
        return await cases_connection(info, shown, offset, page.total)

    @strawberry.field(description=d("网格内的党群服务阵地", "Service centres in this grid"))
    async def service_centers(self, info: strawberry.Info) -> list[ServiceCenterRef] | None:
        from .services import ServiceCenter as ServiceCenterType

        centers = await info.context.data.service_centers()
        return [ServiceCenterType.of(c) for c in centers if c.grid_code == self.raw.code]

    @strawberry.field(
        description=d(
            "考核统计（按立案时间段；微网格无）",
            "Performance statistics for a period of filing; null for a micro-grid",
        )
    )
    async def statistics(
        self, info: strawberry.Info, since: datetime, until: datetime
    ) -> CaseStatisticsRef | None:
        from .cases import CaseStatistics as CaseStatisticsType

        call = statistics_call(info.context.data, self.raw, since, until)
        return None if call is None else CaseStatisticsType.of(await joined(info.context, call))


@strawberry.type(description=d("社区", "A community (社区)"), directives=keyed("Community"))
class Community(Node, *fields_for("Community")):  # type: ignore[misc]
    code: str = strawberry.field(description=d("社区编码（12位）", "Community code (12 digits)"))
    name: str = strawberry.field(description=d("社区名称", "Name"))
    street_code: str = strawberry.field(description=d("街道/镇编码", "Street or town code"))
    street_name: str = strawberry.field(description=d("街道/镇名称", "Street or town name"))

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, code: str) -> Community | None:
        """A federation reference, resolved like `node(id)`: null where the caller may not see it."""
        return await resolve_entity(info, "Community", code)  # type: ignore[no-any-return]

    @classmethod
    def of(cls, c: adapters.Community) -> Community:
        return cls(
            id=global_id("Community", c.code),
            code=c.code,
            name=c.name,
            street_code=c.street_code,
            street_name=c.street_name,
        )

    @strawberry.field(
        description=d("社区内网格（不含微网格）", "Grids of this community, micro-grids excluded")
    )
    async def grids(self, info: strawberry.Info) -> list[Grid]:
        grids = await info.context.data.grids()
        return [
            Grid.of(g) for g in grids if g.community_code == self.code and g.parent_code is None
        ]

    @strawberry.field(
        description=d("考核统计（按立案时间段）", "Performance statistics for a period of filing")
    )
    async def statistics(
        self, info: strawberry.Info, since: datetime, until: datetime
    ) -> CaseStatisticsRef | None:
        from .cases import statistics_for

        return await statistics_for(info, "SQ", self.code, since, until)

    @strawberry.field(
        description=d("社区的法律援助工作站", "Legal-aid workstations of this community")
    )
    async def legal_aid_workstations(
        self, info: strawberry.Info
    ) -> list[LegalAidWorkstationRef] | None:
        from .services import LegalAidWorkstation

        stations = await info.context.data.workstations()
        return [LegalAidWorkstation.of(w) for w in stations if w.community_code == self.code]


@strawberry.type(
    description=d("职能部门", "A responsible department (职能部门)"), directives=keyed("Department")
)
class Department(Node):
    code: str = strawberry.field(description=d("部门编码", "Department code"))
    name: str = strawberry.field(description=d("部门名称", "Name"))
    short_name: str = strawberry.field(description=d("简称", "Short name"))

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, code: str) -> Department | None:
        """A federation reference, resolved like `node(id)`: null where the caller may not see it."""
        return await resolve_entity(info, "Department", code)  # type: ignore[no-any-return]

    @classmethod
    def of(cls, x: adapters.Department) -> Department:
        return cls(
            id=global_id("Department", x.code), code=x.code, name=x.name, short_name=x.short_name
        )

    @strawberry.field(
        description=d("考核统计（按立案时间段）", "Performance statistics for a period of filing")
    )
    async def statistics(
        self, info: strawberry.Info, since: datetime, until: datetime
    ) -> CaseStatisticsRef | None:
        from .cases import statistics_for

        return await statistics_for(info, "BM", self.code, since, until)
