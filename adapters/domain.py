"""The domain model the schema serves, independent of any legacy system's shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum


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
    phone: str | None
    registered_address: str
    current_address: str
    household_code: str
    building_code: str
    grid_code: str
    tags: tuple[str, ...]
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
