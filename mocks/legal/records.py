"""Legal-aid records as the REST API returns them: snake_case, ISO 8601 times with +08:00."""

from __future__ import annotations

from typing import Any

from ..population.legal import Application, Dispute, LawOffice, Lawyer, Workstation

Record = dict[str, Any]


def application_record(a: Application) -> Record:
    return {
        "record_code": a.record_code,
        "apply_name": a.applicant.name,
        "sex": "男" if a.applicant.male else "女",
        "apply_phone": a.applicant.phone,
        "apply_identity_no": a.applicant.id_number,
        "apply_address": a.applicant.address,
        "case_area_id": a.community_code,
        "aid_type": a.aid_type,
        "case_type": a.case_type,
        "dispute_description": a.description,
        "lawyer_office_id": a.office_id or None,
        "lawyer_id": a.lawyer_id or None,
        "status": a.status,
        "happened_date": a.happened.isoformat(),
        "created_at": a.created_at.isoformat(),
        "updated_at": a.updated_at.isoformat(),
    }


def dispute_record(d: Dispute) -> Record:
    return {
        "dispute_id": d.id,
        "dispute_type": d.kind,
        "case_area_id": d.community_code,
        "description": d.description,
        "parties": [
            {"name": p.name, "identity_no": p.id_number, "phone": p.phone, "role": p.role}
            for p in d.parties
        ],
        "mediator_name": d.mediator,
        "status": d.status,
        "outcome": d.outcome or None,
        "agreement_reached": d.agreement_reached,
        "created_at": d.created_at.isoformat(),
        "closed_at": d.closed_at.isoformat() if d.closed_at else None,
    }


def lawyer_record(lawyer: Lawyer) -> Record:
    return {
        "lawyer_id": lawyer.id,
        "name": lawyer.name,
        "lawyer_office_id": lawyer.office_id,
        "license_no": lawyer.license_no,
        "phone": lawyer.phone,
        "specialties": list(lawyer.specialties),
    }


def office_record(office: LawOffice) -> Record:
    return {
        "lawyer_office_id": office.id,
        "name": office.name,
        "address": office.address,
        "phone": office.phone,
    }


def workstation_record(station: Workstation) -> Record:
    return {
        "workstation_id": station.id,
        "name": station.name,
        "case_area_id": station.community_code,
        "address": station.address,
        "phone": station.phone,
        "duty_lawyer_id": station.lawyer_id,
    }
