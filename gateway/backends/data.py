"""The data source the schema reads, for one request: each system's part (loaders over its
connector, adapters applied) and reference data from the cross-request caches."""

from __future__ import annotations

import adapters
from gateway.backends.civil_data import CivilData
from gateway.backends.legal_data import LegalData
from gateway.backends.workflow_data import WorkflowData
from gateway.systems import system_parts


class RequestData(*system_parts("data"), CivilData, WorkflowData, LegalData):  # type: ignore[misc]
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
