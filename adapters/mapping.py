"""Pure functions from legacy records to domain objects. No I/O, no clock: `today` comes in.

An invalid record raises ContractError naming system, record kind and field, never the value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from connectors.records import LegalApplicationRecord, UrbanCaseRecord, UrbanGridRecord
from gateway.errors import ContractError

from .domain import (
    CaseStatus,
    Grid,
    GridWorker,
    IdentityMatch,
    LegalAidCase,
    MatchMethod,
    Reporter,
    Resident,
    Sex,
    UrbanCase,
)
from .normalise import age_on, beijing_time, id_number_is_valid, iso_time, normalise_phone

T = TypeVar("T")

URBAN_STATUS = {
    "受理": CaseStatus.RECEIVED,
    "立案": CaseStatus.RECEIVED,
    "派遣": CaseStatus.IN_PROGRESS,
    "处置": CaseStatus.IN_PROGRESS,
    "核查": CaseStatus.AWAITING_VERIFICATION,
    "结案": CaseStatus.CLOSED,
    "作废": CaseStatus.VOID,
}
LEGAL_STATUS = {
    "待审核": CaseStatus.RECEIVED,
    "审核通过": CaseStatus.IN_PROGRESS,
    "已指派": CaseStatus.IN_PROGRESS,
    "不予援助": CaseStatus.REJECTED,
    "已结案": CaseStatus.CLOSED,
    "已归档": CaseStatus.CLOSED,
}


def _field(
    system: str, record: str, data: Mapping[str, Any], name: str, required: bool = True
) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ContractError(system, record, name, "not a string")
    if required and not value.strip():
        raise ContractError(system, record, name, "missing")
    return value.strip()


def _parsed(system: str, record: str, name: str, parse: Callable[[], T]) -> T:
    try:
        return parse()
    except (ValueError, TypeError, IndexError):
        raise ContractError(system, record, name, "unparseable") from None


def sex_from(code: str, id_number: str) -> Sex:
    if code in ("1", "2"):
        return Sex.MALE if code == "1" else Sex.FEMALE
    return Sex.MALE if int(id_number[16]) % 2 == 1 else Sex.FEMALE


def resident_from_civil_affairs(record: Mapping[str, Any], today: date) -> Resident:
    system, kind = "civil-affairs", "resident"

    def get(name: str, required: bool = True) -> str:
        return _field(system, kind, record, name, required)

    id_number = get("sfzh").upper()
    if not id_number_is_valid(id_number):
        raise ContractError(system, kind, "sfzh", "fails GB 11643 check")
    birth = _parsed(system, kind, "csrq", lambda: datetime.strptime(get("csrq"), "%Y%m%d").date())
    sex_code = get("xb", required=False)
    if sex_code not in ("", "1", "2"):
        raise ContractError(system, kind, "xb", "unknown code")
    tags = tuple(t for t in get("rylx", required=False).split(",") if t)
    return Resident(
        registry_number=get("rkbh"),
        name=get("xm"),
        id_number=id_number,
        sex=sex_from(sex_code, id_number),
        birth_date=birth,
        age=age_on(birth, today),
        phone=normalise_phone(get("lxdh", required=False)),
        registered_address=get("hjdz", required=False),
        current_address=get("xzz", required=False),
        household_code=get("hh"),
        building_code=get("ldbm"),
        grid_code=get("wgbm"),
        tags=tags,
        relation_to_head=get("yhzgx", required=False),
    )


def _boundary(text: str) -> tuple[tuple[float, float], ...]:
    points = []
    for pair in text.split(";"):
        lon, lat = pair.split(",")
        points.append((float(lon), float(lat)))
    return tuple(points)


def grid_from_urban(record: UrbanGridRecord) -> Grid:
    system, kind = "urban-management", "grid"
    data: Mapping[str, Any] = record

    def get(name: str, required: bool = True) -> str:
        return _field(system, kind, data, name, required)

    workers = tuple(
        GridWorker(
            code=_field(system, "worker", w, "WGYBM"),
            name=_field(system, "worker", w, "XM"),
            phone=normalise_phone(_field(system, "worker", w, "LXDH", False)),
            role=_field(system, "worker", w, "ZW"),
            full_time=_field(system, "worker", w, "SFZZ", False) == "1",
        )
        for w in record.get("WGYS") or []
    )
    return Grid(
        code=get("WGBM"),
        name=get("WGMC"),
        level=get("WGJB"),
        parent_code=get("SJWGBM", False) or None,
        community_code=get("SQBM"),
        community_name=get("SQMC"),
        street_code=get("JDBM"),
        street_name=get("JDMC"),
        boundary=_parsed(system, kind, "BJ", lambda: _boundary(get("BJ"))),
        households=_parsed(system, kind, "HS", lambda: int(get("HS", False) or 0)),
        residents=_parsed(system, kind, "RKS", lambda: int(get("RKS", False) or 0)),
        workers=workers,
    )


def urban_case_from_urban(record: UrbanCaseRecord) -> UrbanCase:
    system, kind = "urban-management", "case"
    data: Mapping[str, Any] = record

    def get(name: str, required: bool = True) -> str:
        return _field(system, kind, data, name, required)

    def when(name: str, required: bool = False) -> datetime | None:
        return _parsed(system, kind, name, lambda: beijing_time(get(name, required)))

    label = get("ZT")
    if label not in URBAN_STATUS:
        raise ContractError(system, kind, "ZT", "unknown status")
    filed = when("LASJ", required=True)
    assert filed is not None  # noqa: S101  (required above)
    reporter = None
    if get("SBRXM", False) or get("SBRDH", False):
        id_number = get("SBRSFZH", False).upper()
        reporter = Reporter(
            name=get("SBRXM", False) or None,
            phone=normalise_phone(get("SBRDH", False)),
            id_number=id_number if id_number_is_valid(id_number) else None,
        )

    def coordinate(name: str) -> float | None:
        text = get(name, False)
        return _parsed(system, kind, name, lambda: float(text)) if text else None

    return UrbanCase(
        number=get("AJBH"),
        grid_code=get("WGBM"),
        main_class=get("DLMC"),
        sub_class=get("XLMC"),
        source=get("AJLY"),
        description=get("WTMS", False),
        address=get("DZ", False),
        longitude=coordinate("X"),
        latitude=coordinate("Y"),
        filed_at=filed,
        dispatched_at=when("PQSJ"),
        deadline=when("CZSX"),
        closed_at=when("JASJ"),
        status=URBAN_STATUS[label],
        status_label=label,
        overdue=get("CQBZ", False) == "1",
        dispatch_count=_parsed(system, kind, "PQCS", lambda: int(get("PQCS", False) or 0)),
        department_code=get("ZRBM"),
        satisfaction=get("MYD", False) or None,
        reporter=reporter,
    )


def legal_aid_case_from_legal(record: LegalApplicationRecord) -> LegalAidCase:
    system, kind = "legal-aid", "application"
    data: Mapping[str, Any] = record

    def get(name: str, required: bool = True) -> str:
        return _field(system, kind, data, name, required)

    id_number = get("apply_identity_no").upper()
    if not id_number_is_valid(id_number):
        raise ContractError(system, kind, "apply_identity_no", "fails GB 11643 check")
    label = get("status")
    if label not in LEGAL_STATUS:
        raise ContractError(system, kind, "status", "unknown status")
    sex_label = get("sex")
    if sex_label not in ("男", "女"):
        raise ContractError(system, kind, "sex", "unknown value")
    created = _parsed(system, kind, "created_at", lambda: iso_time(get("created_at")))
    assert created is not None  # noqa: S101  (required above)
    return LegalAidCase(
        record_code=get("record_code"),
        applicant_name=get("apply_name"),
        applicant_id_number=id_number,
        applicant_phone=normalise_phone(get("apply_phone", False)),
        sex=Sex(sex_label),
        community_code=get("case_area_id"),
        aid_type=get("aid_type"),
        case_type=get("case_type"),
        description=get("dispute_description", False),
        law_office_id=get("lawyer_office_id", False) or None,
        lawyer_id=get("lawyer_id", False) or None,
        status=LEGAL_STATUS[label],
        status_label=label,
        happened_on=_parsed(
            system, kind, "happened_date", lambda: date.fromisoformat(get("happened_date"))
        ),
        created_at=created,
    )


def match_identity(
    id_number: str | None,
    phone: str | None,
    residents_by_id: Mapping[str, Resident],
    residents_by_phone: Mapping[str, list[Resident]],
) -> IdentityMatch:
    """Link a person named in another system to a resident: by ID number, else by a phone that
    exactly one resident has."""
    if id_number and id_number in residents_by_id:
        return IdentityMatch(MatchMethod.ID_NUMBER, residents_by_id[id_number].registry_number)
    if phone:
        holders = residents_by_phone.get(phone, [])
        if len(holders) == 1:
            return IdentityMatch(MatchMethod.PHONE, holders[0].registry_number)
        if len(holders) > 1:
            return IdentityMatch(MatchMethod.AMBIGUOUS, None)
    return IdentityMatch(MatchMethod.NONE, None)
