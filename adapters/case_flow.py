"""A case's workflow from the urban-management system's GetCaseFlows record: the steps with who,
when and why, the 吹哨 with each department's report-in, and the attachments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.records import UrbanFlowRecord

from .reading import RecordReader

SYSTEM = "urban-management"


@dataclass(frozen=True, slots=True)
class CaseStep:
    name: str
    at: datetime
    operator: str | None
    unit: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class WhistleReport:
    department_code: str
    reported_at: datetime | None


@dataclass(frozen=True, slots=True)
class CaseWhistle:
    called_at: datetime
    deadline: datetime
    reports: tuple[WhistleReport, ...]

    def overdue(self, now: datetime) -> bool:
        """A department that reported in late, or has not reported in by a passed deadline."""
        return any(
            (r.reported_at is None and now > self.deadline)
            or (r.reported_at is not None and r.reported_at > self.deadline)
            for r in self.reports
        )


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    attachment_id: str
    kind: str
    size: int
    stage: str


@dataclass(frozen=True, slots=True)
class CaseFlow:
    number: str
    steps: tuple[CaseStep, ...]
    whistle: CaseWhistle | None
    attachments: tuple[AttachmentInfo, ...]
    extension_days: int


def _step(record: Mapping[str, Any]) -> CaseStep:
    read = RecordReader(SYSTEM, "step", record)
    at = read.beijing("SJ", required=True)
    assert at is not None  # noqa: S101  (required above)
    return CaseStep(
        name=read.text("BZ"),
        at=at,
        operator=read.optional("CZR"),
        unit=read.optional("CZBM"),
        note=read.optional("YJ"),
    )


def _attachment(record: Mapping[str, Any]) -> AttachmentInfo:
    read = RecordReader(SYSTEM, "attachment", record)
    return AttachmentInfo(
        attachment_id=read.text("FJBH"),
        kind=read.text("FJLX"),
        size=read.count("DX"),
        stage=read.text("JD", required=False),
    )


def case_flow_from_urban(record: UrbanFlowRecord) -> CaseFlow:
    read = RecordReader(SYSTEM, "flow", record)
    whistle = None
    called, deadline = read.beijing("CSSJ"), read.beijing("CSSX")
    if called is not None and deadline is not None:
        reports = []
        for item in read.records("CSBM", required=False):
            report = RecordReader(SYSTEM, "report", item)
            reports.append(WhistleReport(report.text("BMBM"), report.beijing("BDSJ")))
        whistle = CaseWhistle(called, deadline, tuple(reports))
    return CaseFlow(
        number=read.text("AJBH"),
        steps=tuple(_step(s) for s in read.records("LSJL", required=False)),
        whistle=whistle,
        attachments=tuple(_attachment(a) for a in read.records("FJ", required=False)),
        extension_days=read.count("YQTS"),
    )
