"""Services for residents (civil affairs, HSDS-shaped) and legal-aid people and places."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry

import adapters

from .entities import keyed, resolve_entity
from .relay import Node, global_id
from .text import bilingual as d

if TYPE_CHECKING:  # names for type checkers; Strawberry resolves the lazy types at run time
    from .people import Resident
    from .places import Grid

GridRef: TypeAlias = Annotated["Grid", strawberry.lazy("schema.places")]
ResidentRef: TypeAlias = Annotated["Resident", strawberry.lazy("schema.people")]


@strawberry.type(
    description=d(
        "社会组织、志愿服务队、物业等",
        "An organisation: social organisation, volunteer team, property company …",
    )
)
class Organisation(Node):
    code: str = strawberry.field(description=d("组织编号", "Organisation id"))
    name: str = strawberry.field(description=d("名称", "Name"))
    kind: str = strawberry.field(description=d("类型", "Kind"))
    community_code: str = strawberry.field(description=d("所属社区编码", "Community code"))

    @classmethod
    def of(cls, o: adapters.Organisation) -> Organisation:
        return cls(
            id=global_id("Organisation", o.id),
            code=o.id,
            name=o.name,
            kind=o.kind,
            community_code=o.community_code,
        )


@strawberry.type(
    description=d(
        "为居民提供的服务（助餐、日间照料、四点半课堂……）",
        "A service for residents: meals, day care, after-school class …",
    ),
    directives=keyed("Service"),
)
class Service(Node):
    raw: strawberry.Private[adapters.Service]
    code: str = strawberry.field(description=d("服务编号", "Service id"))
    name: str = strawberry.field(description=d("名称", "Name"))
    category: str = strawberry.field(description=d("类别", "Category"))
    description: str = strawberry.field(description=d("说明", "Description"))
    eligibility: str = strawberry.field(description=d("服务对象", "Who may use it"))
    fees: str = strawberry.field(description=d("收费", "Fees"))
    active: bool = strawberry.field(description=d("是否在办", "Currently offered"))

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, code: str) -> Service | None:
        """A federation reference, resolved like `node(id)`: null where the caller may not see it."""
        return await resolve_entity(info, "Service", code)  # type: ignore[no-any-return]

    @classmethod
    def of(cls, s: adapters.Service) -> Service:
        return cls(
            raw=s,
            id=global_id("Service", s.id),
            code=s.id,
            name=s.name,
            category=s.category,
            description=s.description,
            eligibility=s.eligibility,
            fees=s.fees,
            active=s.active,
        )

    @strawberry.field(description=d("提供服务的组织", "The organisation that provides it"))
    async def organisation(self, info: strawberry.Info) -> Organisation | None:
        found = await info.context.data.organisation(self.raw.organisation_id)
        return None if found is None else Organisation.of(found)

    @strawberry.field(description=d("提供该服务的阵地", "Where it is given"))
    async def centers(self, info: strawberry.Info) -> list[ServiceCenter] | None:
        return [
            ServiceCenter.of(c) for c in await info.context.data.centers_of_service(self.raw.id)
        ]


@strawberry.type(
    description=d("党群服务中心、站、驿站", "A Party-and-people service centre, station or post")
)
class ServiceCenter(Node):
    raw: strawberry.Private[adapters.ServiceCenter]
    code: str = strawberry.field(description=d("阵地编号", "Centre id"))
    name: str = strawberry.field(description=d("名称", "Name"))
    level: str = strawberry.field(
        description=d("层级：中心、站、驿站", "Level: centre, station, post")
    )
    address: str = strawberry.field(description=d("地址", "Address"))
    longitude: float = strawberry.field(description=d("经度", "Longitude"))
    latitude: float = strawberry.field(description=d("纬度", "Latitude"))
    opening_hours: str = strawberry.field(description=d("开放时间", "Opening hours"))
    community_code: str = strawberry.field(description=d("所属社区编码", "Community code"))

    @classmethod
    def of(cls, c: adapters.ServiceCenter) -> ServiceCenter:
        return cls(
            raw=c,
            id=global_id("ServiceCenter", c.id),
            code=c.id,
            name=c.name,
            level=c.level,
            address=c.address,
            longitude=c.longitude,
            latitude=c.latitude,
            opening_hours=c.opening_hours,
            community_code=c.community_code,
        )

    @strawberry.field(description=d("在此提供的服务", "Services given here"))
    async def services(self, info: strawberry.Info) -> list[Service] | None:
        return [Service.of(s) for s in await info.context.data.services_at(self.raw.id)]

    @strawberry.field(description=d("所在网格", "Grid"))
    async def grid(self, info: strawberry.Info) -> GridRef | None:
        from .places import Grid as GridType

        found = await info.context.data.grid(self.raw.grid_code)
        return None if found is None else GridType.of(found)


@strawberry.type(description=d("服务报名", "A resident's enrolment in a service"))
class Enrolment(Node):
    raw: strawberry.Private[adapters.Enrolment]
    code: str = strawberry.field(description=d("报名编号", "Enrolment id"))
    enrolled_at: datetime = strawberry.field(description=d("报名时间", "When"))
    active: bool = strawberry.field(description=d("是否在册", "Still enrolled"))
    status_label: str = strawberry.field(
        description=d("原系统状态", "Status as the registry names it")
    )

    @classmethod
    def of(cls, e: adapters.Enrolment) -> Enrolment:
        return cls(
            raw=e,
            id=global_id("Enrolment", e.id),
            code=e.id,
            enrolled_at=e.enrolled_at,
            active=e.active,
            status_label=e.status_label,
        )

    @strawberry.field(description=d("服务", "Service"))
    async def service(self, info: strawberry.Info) -> Service | None:
        found = await info.context.data.service(self.raw.service_id)
        return None if found is None else Service.of(found)

    @strawberry.field(description=d("服务阵地", "Centre"))
    async def center(self, info: strawberry.Info) -> ServiceCenter | None:
        found = await info.context.data.service_center(self.raw.center_id)
        return None if found is None else ServiceCenter.of(found)

    @strawberry.field(description=d("报名居民", "The resident"))
    async def resident(self, info: strawberry.Info) -> ResidentRef | None:
        from .people import Resident as ResidentType

        found = await info.context.data.resident(self.raw.registry_number)
        return None if found is None else ResidentType.of(found)


@strawberry.type(description=d("律师事务所", "A law office"))
class LawOffice(Node):
    code: str = strawberry.field(description=d("律所编号", "Office id"))
    name: str = strawberry.field(description=d("名称", "Name"))
    address: str = strawberry.field(description=d("地址", "Address"))
    phone: str = strawberry.field(description=d("电话", "Phone"))

    @classmethod
    def of(cls, o: adapters.LawOffice) -> LawOffice:
        return cls(
            id=global_id("LawOffice", o.id),
            code=o.id,
            name=o.name,
            address=o.address,
            phone=o.phone,
        )


@strawberry.type(description=d("律师", "A lawyer"))
class Lawyer(Node):
    raw: strawberry.Private[adapters.Lawyer]
    code: str = strawberry.field(description=d("律师编号", "Lawyer id"))
    name: str = strawberry.field(description=d("姓名", "Name"))
    specialties: list[str] = strawberry.field(description=d("专长", "Specialties"))

    @classmethod
    def of(cls, x: adapters.Lawyer) -> Lawyer:
        return cls(
            raw=x,
            id=global_id("Lawyer", x.id),
            code=x.id,
            name=x.name,
            specialties=list(x.specialties),
        )

    @strawberry.field(description=d("所在律所", "Law office"))
    async def office(self, info: strawberry.Info) -> LawOffice | None:
        found = await info.context.data.law_office(self.raw.office_id)
        return None if found is None else LawOffice.of(found)


@strawberry.type(description=d("社区法律援助工作站", "A community legal-aid workstation"))
class LegalAidWorkstation(Node):
    raw: strawberry.Private[adapters.Workstation]
    code: str = strawberry.field(description=d("工作站编号", "Workstation id"))
    name: str = strawberry.field(description=d("名称", "Name"))
    address: str = strawberry.field(description=d("地址", "Address"))
    phone: str = strawberry.field(description=d("电话", "Phone"))
    community_code: str = strawberry.field(description=d("所属社区编码", "Community code"))

    @classmethod
    def of(cls, w: adapters.Workstation) -> LegalAidWorkstation:
        return cls(
            raw=w,
            id=global_id("LegalAidWorkstation", w.id),
            code=w.id,
            name=w.name,
            address=w.address,
            phone=w.phone,
            community_code=w.community_code,
        )

    @strawberry.field(description=d("值班律师", "Duty lawyer"))
    async def duty_lawyer(self, info: strawberry.Info) -> Lawyer | None:
        if self.raw.duty_lawyer_id is None:
            return None
        found = await info.context.data.lawyer(self.raw.duty_lawyer_id)
        return None if found is None else Lawyer.of(found)
