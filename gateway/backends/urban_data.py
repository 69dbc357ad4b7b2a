"""The urban-management system's part of a request's data: cases by number, a grid's pages,
the cases a resident reported, statistics, and the writes (report, rate) with reconciliation."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import adapters
from connectors.errors import BackendContractError, BackendStatusError, InputError
from connectors.urban_workflow import attachment_items
from gateway.backends.loaders import EachLoader, Loader, by_key
from gateway.backends.request_base import RECONCILE_SLACK, URBAN, DataBase, window
from gateway.backends.wiring import adapt
from schema import CaseQuery, NewUrbanCase, Rejected


class UrbanData(DataBase):
    if TYPE_CHECKING:  # the registry's part, which `RequestData` also has

        @property
        def _phone_holders_loader(self) -> Loader[str, list[adapters.Resident]]: ...

    @cached_property
    def _urban_cases_loader(self) -> Loader[str, adapters.UrbanCase | None]:
        return self._loader(self._load_urban_cases, 50)

    @cached_property
    def _grid_cases_loader(self) -> EachLoader[tuple[Any, ...], adapters.Page[adapters.UrbanCase]]:
        return self._each(self._grid_cases_page)

    @cached_property
    def _reported_loader(self) -> EachLoader[tuple[str, str], list[adapters.UrbanCase]]:
        return self._each(self._reported_cases)

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
        page_no, size, skip = window(offset, limit)
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
                # a read, not a mutation's payload: the caller's argument named, as BAD_USER_INPUT
                raise InputError(
                    "code", "统计对象不存在 / no such grid, community or department"
                ) from None
            raise

    # -- writes ----------------------------------------------------------------------------
    async def report_case(self, case: NewUrbanCase) -> adapters.UrbanCase:
        fields: dict[str, object] = {
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
            "FJ": attachment_items([(f.kind, f.content) for f in case.attachments]) or None,
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
