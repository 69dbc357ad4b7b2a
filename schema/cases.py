"""Cases of three kinds behind one interface: urban-management cases, legal-aid applications
and mediation disputes, each with one unified status and its own fields; and statistics."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry

import adapters
from adapters.normalise import BEIJING

from .case_flow import UrbanCaseFlowFields
from .entities import keyed, resolve_entity
from .relay import Node, global_id
from .text import bilingual as d

if TYPE_CHECKING:  # names for type checkers; Strawberry resolves the lazy types at run time
    from .people import IdentityMatch
    from .places import Community, Department, Grid
    from .services import Lawyer

GridRef: TypeAlias = Annotated["Grid", strawberry.lazy("schema.places")]
CommunityRef: TypeAlias = Annotated["Community", strawberry.lazy("schema.places")]
DepartmentRef: TypeAlias = Annotated["Department", strawberry.lazy("schema.places")]
IdentityMatchRef: TypeAlias = Annotated["IdentityMatch", strawberry.lazy("schema.people")]
LawyerRef: TypeAlias = Annotated["Lawyer", strawberry.lazy("schema.services")]

strawberry.enum(
    adapters.CaseStatus, description=d("统一的案件状态", "One status for every kind of case")
)


async def _community(info: strawberry.Info, code: str) -> CommunityRef | None:
    from .places import Community as CommunityType

    found = next((c for c in await info.context.data.communities() if c.code == code), None)
    return None if found is None else CommunityType.of(found)


async def _identify(
    info: strawberry.Info, id_number: str | None, phone: str | None
) -> IdentityMatchRef:
    from .people import IdentityMatch as IdentityMatchType
    from .people import Resident

    match, resident = await info.context.data.identify(id_number, phone)
    return IdentityMatchType(
        method=match.method, resident=None if resident is None else Resident.of(resident)
    )


@strawberry.interface(
    description=d(
        "案件：城管案件、法律援助申请或调解纠纷",
        "A case: urban-management case, legal-aid application or mediation dispute",
    )
)
class Case(Node):
    number: str = strawberry.field(
        description=d("各系统的案件编号", "The case number in its own system")
    )
    status: adapters.CaseStatus = strawberry.field(description=d("统一状态", "Unified status"))
    status_label: str = strawberry.field(
        description=d("原系统状态", "Status as the legacy system names it")
    )
    created_at: datetime = strawberry.field(
        description=d("受理/立案/申请时间", "When the case was filed")
    )
    community_code: str = strawberry.field(description=d("所属社区编码", "Community code"))

    @strawberry.field(description=d("所属社区", "Community"))
    async def community(self, info: strawberry.Info) -> CommunityRef | None:
        return await _community(info, self.community_code)


@strawberry.type(description=d("上报人（城管案件）", "Who reported an urban-management case"))
class CaseReporter:
    name: str | None = strawberry.field(description=d("姓名", "Name"))
    phone: str | None = strawberry.field(description=d("电话", "Phone"))


@strawberry.type(
    description=d("城管案件（事件）", "An urban-management case (事件)"),
    directives=keyed("UrbanCase"),
)
class UrbanCase(Case, UrbanCaseFlowFields):
    raw: strawberry.Private[adapters.UrbanCase]
    main_class: str = strawberry.field(description=d("大类", "Main class"))
    sub_class: str = strawberry.field(description=d("小类", "Sub class"))
    source: str = strawberry.field(
        description=d("来源", "Source: patrol, hotline, mini program, video, assigned")
    )
    description: str = strawberry.field(description=d("问题描述", "Description"))
    address: str = strawberry.field(description=d("地址", "Address"))
    longitude: float | None = strawberry.field(description=d("经度", "Longitude"))
    latitude: float | None = strawberry.field(description=d("纬度", "Latitude"))
    dispatched_at: datetime | None = strawberry.field(description=d("派遣时间", "Dispatched at"))
    deadline: datetime | None = strawberry.field(description=d("处置时限", "Deadline"))
    closed_at: datetime | None = strawberry.field(description=d("结案时间", "Closed at"))
    overdue: bool = strawberry.field(description=d("是否超期", "Overdue"))
    dispatch_count: int = strawberry.field(description=d("派遣次数", "Times dispatched"))
    satisfaction: str | None = strawberry.field(description=d("满意度评价", "Satisfaction rating"))

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, number: str) -> UrbanCase | None:
        """A federation reference, resolved like `node(id)`: null where the caller may not see it."""
        return await resolve_entity(info, "UrbanCase", number)  # type: ignore[no-any-return]

    @classmethod
    def of(cls, c: adapters.UrbanCase) -> UrbanCase:
        return cls(
            raw=c,
            id=global_id("UrbanCase", c.number),
            number=c.number,
            status=c.status,
            status_label=c.status_label,
            created_at=c.filed_at,
            community_code=c.grid_code[:12],
            main_class=c.main_class,
            sub_class=c.sub_class,
            source=c.source,
            description=c.description,
            address=c.address,
            longitude=c.longitude,
            latitude=c.latitude,
            dispatched_at=c.dispatched_at,
            deadline=c.deadline,
            closed_at=c.closed_at,
            overdue=c.overdue,
            dispatch_count=c.dispatch_count,
            satisfaction=c.satisfaction,
        )

    @strawberry.field(description=d("所在网格", "Grid"))
    async def grid(self, info: strawberry.Info) -> GridRef | None:
        from .places import Grid as GridType

        found = await info.context.data.grid(self.raw.grid_code)
        return None if found is None else GridType.of(found)

    @strawberry.field(description=d("责任部门", "Responsible department"))
    async def department(self, info: strawberry.Info) -> DepartmentRef | None:
        from .places import Department as DepartmentType

        found = await info.context.data.department(self.raw.department_code)
        return None if found is None else DepartmentType.of(found)

    @strawberry.field(description=d("上报人原始信息", "The reporter as the case records them"))
    def reported_by(self) -> CaseReporter | None:
        r = self.raw.reporter
        return None if r is None else CaseReporter(name=r.name, phone=r.phone)

    @strawberry.field(
        description=d(
            "上报人对应的居民及匹配方式（身份证号，或仅一人使用的手机号）",
            "The resident who reported it, and how they were matched",
        )
    )
    async def reporter(self, info: strawberry.Info) -> IdentityMatchRef | None:
        r = self.raw.reporter
        if r is None:
            return None
        return await _identify(info, r.id_number, r.phone)


@strawberry.type(description=d("法律援助申请", "A legal-aid application (法律援助)"))
class LegalAidCase(Case):
    raw: strawberry.Private[adapters.LegalAidCase]
    aid_type: str = strawberry.field(description=d("援助类型", "Type of aid"))
    case_type: str = strawberry.field(
        description=d("案件类别：刑事、民事、行政", "Criminal, civil or administrative")
    )
    description: str | None = strawberry.field(description=d("纠纷描述", "Dispute description"))
    happened_on: date = strawberry.field(description=d("发生日期", "When it happened"))
    applicant_name: str | None = strawberry.field(description=d("申请人姓名", "Applicant's name"))

    @classmethod
    def of(cls, c: adapters.LegalAidCase) -> LegalAidCase:
        return cls(
            raw=c,
            id=global_id("LegalAidCase", c.record_code),
            number=c.record_code,
            status=c.status,
            status_label=c.status_label,
            created_at=c.created_at,
            community_code=c.community_code,
            aid_type=c.aid_type,
            case_type=c.case_type,
            description=c.description,
            happened_on=c.happened_on,
            applicant_name=c.applicant_name,
        )

    @strawberry.field(
        description=d(
            "申请人对应的居民及匹配方式", "The applicant as a resident, and how they were matched"
        )
    )
    async def applicant(self, info: strawberry.Info) -> IdentityMatchRef | None:
        return await _identify(info, self.raw.applicant_id_number, self.raw.applicant_phone)

    @strawberry.field(description=d("指派律师", "Assigned lawyer"))
    async def lawyer(self, info: strawberry.Info) -> LawyerRef | None:
        from .services import Lawyer as LawyerType

        if self.raw.lawyer_id is None:
            return None
        found = await info.context.data.lawyer(self.raw.lawyer_id)
        return None if found is None else LawyerType.of(found)


@strawberry.type(description=d("纠纷当事人", "A party to a dispute"))
class DisputeParty:
    raw: strawberry.Private[adapters.DisputeParty]
    name: str | None = strawberry.field(description=d("姓名", "Name"))
    role: str = strawberry.field(description=d("角色：申请人、被申请人", "Role"))

    @strawberry.field(description=d("当事人对应的居民", "The party as a resident"))
    async def resident(self, info: strawberry.Info) -> IdentityMatchRef | None:
        return await _identify(info, self.raw.id_number, self.raw.phone)


@strawberry.type(description=d("人民调解纠纷", "A people's-mediation dispute (人民调解)"))
class Dispute(Case):
    raw: strawberry.Private[adapters.Dispute]
    kind: str = strawberry.field(description=d("纠纷类型", "Type, e.g. 邻里纠纷"))
    description: str = strawberry.field(description=d("纠纷描述", "Description"))
    mediator: str = strawberry.field(description=d("调解员", "Mediator"))
    outcome: str | None = strawberry.field(description=d("调解结果", "Outcome"))
    agreement_reached: bool = strawberry.field(description=d("是否达成协议", "Agreement reached"))
    closed_at: datetime | None = strawberry.field(description=d("结束时间", "Closed at"))

    @classmethod
    def of(cls, x: adapters.Dispute) -> Dispute:
        return cls(
            raw=x,
            id=global_id("Dispute", x.id),
            number=x.id,
            status=x.status,
            status_label=x.status_label,
            created_at=x.created_at,
            community_code=x.community_code,
            kind=x.kind,
            description=x.description,
            mediator=x.mediator,
            outcome=x.outcome,
            agreement_reached=x.agreement_reached,
            closed_at=x.closed_at,
        )

    @strawberry.field(description=d("当事人", "Parties"))
    def parties(self) -> list[DisputeParty]:
        return [DisputeParty(raw=p, name=p.name, role=p.role) for p in self.raw.parties]


@strawberry.type(description=d("分类计数", "A count by class or status"))
class ClassCount:
    code: str = strawberry.field(description=d("编码", "Code"))
    name: str = strawberry.field(description=d("名称", "Name"))
    count: int = strawberry.field(description=d("数量", "Count"))


@strawberry.type(
    description=d(
        "考核评价统计（来自城管系统的统计接口）",
        "Performance statistics, from the urban-management statistics operation",
    )
)
class CaseStatistics:
    scope: str = strawberry.field(
        description=d(
            "统计对象：WG网格、SQ社区、BM部门", "Scope: WG grid, SQ community, BM department"
        )
    )
    code: str = strawberry.field(description=d("统计对象编码", "Scope code"))
    since: datetime = strawberry.field(description=d("起（含）", "From, inclusive"))
    until: datetime = strawberry.field(description=d("止（不含）", "Until, exclusive"))
    reported: int = strawberry.field(description=d("上报数", "Cases reported"))
    closed: int = strawberry.field(description=d("结案数", "Cases closed"))
    overdue: int = strawberry.field(description=d("超期数", "Cases overdue"))
    average_days_to_close: float | None = strawberry.field(
        description=d("平均办结天数", "Average days from filing to closing")
    )
    on_time_rate: float | None = strawberry.field(
        description=d("按期结案率", "Share of closed cases closed on time")
    )
    satisfaction_rate: float | None = strawberry.field(
        description=d(
            "满意率（满意与基本满意占评价数）", "Share of ratings that are 满意 or 基本满意"
        )
    )
    rated: int = strawberry.field(description=d("评价数", "Ratings"))
    by_status: list[ClassCount] = strawberry.field(description=d("按状态", "By status"))
    by_class: list[ClassCount] = strawberry.field(description=d("按大类", "By main class"))

    @classmethod
    def of(cls, s: adapters.CaseStatistics) -> CaseStatistics:
        return cls(
            scope=s.scope_kind,
            code=s.scope_code,
            since=s.start,
            until=s.end,
            reported=s.reported,
            closed=s.closed,
            overdue=s.overdue,
            average_days_to_close=round(s.average_hours_to_close / 24, 2) if s.closed else None,
            on_time_rate=round(s.closed_on_time / s.closed, 4) if s.closed else None,
            satisfaction_rate=round((s.satisfied + s.basically_satisfied) / s.rated, 4)
            if s.rated
            else None,
            rated=s.rated,
            by_status=[ClassCount(code=c.code, name=c.name, count=c.count) for c in s.by_status],
            by_class=[ClassCount(code=c.code, name=c.name, count=c.count) for c in s.by_class],
        )


def as_beijing(moment: datetime) -> datetime:
    """A time without a zone is taken as Beijing time, as every system here keeps it."""
    return moment.replace(tzinfo=BEIJING) if moment.tzinfo is None else moment


def statistics_period(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """A period figures are asked for, in Beijing time: `until` after `since`, a year at most.
    Checked here, so that no system is asked for a period it would refuse."""
    from .errors import bad_input

    since, until = as_beijing(since), as_beijing(until)
    if until <= since:
        raise bad_input("until", "until 须晚于 since / until must be after since")
    if (until - since).days > 366:
        raise bad_input("until", "统计区间不超过366天 / at most 366 days")
    return since, until


async def statistics_for(
    info: strawberry.Info, kind: str, code: str, since: datetime, until: datetime
) -> CaseStatistics:
    since, until = statistics_period(since, until)
    return CaseStatistics.of(await info.context.data.statistics(kind, code, since, until))
