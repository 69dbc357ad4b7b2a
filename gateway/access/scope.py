"""Which rows a caller may see, by every path (lists, look-ups, `node`, nested fields, writes).

- residents and staff of grids see the people of their grids, communities or district;
- `urban_management` sees the people who reported a case, `legal_aid` the applicants and
  dispute parties: people named in the rows of their own systems, never a grid's list;
- a resident sees their own record, household, building and cases.

Households and buildings are seen through a person the caller may see. Rows out of scope are
absent from lists and null from look-ups, with no error, so their existence cannot be learned;
the backend is not asked where the scope alone decides. Look-ups and filters by a personal value
follow `PERSONAL_ARGUMENTS` in `gateway.access.policy`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Self

import adapters
from connectors.errors import ForbiddenError
from gateway.access.audit import AuditRecord
from gateway.access.auth import Principal, Role
from gateway.access.kinds import Kind
from gateway.access.lookups import RequestLookups
from gateway.access.policy import hidden_tag_codes, reveals_vulnerability, sees_whole
from gateway.backends.data import RequestData
from schema import CaseQuery

PEOPLE_OF_DISTRICT = frozenset({Role.DISTRICT_ADMIN, Role.CIVIL_AFFAIRS})
NAMED_IN_OWN_ROWS = frozenset({Role.URBAN_MANAGEMENT, Role.LEGAL_AID})
URBAN_CASE_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.URBAN_MANAGEMENT})
LEGAL_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.LEGAL_AID})
NO_CASE = adapters.IdentityMatch(adapters.MatchMethod.NONE, None)


class ScopedReads(RequestData):
    """RequestData seen through one caller's scope; writes are `gateway.access.scoped_writes`."""

    principal: Principal
    lookups: RequestLookups | None

    def bind(
        self,
        principal: Principal,
        lookups: RequestLookups | None = None,
        record: AuditRecord | None = None,
    ) -> Self:
        self.principal = principal
        self.lookups = lookups
        self.record = record
        # What this request has shown the caller (households, buildings: through their people)
        self._named: set[str] = set()
        self._households: set[str] = set()
        self._buildings: set[str] = set()
        self._grids_seen: dict[str, adapters.Grid] = {}
        self._grid_view: tuple[dict[str, adapters.Grid], list[adapters.Grid]] | None = None
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
        if p.role is Role.DEPARTMENT:
            return p.department in (case.department_code, *case.co_departments)
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
        # Resolvers ask for the grid list many times a request (a community's grids, each
        # grid's children): the caller's view of it is made once per cached index.
        index = await self.backends.grid_index()
        if self._grid_view is None or self._grid_view[0] is not index:
            self._grid_view = (index, [self._as_seen(g) for g in index.values()])
        return list(self._grid_view[1])

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
        guarded = await self._guard(Kind.ID_NUMBER)
        found = await self._visible(await super().resident_by_id_number(id_number))
        if guarded is not None:
            await guarded.settle(found is not None)
        return found

    async def _guard(self, kind: Kind) -> RequestLookups | None:
        """The look-up rules for roles that do not see this kind of value whole."""
        if self.lookups is None or sees_whole(self.principal.role, kind):
            return None
        await self.lookups.admit()
        return self.lookups

    async def residents_of_grid(
        self, grid_code: str, offset: int, limit: int, tag: str | None, name: str | None
    ) -> adapters.Page[adapters.Resident]:
        role = self.principal.role
        if name is not None and not sees_whole(role, Kind.NAME):
            raise ForbiddenError("无权按姓名筛选 / not allowed to filter by name", argument="name")
        if tag in hidden_tag_codes(role):  # a count of them would tell what is hidden
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
        if not await self._may_reach(code, self._households):
            return None
        found = await super().household(code)
        return found if found is not None and self._place_seen(found.grid_code) else None

    async def building(self, code: str) -> adapters.Building | None:
        if not await self._may_reach(code, self._buildings):
            return None
        found = await super().building(code)
        return found if found is not None and self._place_seen(found.grid_code) else None

    async def _may_reach(self, code: str, reached: set[str]) -> bool:
        """For callers who see no grid's people (residents, urban management, legal aid), a
        household or building is seen only through a person they may see."""
        if not self._may_see_people():
            return False
        role = self.principal.role
        if role is not Role.RESIDENT and role not in NAMED_IN_OWN_ROWS:
            return True
        p = self.principal
        if code not in reached and role is Role.RESIDENT and p.registry_number:
            await self._visible(await RequestData.resident(self, p.registry_number))
        return code in reached

    def _place_seen(self, grid_code: str) -> bool:
        role = self.principal.role
        return role is Role.RESIDENT or role in NAMED_IN_OWN_ROWS or self._grid_people(grid_code)

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
        found = await super().enrolments_of(registry_number)
        if sees_whole(self.principal.role, Kind.TAGS):
            return found
        # Being enrolled in a service for disabled or low-income residents, or in counselling,
        # says what the masked tags hide: those enrolments are left out for such roles.
        telling = {s.id for s in await self.services() if reveals_vulnerability(s)}
        return [e for e in found if e.service_id not in telling]

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
