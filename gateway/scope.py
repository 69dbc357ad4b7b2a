"""Which rows a caller may see, by every path (lists, look-ups, `node`, nested fields, writes).

- residents and staff of grids see the people of their grids, communities or district;
- `urban_management` sees the people who reported a case, `legal_aid` the applicants and
  dispute parties: people named in the rows of their own systems, never a grid's list;
- a resident sees their own record, household, building and cases.

Households and buildings are seen through a person the caller may see. Rows out of scope are
absent from lists and null from look-ups, with no error, so their existence cannot be learned;
the backend is not asked where the scope alone decides. Look-ups and filters by a personal value
follow `PERSONAL_ARGUMENTS` in `gateway.policy`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import adapters
from schema import CaseQuery, NewLegalAidApplication, NewUrbanCase, Rejected

from .auth import Principal, Role
from .data import RequestData
from .errors import ForbiddenError
from .kinds import Kind
from .lookups import RequestLookups
from .masks import VULNERABLE
from .policy import sees_whole

PEOPLE_OF_DISTRICT = frozenset({Role.DISTRICT_ADMIN, Role.CIVIL_AFFAIRS})
NAMED_IN_OWN_ROWS = frozenset({Role.URBAN_MANAGEMENT, Role.LEGAL_AID})
URBAN_CASE_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.URBAN_MANAGEMENT})
LEGAL_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.LEGAL_AID})
NO_CASE = adapters.IdentityMatch(adapters.MatchMethod.NONE, None)
VULNERABLE_CODES = frozenset(t.value for t in VULNERABLE)


class ScopedData(RequestData):
    """RequestData seen through one caller's scope."""

    principal: Principal
    lookups: RequestLookups | None

    def bind(self, principal: Principal, lookups: RequestLookups | None = None) -> ScopedData:
        self.principal = principal
        self.lookups = lookups
        # What this request has shown the caller: households and buildings are reached
        # through the people in them.
        self._named: set[str] = set()
        self._households: set[str] = set()
        self._buildings: set[str] = set()
        self._grids_seen: dict[str, adapters.Grid] = {}
        return self

    # -- predicates ---------------------------------------------------------------------
    def _grid_people(self, grid_code: str) -> bool:
        p = self.principal
        if p.role in PEOPLE_OF_DISTRICT:
            return True
        if p.role is Role.GRID_WORKER:
            return grid_code in p.grids
        if p.role is Role.COMMUNITY_ADMIN:
            return grid_code[:12] in p.communities
        return False

    def _may_see_people(self) -> bool:
        return self.principal.role not in (Role.PUBLIC, Role.AUDITOR)

    async def _in_own_rows(self, resident: adapters.Resident) -> bool:
        """Urban management: a reporter of a case; legal aid: an applicant or a party."""
        if resident.registry_number in self._named:
            return True
        if self.principal.role is Role.URBAN_MANAGEMENT:
            return bool(await RequestData.urban_cases_reported_by(self, resident))
        applications = await RequestData.legal_aid_cases_of_person(self, resident.id_number)
        return bool(applications) or bool(
            await RequestData.disputes_of_person(self, resident.id_number)
        )

    async def _visible(self, resident: adapters.Resident | None) -> adapters.Resident | None:
        if resident is None or not self._may_see_people():
            return None
        p = self.principal
        if p.role is Role.RESIDENT:
            seen = resident.registry_number == p.registry_number
        elif p.role in NAMED_IN_OWN_ROWS:
            seen = await self._in_own_rows(resident)
        else:
            seen = self._grid_people(resident.grid_code)
        if not seen:
            return None
        self._reached(resident)
        return resident

    def _reached(self, resident: adapters.Resident) -> None:
        self._named.add(resident.registry_number)
        self._households.add(resident.household_code)
        self._buildings.add(resident.building_code)

    def _sees_case(self, case: adapters.UrbanCase) -> bool:
        p = self.principal
        if p.role in URBAN_CASE_ROLES:
            return True
        if p.role is Role.RESIDENT:
            return case.reporter is not None and case.reporter.id_number == p.id_number
        if p.role in (Role.GRID_WORKER, Role.COMMUNITY_ADMIN):
            return self._grid_people(case.grid_code)
        return False

    def _sees_legal(self, community_code: str, people: list[str | None]) -> bool:
        p = self.principal
        if p.role in LEGAL_ROLES:
            return True
        if p.role is Role.RESIDENT:
            return p.id_number in people
        if p.role is Role.COMMUNITY_ADMIN:
            return community_code in p.communities
        return False

    async def _through_people(self, code: str, reached: set[str], kind: str) -> bool:
        """For callers who see no grid's people: a household or building is seen only through
        a person they may see (a resident: their own)."""
        if code in reached:
            return True
        p = self.principal
        if p.role is Role.RESIDENT and p.registry_number:
            await self._visible(await RequestData.resident(self, p.registry_number))
        return code in (self._households if kind == "household" else self._buildings)

    # -- places -------------------------------------------------------------------------
    def _as_seen(self, grid: adapters.Grid) -> adapters.Grid:
        """Part-time grid workers are residents: listed only to whoever sees the grid's people."""
        if self._grid_people(grid.code) or all(w.full_time for w in grid.workers):
            return grid
        seen = self._grids_seen.get(grid.code)
        if seen is None:
            staff = tuple(w for w in grid.workers if w.full_time)
            seen = self._grids_seen[grid.code] = dataclasses.replace(grid, workers=staff)
        return seen

    async def grids(self) -> list[adapters.Grid]:
        return [self._as_seen(g) for g in await super().grids()]

    async def grid(self, code: str) -> adapters.Grid | None:
        found = await super().grid(code)
        return None if found is None else self._as_seen(found)

    # -- people -------------------------------------------------------------------------
    async def resident(self, registry_number: str) -> adapters.Resident | None:
        p = self.principal
        if p.role is Role.RESIDENT and registry_number != p.registry_number:
            return None
        if not self._may_see_people():
            return None
        return await self._visible(await super().resident(registry_number))

    async def resident_by_id_number(self, id_number: str) -> adapters.Resident | None:
        """The `resident(idNumber:)` look-up: limited for roles that see ID numbers masked."""
        p = self.principal
        if p.role is Role.RESIDENT and id_number.upper() != p.id_number:
            return None
        if not self._may_see_people():
            return None
        guarded = self._guard(Kind.ID_NUMBER)
        found = await self._visible(await super().resident_by_id_number(id_number))
        if guarded is not None:
            guarded.settle(found is not None)
        return found

    def _guard(self, kind: Kind) -> RequestLookups | None:
        """The look-up rules for roles that do not see this kind of value whole."""
        if self.lookups is None or sees_whole(self.principal.role, kind):
            return None
        self.lookups.admit()
        return self.lookups

    async def residents_of_grid(
        self, grid_code: str, offset: int, limit: int, tag: str | None, name: str | None
    ) -> adapters.Page[adapters.Resident]:
        role = self.principal.role
        if name is not None and not sees_whole(role, Kind.NAME):
            raise ForbiddenError("无权按姓名筛选 / not allowed to filter by name", argument="name")
        if tag in VULNERABLE_CODES and not sees_whole(role, Kind.TAGS):
            raise ForbiddenError(
                "无权按该类别筛选 / not allowed to filter by this tag", argument="tag"
            )
        if role in NAMED_IN_OWN_ROWS or not self._grid_people(grid_code):
            return adapters.Page(0, [])
        page = await super().residents_of_grid(grid_code, offset, limit, tag, name)
        for resident in page.items:
            self._reached(resident)
        return page

    async def household(self, code: str) -> adapters.Household | None:
        if not self._may_see_people():
            return None
        role = self.principal.role
        if (role is Role.RESIDENT or role in NAMED_IN_OWN_ROWS) and not await self._through_people(
            code, self._households, "household"
        ):
            return None
        found = await super().household(code)
        if found is None:
            return None
        if role is Role.RESIDENT or role in NAMED_IN_OWN_ROWS:
            return found
        return found if self._grid_people(found.grid_code) else None

    async def building(self, code: str) -> adapters.Building | None:
        if not self._may_see_people():
            return None
        role = self.principal.role
        if (role is Role.RESIDENT or role in NAMED_IN_OWN_ROWS) and not await self._through_people(
            code, self._buildings, "building"
        ):
            return None
        found = await super().building(code)
        if found is None:
            return None
        if role is Role.RESIDENT or role in NAMED_IN_OWN_ROWS:
            return found
        return found if self._grid_people(found.grid_code) else None

    async def identify(
        self, id_number: str | None, phone: str | None
    ) -> tuple[adapters.IdentityMatch, adapters.Resident | None]:
        """Who a person named in a row the caller sees is (a reporter, an applicant, a party)."""
        if not self._may_see_people():
            return NO_CASE, None
        match, resident = await super().identify(id_number, phone)
        if resident is None:
            return NO_CASE, None
        if self.principal.role in NAMED_IN_OWN_ROWS:
            self._reached(resident)  # named in a row of their own system
            return match, resident
        if await self._visible(resident) is None:
            return NO_CASE, None  # an out-of-scope person looks like nobody
        return match, resident

    async def enrolments_of(self, registry_number: str) -> list[adapters.Enrolment]:
        if await self.resident(registry_number) is None:
            return []
        return await super().enrolments_of(registry_number)

    # -- cases --------------------------------------------------------------------------
    async def urban_case(self, number: str) -> adapters.UrbanCase | None:
        found = await super().urban_case(number) if self._may_see_people() else None
        return found if found is not None and self._sees_case(found) else None

    async def urban_cases_of_grid(
        self, grid_code: str, offset: int, limit: int, query: CaseQuery
    ) -> adapters.Page[adapters.UrbanCase]:
        role = self.principal.role
        if role not in URBAN_CASE_ROLES and not (
            role in (Role.GRID_WORKER, Role.COMMUNITY_ADMIN) and self._grid_people(grid_code)
        ):
            return adapters.Page(0, [])
        return await super().urban_cases_of_grid(grid_code, offset, limit, query)

    async def urban_cases_reported_by(
        self, resident: adapters.Resident
    ) -> list[adapters.UrbanCase]:
        if await self._visible(resident) is None:
            return []
        return [
            c
            for c in await super().urban_cases_reported_by(resident)
            if self._sees_case(c) or self.principal.role is Role.RESIDENT
        ]

    async def legal_aid_case(self, record_code: str) -> adapters.LegalAidCase | None:
        found = await super().legal_aid_case(record_code) if self._may_see_people() else None
        if found is None or not self._sees_legal(found.community_code, [found.applicant_id_number]):
            return None
        return found

    async def legal_aid_cases_of_person(self, id_number: str) -> list[adapters.LegalAidCase]:
        if not self._may_see_people() or (
            self.principal.role is Role.RESIDENT and id_number != self.principal.id_number
        ):
            return []
        found = await super().legal_aid_cases_of_person(id_number)
        return [c for c in found if self._sees_legal(c.community_code, [c.applicant_id_number])]

    async def legal_aid_cases_of_community(
        self, community_code: str
    ) -> list[adapters.LegalAidCase]:
        if self.principal.role is Role.RESIDENT:
            return [
                c
                for c in await super().legal_aid_cases_of_community(community_code)
                if c.applicant_id_number == self.principal.id_number
            ]
        if not self._sees_legal(community_code, []):
            return []
        return await super().legal_aid_cases_of_community(community_code)

    async def dispute(self, dispute_id: str) -> adapters.Dispute | None:
        found = await super().dispute(dispute_id) if self._may_see_people() else None
        if found is None or not self._sees_legal(
            found.community_code, [p.id_number for p in found.parties]
        ):
            return None
        return found

    async def disputes_of_person(self, id_number: str) -> list[adapters.Dispute]:
        if not self._may_see_people() or (
            self.principal.role is Role.RESIDENT and id_number != self.principal.id_number
        ):
            return []
        found = await super().disputes_of_person(id_number)
        return [
            d for d in found if self._sees_legal(d.community_code, [p.id_number for p in d.parties])
        ]

    async def disputes_of_community(self, community_code: str) -> list[adapters.Dispute]:
        if self.principal.role is Role.RESIDENT:
            found = await super().disputes_of_community(community_code)
            return [
                d for d in found if self.principal.id_number in [p.id_number for p in d.parties]
            ]
        if not self._sees_legal(community_code, []):
            return []
        return await super().disputes_of_community(community_code)

    async def statistics(
        self, kind: str, code: str, start: datetime, end: datetime
    ) -> adapters.CaseStatistics:
        p = self.principal
        allowed = (
            p.role in URBAN_CASE_ROLES
            or (p.role is Role.GRID_WORKER and kind == "WG" and code in p.grids)
            or (
                p.role is Role.COMMUNITY_ADMIN
                and kind in ("WG", "SQ")
                and code[:12] in p.communities
            )
        )
        if not allowed:
            raise ForbiddenError("无权查看该统计 / not allowed to see these statistics")
        return await super().statistics(kind, code, start, end)

    # -- writes -------------------------------------------------------------------------
    async def report_case(self, case: NewUrbanCase) -> adapters.UrbanCase:
        p = self.principal
        if p.role is Role.RESIDENT:
            case = await self._as_the_resident(case)
        elif p.role in (Role.GRID_WORKER, Role.COMMUNITY_ADMIN) and not self._grid_people(
            case.grid_code
        ):
            raise Rejected("gridCode", "不在您负责的范围 / outside the grids you serve")
        else:
            await self._reporter_look_up(case)
        return await super().report_case(case)

    async def _as_the_resident(self, case: NewUrbanCase) -> NewUrbanCase:
        """A resident reports as themself: the registry's identity, not a retyped one."""
        p = self.principal
        if case.reporter_id_number not in (None, p.id_number):
            raise Rejected(
                "reporterIdNumber", "只能以本人身份上报 / you can report only as yourself"
            )
        own = await RequestData.resident(self, p.registry_number) if p.registry_number else None
        if own is None and p.id_number:
            own = await RequestData.resident_by_id_number(self, p.id_number)
        if own is None or (p.id_number and own.id_number != p.id_number):
            raise Rejected(
                "reporterIdNumber",
                "登记信息中找不到您，请到社区核对 / your registry record was not found",
            )
        self._reached(own)
        return dataclasses.replace(
            case,
            reporter_id_number=own.id_number,
            reporter_name=own.name,
            reporter_phone=case.reporter_phone or own.phone,
        )

    async def _reporter_look_up(self, case: NewUrbanCase) -> None:
        """A reporter given by a role that sees IDs or phones masked is a look-up: the answer
        says who that is."""
        kinds = [
            kind
            for kind, value in (
                (Kind.ID_NUMBER, case.reporter_id_number),
                (Kind.PHONE, case.reporter_phone),
            )
            if value and not sees_whole(self.principal.role, kind)
        ]
        if not kinds or self.lookups is None:
            return
        guarded = self._guard(kinds[0])
        if guarded is not None:
            _, found = await self.identify(case.reporter_id_number, case.reporter_phone)
            guarded.settle(found is not None)

    async def rate_case(self, number: str, satisfaction: str) -> adapters.UrbanCase:
        if await self.urban_case(number) is None:
            raise Rejected("caseNumber", "案件不存在 / no such case")
        return await super().rate_case(number, satisfaction)

    async def apply_legal_aid(self, application: NewLegalAidApplication) -> adapters.LegalAidCase:
        if (
            self.principal.role is Role.RESIDENT
            and application.id_number != self.principal.id_number
        ):
            raise Rejected("idNumber", "只能为本人申请 / you can apply only for yourself")
        return await super().apply_legal_aid(application)

    async def enrol(
        self, registry_number: str, service_id: str, center_id: str
    ) -> adapters.Enrolment:
        if await self.resident(registry_number) is None:
            raise Rejected("registryNumber", "居民不存在 / no such resident")
        return await super().enrol(registry_number, service_id, center_id)
