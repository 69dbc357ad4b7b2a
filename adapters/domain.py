"""The domain model the schema serves, independent of any legacy system's shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")


class Sex(Enum):
    MALE = "男"
    FEMALE = "女"


class CaseStatus(Enum):
    """One status for every kind of case; each kind keeps its own label beside it."""

    RECEIVED = "受理"
    IN_PROGRESS = "办理中"
    AWAITING_VERIFICATION = "核查"
    CLOSED = "办结"
    REJECTED = "不予受理"
    VOID = "作废"


class PersonType(Enum):
    """Civil-affairs person types (人员类别), by their registry code."""

    PARTY_MEMBER = "01"
    VETERAN = "02"
    DISABLED = "03"
    ELDERLY_LIVING_ALONE = "04"
    LOW_INCOME = "05"
    NEAR_LOW_INCOME = "06"
    NEW_EMPLOYMENT = "07"
    MOBILE_POPULATION = "08"
    EMPTY_NEST_ELDERLY = "09"

    @property
    def label(self) -> str:
        return PERSON_TYPE_LABELS[self]


PERSON_TYPE_LABELS = {
    PersonType.PARTY_MEMBER: "中共党员",
    PersonType.VETERAN: "退役军人",
    PersonType.DISABLED: "残疾人",
    PersonType.ELDERLY_LIVING_ALONE: "独居老人",
    PersonType.LOW_INCOME: "低保",
    PersonType.NEAR_LOW_INCOME: "低保边缘",
    PersonType.NEW_EMPLOYMENT: "新就业群体",
    PersonType.MOBILE_POPULATION: "流动人口",
    PersonType.EMPTY_NEST_ELDERLY: "空巢老人",
}


class MatchMethod(Enum):
    ID_NUMBER = "身份证号"
    PHONE = "电话"
    NONE = "未匹配"
    AMBIGUOUS = "电话对应多人"


@dataclass(frozen=True, slots=True)
class Resident:
    registry_number: str
    name: str
    id_number: str
    sex: Sex
    birth_date: date
    age: int
    age_this_year: int  # the age reached this calendar year: from the birth year alone
    phone: str | None
    registered_address: str
    current_address: str
    household_code: str
    building_code: str
    grid_code: str
    tags: tuple[PersonType, ...]
    relation_to_head: str


@dataclass(frozen=True, slots=True)
class GridWorker:
    code: str
    name: str
    phone: str | None
    role: str
    full_time: bool


@dataclass(frozen=True, slots=True)
class Grid:
    code: str
    name: str
    level: str
    parent_code: str | None
    community_code: str
    community_name: str
    street_code: str
    street_name: str
    boundary: tuple[tuple[float, float], ...]
    households: int
    residents: int
    workers: tuple[GridWorker, ...]


@dataclass(frozen=True, slots=True)
class Reporter:
    name: str | None
    phone: str | None
    id_number: str | None


@dataclass(frozen=True, slots=True)
class UrbanCase:
    number: str
    grid_code: str
    main_class: str
    sub_class: str
    sub_class_code: str
    source: str
    description: str
    address: str
    longitude: float | None
    latitude: float | None
    filed_at: datetime
    dispatched_at: datetime | None
    deadline: datetime | None
    closed_at: datetime | None
    status: CaseStatus
    status_label: str
    overdue: bool
    dispatch_count: int
    department_code: str
    satisfaction: str | None
    reporter: Reporter | None
    modified_at: datetime | None = None  # the system's last change to the case
    version: int = 0  # bumped by each workflow step; 0 for a case nobody has acted on
    co_departments: tuple[str, ...] = ()  # 协办部门: those called to it by a 吹哨


@dataclass(frozen=True, slots=True)
class LegalAidCase:
    record_code: str
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str | None
    sex: Sex
    community_code: str
    aid_type: str
    case_type: str
    description: str
    law_office_id: str | None
    lawyer_id: str | None
    status: CaseStatus
    status_label: str
    happened_on: date
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IdentityMatch:
    method: MatchMethod
    registry_number: str | None


@dataclass(frozen=True, slots=True)
class Community:
    code: str
    name: str
    street_code: str
    street_name: str


@dataclass(frozen=True, slots=True)
class Household:
    code: str
    head_name: str
    head_registry_number: str
    building_code: str
    grid_code: str
    address: str
    size: int
    member_registry_numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Building:
    code: str
    name: str
    grid_code: str
    micro_grid_code: str | None
    community_code: str
    floors: int
    households: int
    leader_name: str | None
    leader_phone: str | None


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name: str
    short_name: str


@dataclass(frozen=True, slots=True)
class DisputeParty:
    name: str
    id_number: str | None
    phone: str | None
    role: str


@dataclass(frozen=True, slots=True)
class Dispute:
    id: str
    kind: str
    community_code: str
    description: str
    parties: tuple[DisputeParty, ...]
    mediator: str
    status: CaseStatus
    status_label: str
    outcome: str | None
    agreement_reached: bool
    created_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    name: str
    kind: str
    community_code: str


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    organisation_id: str
    name: str
    category: str
    description: str
    eligibility: str
    fees: str
    active: bool


@dataclass(frozen=True, slots=True)
class ServiceCenter:
    id: str
    name: str
    level: str
    address: str
    longitude: float
    latitude: float
    grid_code: str
    community_code: str
    opening_hours: str


@dataclass(frozen=True, slots=True)
class ServicePlacement:
    service_id: str
    center_id: str


@dataclass(frozen=True, slots=True)
class Enrolment:
    id: str
    registry_number: str
    service_id: str
    center_id: str
    enrolled_at: datetime
    active: bool
    status_label: str


@dataclass(frozen=True, slots=True)
class Lawyer:
    id: str
    name: str
    office_id: str
    license_no: str
    phone: str | None
    specialties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LawOffice:
    id: str
    name: str
    address: str
    phone: str


@dataclass(frozen=True, slots=True)
class Workstation:
    id: str
    name: str
    community_code: str
    address: str
    phone: str
    duty_lawyer_id: str | None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a longer list, with the list's total length."""

    total: int
    items: list[T]


@dataclass(frozen=True, slots=True)
class ClassCount:
    code: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class CaseStatistics:
    scope_kind: str
    scope_code: str
    start: datetime
    end: datetime
    reported: int
    closed: int
    voided: int
    overdue: int
    closed_on_time: int
    average_hours_to_close: float
    rated: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    by_status: tuple[ClassCount, ...]
    by_class: tuple[ClassCount, ...]
