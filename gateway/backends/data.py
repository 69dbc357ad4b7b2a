"""The data source the schema reads, for one request: loaders over the connectors, adapters
applied, reference data from the cross-request caches."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import adapters
from adapters.normalise import BEIJING
from connectors.errors import BackendContractError, BackendStatusError
from gateway.backends.loaders import Loader, by_key, one_call_each
from gateway.backends.wiring import Backends, adapt, adapt_by_key
from gateway.settings import Settings
from schema import CaseQuery, NewLegalAidApplication, NewUrbanCase, Rejected

URBAN, CIVIL, LEGAL = "urban-management", "civil-affairs", "legal-aid"
RECONCILE_SLACK = timedelta(minutes=2)  # clocks of the gateway and a legacy system differ
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _window(offset: int, limit: int) -> tuple[int, int, int]:
    """(page number, page size, items to skip) for a system that pages by number and size."""
    if limit == 0:
        return 1, 1, 0
    if offset % limit == 0:
        return offset // limit + 1, limit, 0
    size = offset + limit
    return 1, size, offset


class RequestData:
    def __init__(
        self, backends: Backends, settings: Settings, clock: Callable[[], datetime]
    ) -> None:
        self.backends = backends
        self.clock = clock
        # Set when this request retries a write whose earlier outcome is unknown: writes first
        # look for what that attempt may have done at the backend.
        self.reconcile_since: datetime | None = None
        b = settings.batching
        o = backends.metrics
        self._residents_loader = Loader[str, adapters.Resident | None](
            self._load_residents, b, 100, o
        )
        self._residents_by_id_loader = Loader[str, adapters.Resident | None](
            self._load_residents_by_id, b, 100, o
        )
        self._phone_holders_loader = Loader[str, list[adapters.Resident]](
            self._shared(self._holders_of_phone), b, None, o
        )
        self._identities_loader = Loader[
            tuple[str, str], tuple[adapters.IdentityMatch, adapters.Resident | None]
        ](self._identities, b, None, o)
        self._grid_residents_loader = Loader[tuple[Any, ...], adapters.Page[adapters.Resident]](
            self._shared(self._grid_residents_page), b, None, o
        )
        self._households_loader = Loader[str, adapters.Household | None](
            self._load_households, b, 100, o
        )
        self._buildings_loader = Loader[str, adapters.Building | None](
            self._load_buildings, b, 100, o
        )
        self._enrolments_loader = Loader[str, list[adapters.Enrolment]](
            self._load_enrolments, b, 100, o
        )
        self._urban_cases_loader = Loader[str, adapters.UrbanCase | None](
            self._load_urban_cases, b, 50, o
        )
        self._grid_cases_loader = Loader[tuple[Any, ...], adapters.Page[adapters.UrbanCase]](
            self._shared(self._grid_cases_page), b, None, o
        )
        self._reported_loader = Loader[tuple[str, str], list[adapters.UrbanCase]](
            self._shared(self._reported_cases), b, None, o
        )
        self._legal_cases_loader = Loader[str, adapters.LegalAidCase | None](
            self._shared(self._legal_case), b, None, o
        )
        self._legal_of_person_loader = Loader[str, list[adapters.LegalAidCase]](
            self._shared(self._legal_cases_of_person), b, None, o
        )
        self._legal_of_area_loader = Loader[str, list[adapters.LegalAidCase]](
            self._shared(self._legal_cases_of_area), b, None, o
        )
        self._disputes_loader = Loader[str, adapters.Dispute | None](
            self._shared(self._dispute), b, None, o
        )
        self._disputes_of_person_loader = Loader[str, list[adapters.Dispute]](
            self._shared(self._disputes_of_person), b, None, o
        )
        self._disputes_of_area_loader = Loader[str, list[adapters.Dispute]](
            self._shared(self._disputes_of_area), b, None, o
        )

    def _shared(self, call: Callable[[K], Awaitable[V]]) -> Callable[[list[K]], Awaitable[list[V]]]:
        """One call per distinct key; the same call already under way for another request is
        joined rather than sent again."""
        name = call.__name__

        async def joined(key: K) -> V:
            return await self.backends.coalesced((name, key), lambda: call(key))

        joined.__name__ = name
        return one_call_each(joined)

    def today(self) -> date:
        return self.clock().astimezone(BEIJING).date()

    # -- reference data --------------------------------------------------------------------
    async def grids(self) -> list[adapters.Grid]:
        return list((await self.backends.grid_index()).values())

    async def grid(self, code: str) -> adapters.Grid | None:
        return (await self.backends.grid_index()).get(code)

    async def communities(self) -> list[adapters.Community]:
        return adapters.communities_from_grids(await self.grids())

    async def departments(self) -> list[adapters.Department]:
        return list((await self.backends.department_index()).values())

    async def department(self, code: str) -> adapters.Department | None:
        return (await self.backends.department_index()).get(code)

    async def services(self) -> list[adapters.Service]:
        return (await self.backends.service_directory()).services

    async def service(self, service_id: str) -> adapters.Service | None:
        return (await self.backends.service_directory()).service_by_id.get(service_id)

    async def service_centers(self) -> list[adapters.ServiceCenter]:
        return (await self.backends.service_directory()).centers

    async def service_center(self, center_id: str) -> adapters.ServiceCenter | None:
        return (await self.backends.service_directory()).center_by_id.get(center_id)

    async def services_at(self, center_id: str) -> list[adapters.Service]:
        return (await self.backends.service_directory()).services_at.get(center_id, [])

    async def centers_of_service(self, service_id: str) -> list[adapters.ServiceCenter]:
        return (await self.backends.service_directory()).centers_of.get(service_id, [])

    async def organisation(self, organisation_id: str) -> adapters.Organisation | None:
        return (await self.backends.service_directory()).organisation_by_id.get(organisation_id)

    async def workstations(self) -> list[adapters.Workstation]:
        return (await self.backends.legal_directory()).workstations

    async def lawyer(self, lawyer_id: str) -> adapters.Lawyer | None:
        return (await self.backends.legal_directory()).lawyer_by_id.get(lawyer_id)

    async def law_office(self, office_id: str) -> adapters.LawOffice | None:
        return (await self.backends.legal_directory()).office_by_id.get(office_id)

    # -- people ----------------------------------------------------------------------------
    def _known(self, found: Iterable[object]) -> None:
        """A resident found one way (ID number, phone, grid) is then known by the other keys."""
        for resident in found:
            if not isinstance(resident, adapters.Resident):
                continue
            self._residents_loader.prime(resident.registry_number, resident)
            self._residents_by_id_loader.prime(resident.id_number, resident)

    def _resident(self, record: Any) -> adapters.Resident:
        resident = adapt(
            CIVIL,
            "resident",
            lambda r: adapters.resident_from_civil_affairs(r, self.today()),
            [record],
        )[0]
        self._known([resident])
        return resident

    def _residents_by(self, records: list[Any], key_field: str) -> dict[str, Any]:
        def convert(record: Any) -> adapters.Resident:
            return adapters.resident_from_civil_affairs(record, self.today())

        found = adapt_by_key(CIVIL, "resident", convert, records, key_field)
        self._known(found.values())
        return found

    async def _load_residents(self, numbers: list[str]) -> list[Any]:
        records = await self.backends.civil.residents_by_registry_numbers(numbers)
        return by_key(numbers, self._residents_by(records, "rkbh"), None)

    async def _load_residents_by_id(self, numbers: list[str]) -> list[Any]:
        records = await self.backends.civil.residents_by_id_numbers(numbers)
        upper = [{**r, "sfzh": str(r.get("sfzh", "")).upper()} for r in records]
        return by_key(numbers, self._residents_by(upper, "sfzh"), None)

    async def _holders_of_phone(self, phone: str) -> list[adapters.Resident]:
        return [self._resident(r) for r in await self.backends.civil.residents_by_phone(phone)]

    async def resident(self, registry_number: str) -> adapters.Resident | None:
        return await self._residents_loader.load(registry_number)

    async def resident_by_id_number(self, id_number: str) -> adapters.Resident | None:
        return await self._residents_by_id_loader.load(id_number.upper())

    async def _grid_residents_page(self, key: tuple[Any, ...]) -> adapters.Page[adapters.Resident]:
        grid, offset, limit, tag, name = key
        page_no, size, skip = _window(offset, limit)
        page = await self.backends.civil.residents_of_grid(grid, page_no, size, tag, name)
        items = [self._resident(r) for r in page.items[skip : skip + limit]]
        return adapters.Page(page.total, items)

    async def residents_of_grid(
        self, grid_code: str, offset: int, limit: int, tag: str | None, name: str | None
    ) -> adapters.Page[adapters.Resident]:
        return await self._grid_residents_loader.load((grid_code, offset, limit, tag, name))

    async def _load_households(self, codes: list[str]) -> list[Any]:
        records = await self.backends.civil.households(codes)
        convert = adapters.household_from_civil_affairs
        return by_key(codes, adapt_by_key(CIVIL, "hu.queryByHh", convert, records, "hh"), None)

    async def household(self, code: str) -> adapters.Household | None:
        return await self._households_loader.load(code)

    async def _load_buildings(self, codes: list[str]) -> list[Any]:
        records = await self.backends.civil.buildings(codes)
        convert = adapters.building_from_civil_affairs
        return by_key(codes, adapt_by_key(CIVIL, "ld.queryByLdbm", convert, records, "ldbm"), None)

    async def building(self, code: str) -> adapters.Building | None:
        return await self._buildings_loader.load(code)

    async def identify(
        self, id_number: str | None, phone: str | None
    ) -> tuple[adapters.IdentityMatch, adapters.Resident | None]:
        return await self._identities_loader.load((id_number or "", phone or ""))

    async def _identities(
        self, people: list[tuple[str, str]]
    ) -> list[tuple[adapters.IdentityMatch, adapters.Resident | None]]:
        """Everyone named on a page is identified together, so that what is fetched next for
        them (households, say) goes out as one batch: ID numbers in one look-up while phones of
        people who gave no ID number are looked up beside it; then the phones of people whose
        ID number the registry does not know."""
        ids = sorted({i for i, _ in people if i})
        phones_first = sorted({p for i, p in people if p and not i})
        by_id_found, first_holders = await asyncio.gather(
            asyncio.gather(*(self._residents_by_id_loader.load(i.upper()) for i in ids)),
            asyncio.gather(*(self._phone_holders_loader.load(p) for p in phones_first)),
        )
        by_id = {r.id_number: r for r in by_id_found if r is not None}
        holders = dict(zip(phones_first, first_holders, strict=True))
        later = sorted({p for i, p in people if p and i.upper() not in by_id} - holders.keys())
        found_later = await asyncio.gather(*(self._phone_holders_loader.load(p) for p in later))
        holders.update(zip(later, found_later, strict=True))
        return [self._identified(i, p, by_id, holders) for i, p in people]

    @staticmethod
    def _identified(
        id_number: str,
        phone: str,
        by_id: dict[str, adapters.Resident],
        holders: dict[str, list[adapters.Resident]],
    ) -> tuple[adapters.IdentityMatch, adapters.Resident | None]:
        found = by_id.get(id_number.upper()) if id_number else None
        own_id = {found.id_number: found} if found is not None else {}
        by_phone = {phone: holders[phone]} if phone and found is None else {}
        match = adapters.match_identity(id_number.upper() or None, phone or None, own_id, by_phone)
        resident = None
        if match.registry_number is not None:
            candidates = [*own_id.values(), *by_phone.get(phone, [])]
            resident = next(r for r in candidates if r.registry_number == match.registry_number)
        return match, resident

    async def _load_enrolments(self, numbers: list[str]) -> list[list[adapters.Enrolment]]:
        records = await self.backends.civil.enrolments_of(numbers)
        grouped: dict[str, list[adapters.Enrolment]] = {}
        for e in adapt(CIVIL, "bm.query", adapters.enrolment_from_civil_affairs, records):
            grouped.setdefault(e.registry_number, []).append(e)
        return by_key(numbers, grouped, [])

    async def enrolments_of(self, registry_number: str) -> list[adapters.Enrolment]:
        return await self._enrolments_loader.load(registry_number)

    # -- urban cases -----------------------------------------------------------------------
    def _cases(self, operation: str, records: list[Any]) -> list[adapters.UrbanCase]:
        return adapt(URBAN, operation, adapters.urban_case_from_urban, records)

    async def _load_urban_cases(self, numbers: list[str]) -> list[adapters.UrbanCase | None]:
        records = await self.backends.urban.cases_by_numbers(numbers)
        found = {c.number: c for c in self._cases("GetCasesByCodes", records)}
        return by_key(numbers, found, None)

    async def urban_case(self, number: str) -> adapters.UrbanCase | None:
        return await self._urban_cases_loader.load(number)

    async def _grid_cases_page(self, key: tuple[Any, ...]) -> adapters.Page[adapters.UrbanCase]:
        grid, offset, limit, query = key
        page_no, size, skip = _window(offset, limit)
        page = await self.backends.urban.cases(
            grid=grid,
            status=query.status_label,
            main_class=query.main_class,
            start=query.start,
            end=query.end,
            page=page_no,
            size=size,
        )
        return adapters.Page(page.total, self._cases("QueryCases", page.items[skip : skip + limit]))

    async def urban_cases_of_grid(
        self, grid_code: str, offset: int, limit: int, query: CaseQuery
    ) -> adapters.Page[adapters.UrbanCase]:
        return await self._grid_cases_loader.load((grid_code, offset, limit, query))

    async def _all_reported(self, **by: str) -> list[adapters.UrbanCase]:
        urban = self.backends.urban
        first = await urban.cases(**by, size=100)  # type: ignore[arg-type]
        items = list(first.items)
        page = 2
        while len(items) < first.total:
            more = await urban.cases(**by, size=100, page=page)  # type: ignore[arg-type]
            if not more.items:
                break
            items.extend(more.items)
            page += 1
        return self._cases("QueryCases", items)

    async def _reported_cases(self, key: tuple[str, str]) -> list[adapters.UrbanCase]:
        id_number, phone = key
        found = {c.number: c for c in await self._all_reported(reporter_id=id_number)}
        if phone:
            holders = await self._phone_holders_loader.load(phone)
            # A phone links a case to a resident only where exactly one resident has it.
            if len(holders) == 1 and holders[0].id_number == id_number:
                for case in await self._all_reported(reporter_phone=phone):
                    found.setdefault(case.number, case)
        return sorted(found.values(), key=lambda c: c.filed_at, reverse=True)

    async def urban_cases_reported_by(
        self, resident: adapters.Resident
    ) -> list[adapters.UrbanCase]:
        return await self._reported_loader.load((resident.id_number, resident.phone or ""))

    async def statistics(
        self, kind: str, code: str, start: datetime, end: datetime
    ) -> adapters.CaseStatistics:
        async def call() -> adapters.CaseStatistics:
            record = await self.backends.urban.statistics(kind, code, start, end)
            return adapt(URBAN, "GetStatistics", adapters.statistics_from_urban, [record])[0]

        try:
            return await self.backends.coalesced(("statistics", kind, code, start, end), call)
        except BackendStatusError as error:
            if error.extensions.get("fault") == "3001":
                raise Rejected(
                    "code", "统计对象不存在 / no such grid, community or department"
                ) from None
            raise

    # -- legal aid and mediation -----------------------------------------------------------
    def _legal(self, operation: str, records: list[Any]) -> list[adapters.LegalAidCase]:
        return adapt(LEGAL, operation, adapters.legal_aid_case_from_legal, records)

    def _disputes_of(self, operation: str, records: list[Any]) -> list[adapters.Dispute]:
        return adapt(LEGAL, operation, adapters.dispute_from_legal, records)

    async def _legal_case(self, code: str) -> adapters.LegalAidCase | None:
        record = await self.backends.legal.application(code)
        return None if record is None else self._legal("get_applications", [record])[0]

    async def _legal_cases_of_person(self, id_number: str) -> list[adapters.LegalAidCase]:
        return self._legal(
            "list_applications", await self.backends.legal.applications_of_person(id_number)
        )

    async def _legal_cases_of_area(self, code: str) -> list[adapters.LegalAidCase]:
        return self._legal(
            "list_applications", await self.backends.legal.applications_of_community(code)
        )

    async def _dispute(self, dispute_id: str) -> adapters.Dispute | None:
        record = await self.backends.legal.dispute(dispute_id)
        return None if record is None else self._disputes_of("get_disputes", [record])[0]

    async def _disputes_of_person(self, id_number: str) -> list[adapters.Dispute]:
        return self._disputes_of(
            "list_disputes", await self.backends.legal.disputes_of_person(id_number)
        )

    async def _disputes_of_area(self, code: str) -> list[adapters.Dispute]:
        return self._disputes_of(
            "list_disputes", await self.backends.legal.disputes_of_community(code)
        )

    async def legal_aid_case(self, record_code: str) -> adapters.LegalAidCase | None:
        return await self._legal_cases_loader.load(record_code)

    async def legal_aid_cases_of_person(self, id_number: str) -> list[adapters.LegalAidCase]:
        return await self._legal_of_person_loader.load(id_number)

    async def legal_aid_cases_of_community(
        self, community_code: str
    ) -> list[adapters.LegalAidCase]:
        return await self._legal_of_area_loader.load(community_code)

    async def dispute(self, dispute_id: str) -> adapters.Dispute | None:
        return await self._disputes_loader.load(dispute_id)

    async def disputes_of_person(self, id_number: str) -> list[adapters.Dispute]:
        return await self._disputes_of_person_loader.load(id_number)

    async def disputes_of_community(self, community_code: str) -> list[adapters.Dispute]:
        return await self._disputes_of_area_loader.load(community_code)

    # -- writes ----------------------------------------------------------------------------
    async def report_case(self, case: NewUrbanCase) -> adapters.UrbanCase:
        fields: dict[str, str | float | None] = {
            "WGBM": case.grid_code,
            "XLBM": case.sub_class_code,
            "AJLY": case.source,
            "WTMS": case.description,
            "DZ": case.address,
            "X": case.longitude,
            "Y": case.latitude,
            "SBRXM": case.reporter_name,
            "SBRDH": case.reporter_phone,
            "SBRSFZH": case.reporter_id_number,
        }
        if self.reconcile_since is not None:
            earlier = await self._reported_since(case, self.reconcile_since)
            if earlier is not None:
                return earlier
        try:
            result = await self.backends.urban.report_case(fields)
        except BackendStatusError as error:
            fault = error.extensions.get("fault")
            if fault == "3001":
                raise Rejected("gridCode", "网格不存在 / no such grid") from None
            if fault == "2002":
                raise Rejected(
                    "subClassCode", "城管系统不接受该取值 / value refused by the system"
                ) from None
            raise
        number = result.get("AJBH")
        created = await self._fetch_case(number if isinstance(number, str) else "", "ReportCase")
        return created

    async def _reported_since(
        self, case: NewUrbanCase, since: datetime
    ) -> adapters.UrbanCase | None:
        """The case an earlier attempt of this write created, if it did: same grid, class,
        description, address and reporter, filed since that attempt began."""
        page = await self.backends.urban.cases(
            grid=case.grid_code, start=since - RECONCILE_SLACK, size=100
        )
        for found in self._cases("QueryCases", page.items):
            reporter = found.reporter
            if (
                found.sub_class_code == case.sub_class_code
                and found.description == case.description
                and found.address == case.address
                and (reporter.phone if reporter else None) == case.reporter_phone
            ):
                return found
        return None

    async def _fetch_case(self, number: str, operation: str) -> adapters.UrbanCase:
        records = await self.backends.urban.cases_by_numbers([number]) if number else []
        cases = self._cases("GetCasesByCodes", records)
        if not cases:
            raise BackendContractError(URBAN, operation, "written case cannot be read back")
        return cases[0]

    async def rate_case(self, number: str, satisfaction: str) -> adapters.UrbanCase:
        try:
            await self.backends.urban.rate_case(number, satisfaction)
        except BackendStatusError as error:
            fault = error.extensions.get("fault")
            if fault == "3001":
                raise Rejected("caseNumber", "案件不存在 / no such case") from None
            if fault == "3002":
                raise Rejected(
                    "caseNumber", "案件未结案，不能评价 / only closed cases can be rated"
                ) from None
            raise
        return await self._fetch_case(number, "RateCase")

    async def apply_legal_aid(self, application: NewLegalAidApplication) -> adapters.LegalAidCase:
        if self.reconcile_since is not None:
            since = self.reconcile_since - RECONCILE_SLACK
            for earlier in await self._legal_cases_of_person(application.id_number):
                if (
                    earlier.created_at >= since
                    and earlier.description == application.description
                    and earlier.happened_on == application.happened_on
                ):
                    return earlier
        record, problems = await self.backends.legal.apply(
            {
                "apply_name": application.name,
                "apply_identity_no": application.id_number,
                "apply_phone": application.phone,
                "apply_address": application.address,
                "case_area_id": application.community_code,
                "aid_type": application.aid_type,
                "case_type": application.case_type,
                "dispute_description": application.description,
                "happened_date": application.happened_on.isoformat(),
            }
        )
        if record is None:
            legacy, message = next(iter(problems.items()), ("input", "字段校验失败"))
            raise Rejected(LEGAL_FIELDS.get(legacy, legacy), f"法律援助系统：{message}")
        return self._legal("create_applications", [record])[0]

    async def enrol(
        self, registry_number: str, service_id: str, center_id: str
    ) -> adapters.Enrolment:
        try:
            record = await self.backends.civil.enrol(registry_number, service_id, center_id)
        except BackendStatusError as error:
            if error.extensions.get("envelope_code") == "96":
                raise Rejected(
                    "serviceCode",
                    "民政系统拒绝：人员不存在、阵地不提供该服务或已报名 / refused by civil affairs",
                ) from None
            raise
        return adapt(CIVIL, "bm.add", adapters.enrolment_from_civil_affairs, [record])[0]


LEGAL_FIELDS = {
    "apply_name": "name",
    "apply_identity_no": "idNumber",
    "apply_phone": "phone",
    "apply_address": "address",
    "case_area_id": "communityCode",
    "aid_type": "aidType",
    "case_type": "caseType",
    "dispute_description": "description",
    "happened_date": "happenedOn",
}
