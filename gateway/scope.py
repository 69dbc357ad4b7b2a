"""Which rows a caller may see: residents and cases of their own grids, communities or
district, or their own record. Rows out of scope are absent from lists and null from look-ups,
with no error, so their existence cannot be learned; the backend is not asked where the scope
alone decides.
"""

from __future__ import annotations

from datetime import datetime

import adapters
from schema import CaseQuery, NewLegalAidApplication, NewUrbanCase, Rejected

from .auth import Principal, Role
from .data import RequestData
from .errors import ForbiddenError

EVERYONE_IN_DISTRICT = frozenset(
    {Role.DISTRICT_ADMIN, Role.URBAN_MANAGEMENT, Role.CIVIL_AFFAIRS, Role.LEGAL_AID}
)
URBAN_CASE_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.URBAN_MANAGEMENT})
LEGAL_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.LEGAL_AID})
NO_CASE = adapters.IdentityMatch(adapters.MatchMethod.NONE, None)


class ScopedData(RequestData):
    """RequestData seen through one caller's scope."""

    principal: Principal

    def bind(self, principal: Principal) -> ScopedData:
        self.principal = principal
        return self

    # -- predicates ---------------------------------------------------------------------
    def _grid_people(self, grid_code: str) -> bool:
        p = self.principal
        if p.role in EVERYONE_IN_DISTRICT:
            return True
        if p.role is Role.GRID_WORKER:
            return grid_code in p.grids
        if p.role is Role.COMMUNITY_ADMIN:
            return grid_code[:12] in p.communities
        return False

    def _sees(self, resident: adapters.Resident | None) -> adapters.Resident | None:
        if resident is None:
            return None
        p = self.principal
        if p.role is Role.RESIDENT:
            return resident if resident.registry_number == p.registry_number else None
        return resident if self._grid_people(resident.grid_code) else None

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

    # -- people -------------------------------------------------------------------------
    async def resident(self, registry_number: str) -> adapters.Resident | None:
        if (
            self.principal.role is Role.RESIDENT
            and registry_number != self.principal.registry_number
        ):
            return None
        if not self._may_see_people():
            return None
        return self._sees(await super().resident(registry_number))

    async def resident_by_id_number(self, id_number: str) -> adapters.Resident | None:
        if self.principal.role is Role.RESIDENT and id_number.upper() != self.principal.id_number:
            return None
        if not self._may_see_people():
            return None
        return self._sees(await super().resident_by_id_number(id_number))

    def _may_see_people(self) -> bool:
        return self.principal.role not in (Role.PUBLIC, Role.AUDITOR)

    async def residents_of_grid(
        self, grid_code: str, offset: int, limit: int, tag: str | None, name: str | None
    ) -> adapters.Page[adapters.Resident]:
        if not self._grid_people(grid_code):
            return adapters.Page(0, [])
        return await super().residents_of_grid(grid_code, offset, limit, tag, name)

    async def household(self, code: str) -> adapters.Household | None:
        found = await super().household(code) if self._may_see_people() else None
        if found is None:
            return None
        if self.principal.role is Role.RESIDENT:
            return (
                found if self.principal.registry_number in found.member_registry_numbers else None
            )
        return found if self._grid_people(found.grid_code) else None

    async def building(self, code: str) -> adapters.Building | None:
        found = await super().building(code) if self._may_see_people() else None
        if found is None or self.principal.role is Role.RESIDENT:
            return found
        return found if self._grid_people(found.grid_code) else None

    async def identify(
        self, id_number: str | None, phone: str | None
    ) -> tuple[adapters.IdentityMatch, adapters.Resident | None]:
        if not self._may_see_people():
            return NO_CASE, None
        match, resident = await super().identify(id_number, phone)
        if resident is None or self._sees(resident) is None:
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
        if self._sees(resident) is None:
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
        if not self._sees_legal(community_code, []) and self.principal.role is not Role.RESIDENT:
            return []
        if self.principal.role is Role.RESIDENT:
            return [
                c
                for c in await super().legal_aid_cases_of_community(community_code)
                if c.applicant_id_number == self.principal.id_number
            ]
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
        if p.role is Role.RESIDENT and case.reporter_id_number not in (None, p.id_number):
            raise Rejected(
                "reporterIdNumber", "只能以本人身份上报 / you can report only as yourself"
            )
        if p.role in (Role.GRID_WORKER, Role.COMMUNITY_ADMIN) and not self._grid_people(
            case.grid_code
        ):
            raise Rejected("gridCode", "不在您负责的范围 / outside the grids you serve")
        if p.role is Role.RESIDENT and case.reporter_id_number is None:
            case = NewUrbanCase(**{**case.__dict__, "reporter_id_number": p.id_number})
        return await super().report_case(case)

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
