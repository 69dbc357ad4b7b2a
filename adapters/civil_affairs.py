"""Civil-affairs records (民政) to the domain: residents, households, buildings, and the
HSDS-shaped organisations, services, service centres and enrolments."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from connectors.records import (
    CivilBuildingRecord,
    CivilEnrolmentRecord,
    CivilHouseholdRecord,
    CivilLocationRecord,
    CivilOrganisationRecord,
    CivilServiceAtLocationRecord,
    CivilServiceRecord,
)

from .domain import (
    Building,
    Enrolment,
    Household,
    Organisation,
    PersonType,
    Resident,
    Service,
    ServiceCenter,
    ServicePlacement,
    Sex,
)
from .normalise import age_on, legacy_date, normalise_phone
from .reading import RecordReader

SYSTEM = "civil-affairs"
SERVICE_STATUS = {"active": True, "inactive": False}
ENROLMENT_STATUS = {"在册": True, "已退出": False}


def sex_from(code: str, id_number: str) -> Sex:
    if code in ("1", "2"):
        return Sex.MALE if code == "1" else Sex.FEMALE
    return Sex.MALE if int(id_number[16]) % 2 == 1 else Sex.FEMALE


def resident_from_civil_affairs(record: Mapping[str, Any], today: date) -> Resident:
    read = RecordReader(SYSTEM, "resident", record)
    id_number = read.id_number("sfzh")
    birth = read.required("csrq", legacy_date)
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
        age_this_year=today.year - birth.year,
        phone=normalise_phone(read.text("lxdh", required=False)),
        registered_address=read.text("hjdz", required=False),
        current_address=read.text("xzz", required=False),
        household_code=read.text("hh"),
        building_code=read.text("ldbm"),
        grid_code=read.text("wgbm"),
        tags=read.parsed("rylx", _person_types, required=False) or (),
        relation_to_head=read.text("yhzgx", required=False),
    )


def _person_types(text: str) -> tuple[PersonType, ...]:
    return tuple(PersonType(code) for code in text.split(",") if code)


def household_from_civil_affairs(record: CivilHouseholdRecord) -> Household:
    read = RecordReader(SYSTEM, "household", record)
    return Household(
        code=read.text("hh"),
        head_name=read.text("hzxm"),
        head_registry_number=read.text("hzrkbh"),
        building_code=read.text("ldbm"),
        grid_code=read.text("wgbm"),
        address=read.text("dz", required=False),
        size=read.integer("rks"),
        member_registry_numbers=read.texts("cyrkbh"),
    )


def building_from_civil_affairs(record: CivilBuildingRecord) -> Building:
    read = RecordReader(SYSTEM, "building", record)
    return Building(
        code=read.text("ldbm"),
        name=read.text("ldmc"),
        grid_code=read.text("wgbm"),
        micro_grid_code=read.optional("wwgbm"),
        community_code=read.text("sqbm"),
        floors=read.integer("cs"),
        households=read.integer("hs"),
        leader_name=read.optional("ldzxm"),
        leader_phone=normalise_phone(read.text("ldzdh", required=False)),
    )


def organisation_from_civil_affairs(record: CivilOrganisationRecord) -> Organisation:
    read = RecordReader(SYSTEM, "organisation", record)
    return Organisation(
        id=read.text("id"),
        name=read.text("name"),
        kind=read.text("type"),
        community_code=read.text("community_code"),
    )


def service_from_civil_affairs(record: CivilServiceRecord) -> Service:
    read = RecordReader(SYSTEM, "service", record)
    return Service(
        id=read.text("id"),
        organisation_id=read.text("organization_id"),
        name=read.text("name"),
        category=read.text("category"),
        description=read.text("description", required=False),
        eligibility=read.text("eligibility_description", required=False),
        fees=read.text("fees_description", required=False),
        active=read.one_of("status", SERVICE_STATUS),
    )


def service_center_from_civil_affairs(record: CivilLocationRecord) -> ServiceCenter:
    read = RecordReader(SYSTEM, "service_center", record)
    return ServiceCenter(
        id=read.text("id"),
        name=read.text("name"),
        level=read.text("level"),
        address=read.text("address", required=False),
        longitude=read.number("longitude"),
        latitude=read.number("latitude"),
        grid_code=read.text("wgbm"),
        community_code=read.text("sqbm"),
        opening_hours=read.text("opening_hours", required=False),
    )


def placement_from_civil_affairs(record: CivilServiceAtLocationRecord) -> ServicePlacement:
    read = RecordReader(SYSTEM, "service_at_location", record)
    return ServicePlacement(service_id=read.text("service_id"), center_id=read.text("location_id"))


def enrolment_from_civil_affairs(record: CivilEnrolmentRecord) -> Enrolment:
    read = RecordReader(SYSTEM, "enrolment", record)
    enrolled = read.beijing("bmsj", required=True)
    assert enrolled is not None  # noqa: S101  (required above)
    return Enrolment(
        id=read.text("bmid"),
        registry_number=read.text("rkbh"),
        service_id=read.text("service_id"),
        center_id=read.text("location_id"),
        enrolled_at=enrolled,
        active=read.one_of("zt", ENROLMENT_STATUS),
        status_label=read.text("zt"),
    )
