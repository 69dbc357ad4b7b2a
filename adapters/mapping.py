"""Pure functions from legacy records to domain objects. No I/O, no clock: `today` comes in.

An invalid record raises ContractError naming system, record kind and field, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from connectors.records import LegalApplicationRecord, UrbanCaseRecord, UrbanGridRecord

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
from .normalise import age_on, id_number_is_valid, iso_time, normalise_phone
from .reading import RecordReader

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


def sex_from(code: str, id_number: str) -> Sex:
    if code in ("1", "2"):
        return Sex.MALE if code == "1" else Sex.FEMALE
    return Sex.MALE if int(id_number[16]) % 2 == 1 else Sex.FEMALE


def _valid_id_number(read: RecordReader, name: str) -> str:
    id_number = read.text(name).upper()
    if not id_number_is_valid(id_number):
        raise read.error(name, "fails GB 11643 check")
    return id_number


def resident_from_civil_affairs(record: Mapping[str, Any], today: date) -> Resident:
    read = RecordReader("civil-affairs", "resident", record)
    id_number = _valid_id_number(read, "sfzh")
    birth = read.required("csrq", lambda text: datetime.strptime(text, "%Y%m%d").date())
    sex_code = read.text("xb", required=False)
    if sex_code not in ("", "1", "2"):
        raise read.error("xb", "unknown code")
    return Resident(
        registry_number=read.text("rkbh"),
        name=read.text("xm"),
        id_number=id_number,
        sex=sex_from(sex_code, id_number),
        birth_date=birth,
        age=age_on(birth, today),
        phone=normalise_phone(read.text("lxdh", required=False)),
        registered_address=read.text("hjdz", required=False),
        current_address=read.text("xzz", required=False),
        household_code=read.text("hh"),
        building_code=read.text("ldbm"),
        grid_code=read.text("wgbm"),
        tags=tuple(t for t in read.text("rylx", required=False).split(",") if t),
        relation_to_head=read.text("yhzgx", required=False),
    )


def _boundary(text: str) -> tuple[tuple[float, float], ...]:
    points = []
    for pair in text.split(";"):
        lon, lat = pair.split(",")
        points.append((float(lon), float(lat)))
    return tuple(points)


def _worker(record: Mapping[str, Any]) -> GridWorker:
    read = RecordReader("urban-management", "worker", record)
    return GridWorker(
        code=read.text("WGYBM"),
        name=read.text("XM"),
        phone=normalise_phone(read.text("LXDH", required=False)),
        role=read.text("ZW"),
        full_time=read.text("SFZZ", required=False) == "1",
    )


def grid_from_urban(record: UrbanGridRecord) -> Grid:
    read = RecordReader("urban-management", "grid", record)
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
    read = RecordReader("urban-management", "case", record)
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
    )


def legal_aid_case_from_legal(record: LegalApplicationRecord) -> LegalAidCase:
    read = RecordReader("legal-aid", "application", record)
    label = read.text("status")
    return LegalAidCase(
        record_code=read.text("record_code"),
        applicant_name=read.text("apply_name"),
        applicant_id_number=_valid_id_number(read, "apply_identity_no"),
        applicant_phone=normalise_phone(read.text("apply_phone", required=False)),
        sex=read.one_of("sex", {"男": Sex.MALE, "女": Sex.FEMALE}),
        community_code=read.text("case_area_id"),
        aid_type=read.text("aid_type"),
        case_type=read.text("case_type"),
        description=read.text("dispute_description", required=False),
        law_office_id=read.optional("lawyer_office_id"),
        lawyer_id=read.optional("lawyer_id"),
        status=read.one_of("status", LEGAL_STATUS),
        status_label=label,
        happened_on=read.required("happened_date", date.fromisoformat),
        created_at=read.required("created_at", _zoned),
    )


def _zoned(text: str) -> datetime:
    parsed = iso_time(text)
    assert parsed is not None  # noqa: S101  (text is not empty)
    return parsed


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
