"""Residents and where they live: households and buildings (civil affairs)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry

import adapters

from .entities import keyed, resolve_entity
from .extensions import fields_for
from .relay import Node, global_id
from .text import bilingual as d

if TYPE_CHECKING:  # names for type checkers; Strawberry resolves the lazy types at run time
    from .cases import Dispute, LegalAidCase, UrbanCase
    from .places import Grid
    from .services import Enrolment

GridRef: TypeAlias = Annotated["Grid", strawberry.lazy("schema.places")]
UrbanCaseRef: TypeAlias = Annotated["UrbanCase", strawberry.lazy("schema.cases")]
LegalAidCaseRef: TypeAlias = Annotated["LegalAidCase", strawberry.lazy("schema.cases")]
DisputeRef: TypeAlias = Annotated["Dispute", strawberry.lazy("schema.cases")]
EnrolmentRef: TypeAlias = Annotated["Enrolment", strawberry.lazy("schema.services")]

strawberry.enum(adapters.Sex, description=d("性别", "Sex"))
strawberry.enum(
    adapters.PersonType,
    description=d("人员类别（民政）", "Person type in the civil-affairs registry"),
)
strawberry.enum(
    adapters.MatchMethod,
    description=d("跨系统身份匹配方式", "How a person in another system was matched to a resident"),
)


@strawberry.type(description=d("人员类别标签", "A person-type tag with its Chinese label"))
class PersonTag:
    type: adapters.PersonType = strawberry.field(description=d("类别", "The type"))
    label: str = strawberry.field(description=d("中文名称", "Chinese label"))


@strawberry.type(
    description=d("居民（民政人口库）", "A resident, from the civil-affairs registry"),
    directives=keyed("Resident"),
)
class Resident(Node, *fields_for("Resident")):  # type: ignore[misc]
    raw: strawberry.Private[adapters.Resident]
    registry_number: str = strawberry.field(description=d("人口编号", "Registry number (rkbh)"))
    name: str | None = strawberry.field(description=d("姓名", "Name"))
    sex: adapters.Sex = strawberry.field(
        description=d(
            "性别（缺失时由身份证号推出）", "Sex (from the ID number where the code is missing)"
        )
    )
    birth_date: date | None = strawberry.field(description=d("出生日期", "Birth date"))
    birth_year: int | None = strawberry.field(description=d("出生年份", "Year of birth"))
    age: int | None = strawberry.field(
        description=d(
            "年龄（周岁）；看不到完整身份证号的角色得到按出生年份计的年龄",
            "Age in whole years; roles that see the ID number masked get the age reached this "
            "calendar year (from the birth year), which cannot date the birthday",
        )
    )
    id_number: str | None = strawberry.field(description=d("公民身份号码", "National ID number"))
    phone: str | None = strawberry.field(
        description=d("手机号（已规范为11位）", "Mobile number, normalised to 11 digits")
    )
    address: str | None = strawberry.field(description=d("现住址", "Current address"))
    registered_address: str | None = strawberry.field(
        description=d("户籍地址", "Registered (hukou) address")
    )
    relation_to_head: str = strawberry.field(
        description=d("与户主关系", "Relation to the household head")
    )
    tags: list[PersonTag] | None = strawberry.field(description=d("人员类别", "Person-type tags"))

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Resident | None:
        """A federation reference, resolved like `node(id)`: null where the caller may not see it."""
        return await resolve_entity(info, "Resident", id)  # type: ignore[no-any-return]

    @classmethod
    def of(cls, r: adapters.Resident) -> Resident:
        return cls(
            raw=r,
            id=global_id("Resident", r.registry_number),
            registry_number=r.registry_number,
            name=r.name,
            sex=r.sex,
            birth_date=r.birth_date,
            birth_year=r.birth_date.year,
            age=r.age,
            id_number=r.id_number,
            phone=r.phone,
            address=r.current_address,
            registered_address=r.registered_address,
            relation_to_head=r.relation_to_head,
            tags=[PersonTag(type=t, label=t.label) for t in r.tags],
        )

    @strawberry.field(description=d("所在户", "The resident's household"))
    async def household(self, info: strawberry.Info) -> Household | None:
        found = await info.context.data.household(self.raw.household_code)
        return None if found is None else Household.of(found)

    @strawberry.field(description=d("所在楼栋", "The resident's building"))
    async def building(self, info: strawberry.Info) -> Building | None:
        found = await info.context.data.building(self.raw.building_code)
        return None if found is None else Building.of(found)

    @strawberry.field(
        description=d("所在网格（城管网格系统）", "The resident's grid, from urban management")
    )
    async def grid(self, info: strawberry.Info) -> GridRef | None:
        from .places import Grid as GridType

        found = await info.context.data.grid(self.raw.grid_code)
        return None if found is None else GridType.of(found)

    @strawberry.field(
        description=d(
            "本人上报的城管案件（按身份证号或唯一手机号关联）",
            "Urban-management cases this resident reported",
        )
    )
    async def reported_cases(self, info: strawberry.Info) -> list[UrbanCaseRef] | None:
        from .cases import UrbanCase

        found = await info.context.data.urban_cases_reported_by(self.raw)
        return [UrbanCase.of(c) for c in found]

    @strawberry.field(
        description=d("本人的法律援助申请", "Legal-aid applications by this resident")
    )
    async def legal_aid_cases(self, info: strawberry.Info) -> list[LegalAidCaseRef] | None:
        from .cases import LegalAidCase as LegalAidCaseType

        found = await info.context.data.legal_aid_cases_of_person(self.raw.id_number)
        return [LegalAidCaseType.of(c) for c in found]

    @strawberry.field(
        description=d("本人作为当事人的调解纠纷", "Mediation disputes this resident is a party to")
    )
    async def disputes(self, info: strawberry.Info) -> list[DisputeRef] | None:
        from .cases import Dispute as DisputeType

        found = await info.context.data.disputes_of_person(self.raw.id_number)
        return [DisputeType.of(x) for x in found]

    @strawberry.field(description=d("服务报名", "Service enrolments"))
    async def enrolments(self, info: strawberry.Info) -> list[EnrolmentRef] | None:
        from .services import Enrolment as EnrolmentType

        found = await info.context.data.enrolments_of(self.raw.registry_number)
        return [EnrolmentType.of(e) for e in found]


@strawberry.type(description=d("户", "A household"))
class Household(Node):
    raw: strawberry.Private[adapters.Household]
    code: str = strawberry.field(description=d("户号", "Household number"))
    address: str | None = strawberry.field(description=d("地址", "Address"))
    size: int | None = strawberry.field(
        description=d(
            "人数（与成员同权限：人数即户内情况）",
            "Number of members; to whoever may see the members, as it tells what they would",
        )
    )

    @classmethod
    def of(cls, h: adapters.Household) -> Household:
        return cls(
            raw=h, id=global_id("Household", h.code), code=h.code, address=h.address, size=h.size
        )

    @strawberry.field(description=d("户成员", "Members"))
    async def members(self, info: strawberry.Info) -> list[Resident | None] | None:
        data = info.context.data
        numbers = self.raw.member_registry_numbers
        found = await asyncio.gather(*(data.resident(number) for number in numbers))
        return [None if r is None else Resident.of(r) for r in found]

    @strawberry.field(description=d("所在楼栋", "Building"))
    async def building(self, info: strawberry.Info) -> Building | None:
        found = await info.context.data.building(self.raw.building_code)
        return None if found is None else Building.of(found)


@strawberry.type(description=d("楼栋", "A building"))
class Building(Node):
    raw: strawberry.Private[adapters.Building]
    code: str = strawberry.field(description=d("楼栋编码", "Building code"))
    name: str = strawberry.field(description=d("楼栋名称", "Building name"))
    floors: int = strawberry.field(description=d("层数", "Floors"))
    households: int = strawberry.field(description=d("户数", "Households"))
    leader_name: str | None = strawberry.field(description=d("楼栋长", "Building leader (楼栋长)"))

    @classmethod
    def of(cls, b: adapters.Building) -> Building:
        return cls(
            raw=b,
            id=global_id("Building", b.code),
            code=b.code,
            name=b.name,
            floors=b.floors,
            households=b.households,
            leader_name=b.leader_name,
        )

    @strawberry.field(description=d("所在网格", "Grid"))
    async def grid(self, info: strawberry.Info) -> GridRef | None:
        from .places import Grid as GridType

        found = await info.context.data.grid(self.raw.grid_code)
        return None if found is None else GridType.of(found)


@strawberry.type(
    description=d(
        "跨系统身份匹配结果", "Which resident a person named in another system is, and how we know"
    )
)
class IdentityMatch:
    method: adapters.MatchMethod = strawberry.field(description=d("匹配方式", "How it matched"))
    resident: Resident | None = strawberry.field(
        description=d("匹配到的居民", "The matched resident")
    )
