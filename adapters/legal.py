"""Legal-aid and mediation records (法律援助 / 人民调解) to the domain."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from connectors.records import (
    LegalApplicationRecord,
    LegalDisputeRecord,
    LegalLawyerRecord,
    LegalOfficeRecord,
    LegalWorkstationRecord,
)

from .domain import (
    CaseStatus,
    Dispute,
    DisputeParty,
    LawOffice,
    Lawyer,
    LegalAidCase,
    Sex,
    Workstation,
)
from .normalise import id_number_is_valid, iso_time, normalise_phone
from .reading import RecordReader

SYSTEM = "legal-aid"
LEGAL_STATUS = {
    "待审核": CaseStatus.RECEIVED,
    "审核通过": CaseStatus.IN_PROGRESS,
    "已指派": CaseStatus.IN_PROGRESS,
    "不予援助": CaseStatus.REJECTED,
    "已结案": CaseStatus.CLOSED,
    "已归档": CaseStatus.CLOSED,
}
LEGAL_SEX = {"男": Sex.MALE, "女": Sex.FEMALE}


DISPUTE_STATUS = {
    "调解中": CaseStatus.IN_PROGRESS,
    "调解成功": CaseStatus.CLOSED,
    "调解终止": CaseStatus.CLOSED,
}


def legal_aid_case_from_legal(record: LegalApplicationRecord) -> LegalAidCase:
    read = RecordReader(SYSTEM, "application", record)
    label = read.text("status")
    return LegalAidCase(
        record_code=read.text("record_code"),
        applicant_name=read.text("apply_name"),
        applicant_id_number=read.id_number("apply_identity_no"),
        applicant_phone=normalise_phone(read.text("apply_phone", required=False)),
        sex=read.one_of("sex", LEGAL_SEX),
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


def _party(record: Mapping[str, Any]) -> DisputeParty:
    read = RecordReader(SYSTEM, "dispute_party", record)
    id_number = read.text("identity_no", required=False).upper()
    return DisputeParty(
        name=read.text("name"),
        id_number=id_number if id_number_is_valid(id_number) else None,
        phone=normalise_phone(read.text("phone", required=False)),
        role=read.text("role"),
    )


def dispute_from_legal(record: LegalDisputeRecord) -> Dispute:
    read = RecordReader(SYSTEM, "dispute", record)
    return Dispute(
        id=read.text("dispute_id"),
        kind=read.text("dispute_type"),
        community_code=read.text("case_area_id"),
        description=read.text("description", required=False),
        parties=tuple(_party(p) for p in read.records("parties")),
        mediator=read.text("mediator_name", required=False),
        status=read.one_of("status", DISPUTE_STATUS),
        status_label=read.text("status"),
        outcome=read.optional("outcome"),
        agreement_reached=read.flag("agreement_reached"),
        created_at=read.required("created_at", _zoned),
        closed_at=read.parsed("closed_at", _zoned, required=False),
    )


def lawyer_from_legal(record: LegalLawyerRecord) -> Lawyer:
    read = RecordReader(SYSTEM, "lawyer", record)
    return Lawyer(
        id=read.text("lawyer_id"),
        name=read.text("name"),
        office_id=read.text("lawyer_office_id"),
        license_no=read.text("license_no"),
        phone=normalise_phone(read.text("phone", required=False)),
        specialties=read.texts("specialties"),
    )


def law_office_from_legal(record: LegalOfficeRecord) -> LawOffice:
    read = RecordReader(SYSTEM, "law_office", record)
    return LawOffice(
        id=read.text("lawyer_office_id"),
        name=read.text("name"),
        address=read.text("address", required=False),
        phone=read.text("phone", required=False),
    )


def workstation_from_legal(record: LegalWorkstationRecord) -> Workstation:
    read = RecordReader(SYSTEM, "workstation", record)
    return Workstation(
        id=read.text("workstation_id"),
        name=read.text("name"),
        community_code=read.text("case_area_id"),
        address=read.text("address", required=False),
        phone=read.text("phone", required=False),
        duty_lawyer_id=read.optional("duty_lawyer_id"),
    )
