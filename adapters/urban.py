"""Urban-management records (数字城管) to the domain: grids and their workers, communities,
departments and cases."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.records import (
    UrbanCaseRecord,
    UrbanDepartmentRecord,
    UrbanGridRecord,
    UrbanStatisticsRecord,
)

from .domain import (
    CaseStatistics,
    CaseStatus,
    ClassCount,
    Community,
    Department,
    Grid,
    GridWorker,
    Reporter,
    UrbanCase,
)
from .normalise import beijing_time, id_number_is_valid, normalise_phone
from .reading import RecordReader

SYSTEM = "urban-management"
URBAN_STATUS = {
    "待受理": CaseStatus.RECEIVED,
    "受理": CaseStatus.RECEIVED,
    "立案": CaseStatus.RECEIVED,
    "派遣": CaseStatus.IN_PROGRESS,
    "处置": CaseStatus.IN_PROGRESS,
    "核查": CaseStatus.AWAITING_VERIFICATION,
    "结案": CaseStatus.CLOSED,
    "作废": CaseStatus.VOID,
}


def _boundary(text: str) -> tuple[tuple[float, float], ...]:
    points = []
    for pair in text.split(";"):
        lon, lat = pair.split(",")
        points.append((float(lon), float(lat)))
    return tuple(points)


def _worker(record: Mapping[str, Any]) -> GridWorker:
    read = RecordReader(SYSTEM, "worker", record)
    return GridWorker(
        code=read.text("WGYBM"),
        name=read.text("XM"),
        phone=normalise_phone(read.text("LXDH", required=False)),
        role=read.text("ZW"),
        full_time=read.text("SFZZ", required=False) == "1",
    )


def grid_from_urban(record: UrbanGridRecord) -> Grid:
    read = RecordReader(SYSTEM, "grid", record)
    return Grid(
        code=read.text("WGBM"),
        name=read.text("WGMC"),
        level=read.text("WGJB"),
        parent_code=read.optional("SJWGBM"),
        community_code=read.text("SQBM"),
        community_name=read.text("SQMC"),
        street_code=read.text("JDBM"),
        street_name=read.text("JDMC"),
        boundary=read.required("BJ", _boundary),
        households=read.count("HS"),
        residents=read.count("RKS"),
        workers=tuple(_worker(w) for w in record.get("WGYS") or []),
    )


def urban_case_from_urban(record: UrbanCaseRecord) -> UrbanCase:
    read = RecordReader(SYSTEM, "case", record)
    label = read.text("ZT")
    status = read.one_of("ZT", URBAN_STATUS)
    filed = read.beijing("LASJ", required=True)
    assert filed is not None  # noqa: S101  (required above)
    reporter = None
    if read.optional("SBRXM") or read.optional("SBRDH"):
        id_number = read.text("SBRSFZH", required=False).upper()
        reporter = Reporter(
            name=read.optional("SBRXM"),
            phone=normalise_phone(read.text("SBRDH", required=False)),
            id_number=id_number if id_number_is_valid(id_number) else None,
        )
    return UrbanCase(
        number=read.text("AJBH"),
        grid_code=read.text("WGBM"),
        main_class=read.text("DLMC"),
        sub_class=read.text("XLMC"),
        sub_class_code=read.text("XLBM"),
        source=read.text("AJLY"),
        description=read.text("WTMS", required=False),
        address=read.text("DZ", required=False),
        longitude=read.parsed("X", float, required=False),
        latitude=read.parsed("Y", float, required=False),
        filed_at=filed,
        dispatched_at=read.beijing("PQSJ"),
        deadline=read.beijing("CZSX"),
        closed_at=read.beijing("JASJ"),
        status=status,
        status_label=label,
        overdue=read.text("CQBZ", required=False) == "1",
        dispatch_count=read.count("PQCS"),
        department_code=read.text("ZRBM"),
        satisfaction=read.optional("MYD"),
        reporter=reporter,
        modified_at=read.beijing("GXSJ"),
        version=read.count("BBH") if record.get("BBH") else 0,
        co_departments=tuple(c for c in read.text("XBBM", required=False).split(",") if c),
    )


def department_from_urban(record: UrbanDepartmentRecord) -> Department:
    read = RecordReader(SYSTEM, "department", record)
    return Department(code=read.text("BMBM"), name=read.text("BMMC"), short_name=read.text("BMJC"))


def communities_from_grids(grids: list[Grid]) -> list[Community]:
    """The system has no community records: each grid names its community and street."""
    seen: dict[str, Community] = {}
    for grid in grids:
        if grid.community_code not in seen:
            seen[grid.community_code] = Community(
                grid.community_code, grid.community_name, grid.street_code, grid.street_name
            )
    return sorted(seen.values(), key=lambda c: c.code)


def _count(record: Mapping[str, Any]) -> ClassCount:
    read = RecordReader(SYSTEM, "count", record)
    return ClassCount(code=read.text("DM"), name=read.text("MC"), count=read.required("SL", int))


def statistics_from_urban(record: UrbanStatisticsRecord) -> CaseStatistics:
    read = RecordReader(SYSTEM, "statistics", record)

    def counts(name: str) -> tuple[ClassCount, ...]:
        value = record.get(name) or []
        if not isinstance(value, list):
            raise read.error(name, "not a list")
        return tuple(_count(c) for c in value)

    def whole(name: str) -> int:
        return read.required(name, int)

    return CaseStatistics(
        scope_kind=read.text("TJLX"),
        scope_code=read.text("TJDX"),
        start=read.required("KSSJ", _beijing_required),
        end=read.required("JSSJ", _beijing_required),
        reported=whole("SBS"),
        closed=whole("JAS"),
        voided=whole("ZFS"),
        overdue=whole("CQS"),
        closed_on_time=whole("ASJAS"),
        average_hours_to_close=read.required("PJCZSC", float),
        rated=whole("PJS"),
        satisfied=whole("MYS"),
        basically_satisfied=whole("JBMYS"),
        dissatisfied=whole("BMYS"),
        by_status=counts("ZTTJ"),
        by_class=counts("DLTJ"),
    )


def _beijing_required(text: str) -> datetime:
    value = beijing_time(text)
    if value is None:
        raise ValueError(text)
    return value
