"""What the schema needs from whoever serves it: a data source of domain objects, built per
request by the gateway (with its loaders and caches), and nothing of connectors or HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from graphql.execution.values import VariableValues

from adapters import (
    Building,
    CaseFlow,
    CaseStatistics,
    Community,
    Department,
    Dispute,
    Enrolment,
    Grid,
    Household,
    IdentityMatch,
    LawOffice,
    Lawyer,
    LegalAidCase,
    Organisation,
    Page,
    Resident,
    Service,
    ServiceCenter,
    UrbanCase,
    Workstation,
)


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """Filters the urban-management system can apply to one grid's cases."""

    status_label: str | None = None
    main_class: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewUrbanCase:
    grid_code: str
    sub_class_code: str
    source: str
    description: str
    address: str
    longitude: float | None
    latitude: float | None
    reporter_name: str | None
    reporter_phone: str | None
    reporter_id_number: str | None
    attachments: tuple[CheckedFile, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A file checked by the gateway (its type read from its bytes, metadata stripped)."""

    kind: str  # image/jpeg, image/png, audio/amr, audio/mpeg
    content: bytes


@dataclass(frozen=True, slots=True)
class CaseAction:
    """One workflow step asked for on a case: the legacy operation and what it takes."""

    operation: str  # AcceptCase, DispatchCase, Whistle, ...
    number: str
    note: str | None = None
    department: str | None = None
    departments: tuple[str, ...] = ()
    deadline: datetime | None = None
    passed: bool | None = None
    days: int | None = None
    attachments: tuple[CheckedFile, ...] = ()


@dataclass(frozen=True, slots=True)
class NewLegalAidApplication:
    name: str
    id_number: str
    phone: str
    address: str
    community_code: str
    aid_type: str
    case_type: str
    description: str
    happened_on: date


# A person a row names, by the relation that leads to them ("UrbanCase.reporter"), their ID
# number and their phone.
Named = tuple[str, str | None, str | None]


class DataSource(Protocol):
    def today(self) -> date: ...
    def now(self) -> datetime: ...
    def attachment_url(self, number: str, attachment_id: str) -> str: ...
    def may_follow_grid(self, grid_code: str) -> bool: ...
    def may_follow_department(self, code: str) -> bool: ...

    # places and reference data
    async def grids(self) -> list[Grid]: ...
    async def grid(self, code: str) -> Grid | None: ...
    async def communities(self) -> list[Community]: ...
    async def departments(self) -> list[Department]: ...
    async def department(self, code: str) -> Department | None: ...
    async def services(self) -> list[Service]: ...
    async def service(self, service_id: str) -> Service | None: ...
    async def service_centers(self) -> list[ServiceCenter]: ...
    async def service_center(self, center_id: str) -> ServiceCenter | None: ...
    async def services_at(self, center_id: str) -> list[Service]: ...
    async def centers_of_service(self, service_id: str) -> list[ServiceCenter]: ...
    async def organisation(self, organisation_id: str) -> Organisation | None: ...
    async def workstations(self) -> list[Workstation]: ...
    async def lawyer(self, lawyer_id: str) -> Lawyer | None: ...
    async def law_office(self, office_id: str) -> LawOffice | None: ...

    # people
    async def resident(self, registry_number: str) -> Resident | None: ...
    async def resident_by_id_number(self, id_number: str) -> Resident | None: ...
    async def residents_of_grid(
        self, grid_code: str, offset: int, limit: int, tag: str | None, name: str | None
    ) -> Page[Resident]: ...
    async def household(self, code: str) -> Household | None: ...
    async def building(self, code: str) -> Building | None: ...
    async def identify(
        self, id_number: str | None, phone: str | None
    ) -> tuple[IdentityMatch, Resident | None]: ...
    async def identify_ahead(self, named: list[Named]) -> None:
        """Starts identifying people whose relations the operation asks for, returning once
        the calls are on their way; `identify` then joins them."""

    async def enrolments_of(self, registry_number: str) -> list[Enrolment]: ...

    # cases
    async def urban_case(self, number: str) -> UrbanCase | None: ...
    async def urban_cases_of_grid(
        self, grid_code: str, offset: int, limit: int, query: CaseQuery
    ) -> Page[UrbanCase]: ...
    async def urban_cases_reported_by(self, resident: Resident) -> list[UrbanCase]: ...
    async def legal_aid_case(self, record_code: str) -> LegalAidCase | None: ...
    async def legal_aid_cases_of_person(self, id_number: str) -> list[LegalAidCase]: ...
    async def legal_aid_cases_of_community(self, community_code: str) -> list[LegalAidCase]: ...
    async def dispute(self, dispute_id: str) -> Dispute | None: ...
    async def disputes_of_person(self, id_number: str) -> list[Dispute]: ...
    async def disputes_of_community(self, community_code: str) -> list[Dispute]: ...
    async def statistics(
        self, kind: str, code: str, start: datetime, end: datetime
    ) -> CaseStatistics: ...

    # writes
    async def report_case(self, case: NewUrbanCase) -> UrbanCase: ...
    async def rate_case(self, number: str, satisfaction: str) -> UrbanCase: ...
    async def act_on_case(self, action: CaseAction) -> UrbanCase: ...
    async def case_flow(self, number: str) -> CaseFlow | None: ...
    async def apply_legal_aid(self, application: NewLegalAidApplication) -> LegalAidCase: ...
    async def enrol(self, registry_number: str, service_id: str, center_id: str) -> Enrolment: ...


class CaseChangeRef(Protocol):
    @property
    def number(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def grid_code(self) -> str: ...

    def concerns_department(self, code: str) -> bool: ...


class LiveSource(Protocol):
    """What a subscription needs of the gateway: the feed of changes, and a fresh request's
    data for each event (its own loaders, its own audit record; the last one is committed)."""

    def changes(self) -> AsyncIterator[CaseChangeRef]: ...

    async def next_event(self, context: Context) -> DataSource: ...

    async def finish(self, context: Context) -> None: ...


@dataclass(slots=True)
class Context:
    data: DataSource
    page_size_cap: int = 100
    live: LiveSource | None = None
    # Resolver arguments as Strawberry converted them, by field and value, for this request
    # only (`schema.execution.convert_arguments_once`).
    converted_arguments: dict[Any, dict[str, Any]] = field(default_factory=dict)
    # Calls a page's items' fields will make, started before the page is walked, by the call
    # (`schema.calls_ahead`): each field joins its own. Made anew with each data source (each
    # event of a subscription has its own).
    calls_ahead: dict[Hashable, Awaitable[Any]] = field(default_factory=dict)
    # The operation's variables as graphql-core coerced them, with their sources (resolvers
    # are given only the values), set by the executor (`schema.execution`).
    variables: VariableValues | None = None

    def follows(self, key: str) -> bool:
        """Whether the caller's policy lets the field `key` (`Grid.residents`) be resolved at
        all; the gateway's policy answers."""
        return True

    def unseen(self, what: str) -> None:
        """A reference that resolved to nothing for this caller: not there, or not theirs to
        see. The gateway notes it in the audit trail."""
