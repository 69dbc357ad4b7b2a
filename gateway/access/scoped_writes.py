"""Writes seen through one caller's scope: on whose behalf, in which grids, and which given
values are look-ups (a reporter named by a role that sees IDs masked)."""

from __future__ import annotations

import dataclasses

import adapters
from gateway.access.ahead import ScopedAhead
from gateway.access.auth import Role
from gateway.access.case_workflow import CaseWorkflow
from gateway.access.kinds import Kind
from gateway.access.policy import sees_whole
from gateway.backends.data import RequestData
from gateway.systems import system_parts
from schema import NewLegalAidApplication, NewUrbanCase, Rejected


class ScopedData(*system_parts("access"), CaseWorkflow, ScopedAhead):  # type: ignore[misc]
    """RequestData seen through one caller's scope, reads and writes."""

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
        reported = await super().report_case(case)
        # A new case is a change of its grid's: subscribers hear of it at once, as of any step
        # taken through the gateway, not at the poller's next look (or never, with it off).
        await self.backends.case_changed(reported)
        return reported

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
        guarded = await self._guard(kinds[0])
        if guarded is not None:
            _, found = await self.identify(case.reporter_id_number, case.reporter_phone)
            await guarded.settle(found is not None)

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
