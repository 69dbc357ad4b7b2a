"""An urban case's workflow as the schema shows it: each step with who, when and why, the 吹哨
with each department's report-in, and the attachments with signed, expiring URLs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry

import adapters

from .text import bilingual as d

if TYPE_CHECKING:
    from .places import Department

DepartmentRef: TypeAlias = Annotated["Department", strawberry.lazy("schema.places")]


async def _department(info: strawberry.Info, code: str | None) -> DepartmentRef | None:
    from .places import Department as DepartmentType

    found = await info.context.data.department(code) if code else None
    return None if found is None else DepartmentType.of(found)


@strawberry.type(description=d("案件流转记录的一步", "One step of a case's workflow"))
class CaseStep:
    raw: strawberry.Private[adapters.CaseStep]
    step: str = strawberry.field(
        description=d(
            "步骤：上报、受理、立案、派遣、吹哨、报到、处置、核查、结案、作废、退回、延期",
            "The step, as the system names it",
        )
    )
    at: datetime = strawberry.field(description=d("时间", "When"))
    actor: str | None = strawberry.field(
        description=d("办理人账号（上报人见 reportedBy）", "The staff account that acted")
    )
    acting_as: str | None = strawberry.field(
        description=d("办理单位：部门编码或角色", "The department code or role acted for")
    )
    note: str | None = strawberry.field(
        description=d("意见、原因或处置结果", "The note, reason or result given")
    )

    @classmethod
    def of(cls, s: adapters.CaseStep) -> CaseStep:
        return cls(raw=s, step=s.name, at=s.at, actor=s.operator, acting_as=s.unit, note=s.note)


@strawberry.type(
    description=d("吹哨部门及其报到", "A department called by a 吹哨, and its report-in")
)
class WhistleDepartment:
    code: str = strawberry.field(description=d("部门编码", "Department code"))
    reported_at: datetime | None = strawberry.field(description=d("报到时间", "Reported in at"))

    @strawberry.field(description=d("部门", "The department"))
    async def department(self, info: strawberry.Info) -> DepartmentRef | None:
        return await _department(info, self.code)


@strawberry.type(
    description=d("社区吹哨、部门报到", "吹哨报到: departments called to a case, with a deadline")
)
class CaseWhistle:
    called_at: datetime = strawberry.field(description=d("吹哨时间", "Called at"))
    deadline: datetime = strawberry.field(description=d("报到时限", "Report-in deadline"))
    overdue: bool = strawberry.field(
        description=d("有部门逾期报到或未报到", "A department reported late, or not by now")
    )
    departments: list[WhistleDepartment] = strawberry.field(
        description=d("被召集的部门", "The departments called")
    )


@strawberry.type(description=d("案件附件：图片或录音", "A picture or voice recording of a case"))
class CaseAttachment:
    id: str = strawberry.field(description=d("附件编号", "Attachment id"))
    kind: str = strawberry.field(description=d("picture 或 voice", "picture or voice"))
    media_type: str = strawberry.field(description=d("媒体类型", "Media type"))
    size: int = strawberry.field(description=d("字节数", "Size in bytes"))
    stage: str = strawberry.field(description=d("上报或处置", "上报 (report) or 处置 (handling)"))
    url: str = strawberry.field(
        description=d(
            "签名链接，限本人、限时有效", "A signed URL for the caller only, valid for minutes"
        )
    )


@strawberry.type
class UrbanCaseFlowFields:
    """The workflow fields of UrbanCase, read by one batched call per request."""

    number: str

    @strawberry.field(description=d("流转记录（最早在前）", "The workflow history, oldest first"))
    async def history(self, info: strawberry.Info) -> list[CaseStep]:
        flow = await info.context.data.case_flow(self.number)
        return [] if flow is None else [CaseStep.of(s) for s in flow.steps]

    @strawberry.field(description=d("吹哨报到", "The 吹哨 on this case, if any"))
    async def whistle(self, info: strawberry.Info) -> CaseWhistle | None:
        flow = await info.context.data.case_flow(self.number)
        if flow is None or flow.whistle is None:
            return None
        w = flow.whistle
        return CaseWhistle(
            called_at=w.called_at,
            deadline=w.deadline,
            overdue=w.overdue(info.context.data.now()),
            departments=[
                WhistleDepartment(code=r.department_code, reported_at=r.reported_at)
                for r in w.reports
            ],
        )

    @strawberry.field(description=d("延期天数", "Days of extension granted"))
    async def extension_days(self, info: strawberry.Info) -> int:
        flow = await info.context.data.case_flow(self.number)
        return 0 if flow is None else flow.extension_days

    @strawberry.field(description=d("图片和录音", "Pictures and voice recordings"))
    async def attachments(self, info: strawberry.Info) -> list[CaseAttachment]:
        data = info.context.data
        flow = await data.case_flow(self.number)
        if flow is None:
            return []
        return [
            CaseAttachment(
                id=a.attachment_id,
                kind="voice" if a.kind.startswith("audio/") else "picture",
                media_type=a.kind,
                size=a.size,
                stage=a.stage,
                url=data.attachment_url(self.number, a.attachment_id),
            )
            for a in flow.attachments
        ]
