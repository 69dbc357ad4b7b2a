"""A case's workflow as the urban-management system keeps it once anyone has acted on it: its
stage, the times the evaluation counts, every step with who, when and why, a 吹哨 with the
departments that reported in, and the attachments. Cases nobody has touched keep the timeline
they were drawn with; their history is read off those times (`drawn_history`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cases import UrbanCase


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # 上报 受理 立案 派遣 吹哨 报到 处置 核查 结案 作废 退回 延期
    at: datetime
    operator: str  # a staff account; empty where the reporter acted (they are in SBR*)
    unit: str  # a department code, or the role the operator acted in
    note: str = ""


@dataclass(slots=True)
class WhistleCall:
    """吹哨报到: the community calls departments to one case; each reports in by the deadline."""

    called_at: datetime
    deadline: datetime
    reported: dict[str, datetime | None]  # department code -> when it reported in

    def overdue(self, now: datetime) -> bool:
        return any(
            (at is None and now > self.deadline) or (at is not None and at > self.deadline)
            for at in self.reported.values()
        )


@dataclass(frozen=True, slots=True)
class Attachment:
    attachment_id: str
    kind: str  # image/jpeg, image/png, audio/amr, audio/mpeg
    content: bytes
    stage: str  # 上报 or 处置


@dataclass(slots=True)
class CaseFlow:
    stage: str
    department: str
    dispatched: datetime | None
    deadline: datetime | None
    handled: datetime | None
    closed: datetime | None
    dispatch_count: int
    history: list[Step]
    modified: datetime
    verified: bool = False
    whistle: WhistleCall | None = None
    extension_days: int = 0
    extensions: int = 0
    attachments: list[Attachment] = field(default_factory=list)
    version: int = 1
    requests: dict[str, str] = field(default_factory=dict)  # request number -> step done


def drawn_history(case: UrbanCase, now: datetime) -> list[Step]:
    """The steps a drawn case's times imply, up to now."""
    unit = case.event.department
    steps = [Step("上报", case.filed, "", case.source)]
    if case.voided:
        if case.closed is not None and case.closed <= now:
            steps.append(Step("作废", case.closed, "dispatcher", "urban_management", "重复上报"))
        return steps
    # Urgent cases are dispatched within minutes: acceptance and filing come before that.
    registered = min(case.filed + timedelta(minutes=10), case.dispatched or case.filed)
    if case.dispatched is None:
        registered = case.filed + timedelta(minutes=10)
    accepted = min(case.filed + timedelta(minutes=2), registered)
    timeline = [
        ("受理", accepted, "dispatcher", "urban_management"),
        ("立案", registered, "dispatcher", "urban_management"),
        ("派遣", case.dispatched, "dispatcher", "urban_management"),
        ("处置", case.signed, unit, unit),
        ("核查", case.handled, "inspector", "grid_worker"),
        ("结案", case.closed, "dispatcher", "urban_management"),
    ]
    for name, at, operator, acting in timeline:
        if at is None or at > now:
            break
        steps.append(Step(name, at, operator, acting))
    return steps


def flow_of(case: UrbanCase, now: datetime) -> CaseFlow:
    """The workflow state of a drawn case, taken over when someone first acts on it."""
    passed = [s for s in (case.dispatched, case.handled, case.closed) if s is not None and s <= now]
    return CaseFlow(
        stage=case.status(now),
        department=case.event.department,
        dispatched=case.dispatched if case.dispatched and case.dispatched <= now else None,
        deadline=case.deadline if case.dispatched and case.dispatched <= now else None,
        handled=case.handled if case.handled and case.handled <= now else None,
        closed=case.closed if case.closed and case.closed <= now else None,
        dispatch_count=case.dispatch_count if case.dispatched and case.dispatched <= now else 0,
        history=drawn_history(case, now),
        modified=max([case.filed, *passed]),
    )
