"""The urban-management system's records as it writes them: Beijing times as yyyyMMddHHmmss,
a case as the system's fields, and a period's statistics as the system counts them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..population import BEIJING, UrbanCase
from ..population.vocab import CASE_STATUSES
from .soap import SoapFault

TIME_FORMAT = "%Y%m%d%H%M%S"
Record = dict[str, Any]


def legacy_time(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(BEIJING).strftime(TIME_FORMAT)


def parse_legacy_time(value: str, name: str) -> datetime:
    try:
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=BEIJING)
    except ValueError as error:
        raise SoapFault(
            "Client", "2002", f"参数{name}格式错误，应为yyyyMMddHHmmss", reason="wrong-type"
        ) from error


def case_record(case: UrbanCase, now: datetime) -> Record:
    reporter = case.reporter
    return {
        "AJBH": case.number,
        "WGBM": case.grid.code,
        "DLBM": case.event.main_code,
        "DLMC": case.event.main_name,
        "XLBM": case.event.sub_code,
        "XLMC": case.event.sub_name,
        "AJLY": case.source,
        "WTMS": case.description,
        "DZ": case.address,
        "X": case.x,
        "Y": case.y,
        "LASJ": legacy_time(case.filed),
        "PQSJ": legacy_time(
            case.dispatched if case.dispatched and case.dispatched <= now else None
        ),
        "CZSX": legacy_time(case.deadline if case.dispatched and case.dispatched <= now else None),
        # A voided case is not closed: the system keeps no 结案 time for it.
        "JASJ": legacy_time(case.closed if case.status(now) == "结案" else None),
        "ZT": case.status(now),
        "CQBZ": "1" if case.is_overdue(now) else "0",
        "PQCS": case.dispatch_count if case.dispatched and case.dispatched <= now else 0,
        "ZRBM": case.department,
        "MYD": case.rating(now),
        "SBRXM": reporter.name if reporter else "",
        "SBRDH": reporter.phone if reporter else "",
        "SBRSFZH": reporter.id_number if reporter else "",
        "GXSJ": legacy_time(case.flow.modified if case.flow else _last_change(case, now)),
        "BBH": case.flow.version if case.flow else 0,
        "XBBM": ",".join(case.flow.whistle.reported) if case.flow and case.flow.whistle else "",
    }


def _last_change(case: UrbanCase, now: datetime) -> datetime:
    moments = (case.filed, case.dispatched, case.handled, case.closed)
    return max(m for m in moments if m is not None and m <= now)


def figures_of(
    kind: str,
    target: str,
    start: datetime,
    end: datetime,
    cases: Iterator[UrbanCase],
    now: datetime,
) -> Record:
    statuses: Counter[str] = Counter()
    classes: Counter[tuple[str, str]] = Counter()
    ratings: Counter[str] = Counter()
    reported = overdue = on_time = 0
    hours_to_close = 0.0
    for case in cases:
        reported += 1
        status = case.status(now)
        statuses[status] += 1
        classes[(case.event.main_code, case.event.main_name)] += 1
        late = case.is_overdue(now)
        overdue += late
        if status == "结案":
            assert case.closed is not None  # noqa: S101
            hours_to_close += (case.closed - case.filed).total_seconds() / 3600
            on_time += not late
            if case.satisfaction:
                ratings[case.satisfaction] += 1
    closed = statuses["结案"]
    rated = sum(ratings.values())
    return {
        "TJLX": kind,
        "TJDX": target,
        "KSSJ": legacy_time(start),
        "JSSJ": legacy_time(end),
        "SBS": reported,
        "JAS": closed,
        "ZFS": statuses["作废"],
        "CQS": overdue,
        "ASJAS": on_time,
        "PJCZSC": round(hours_to_close / closed, 2) if closed else 0,
        "PJS": rated,
        "MYS": ratings["满意"],
        "JBMYS": ratings["基本满意"],
        "BMYS": ratings["不满意"],
        "MYL": round((ratings["满意"] + ratings["基本满意"]) / rated, 4) if rated else 0,
        "ZTTJ": [{"DM": s, "MC": s, "SL": statuses[s]} for s in CASE_STATUSES if statuses[s]],
        "DLTJ": [{"DM": c, "MC": n, "SL": k} for (c, n), k in sorted(classes.items())],
    }
