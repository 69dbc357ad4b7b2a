"""The three connectors and the cross-request reference caches, built once per app."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import httpx

import adapters
from connectors.civil import CivilAffairsConnector
from connectors.errors import BackendContractError, ContractError
from connectors.legal import LegalAidConnector
from connectors.urban import UrbanConnector
from gateway.backends.loaders import BatchObserver
from gateway.settings import Settings
from gateway.state.caches import InFlight, ReferenceCache
from gateway.state.shared import SharedState
from gateway.state.shared_limits import SharedPace, SharedSlots
from gateway.systems import SYSTEMS, Connector

T = TypeVar("T")
R = TypeVar("R")
Transports = Mapping[str, httpx.AsyncBaseTransport]


def adapt(backend: str, operation: str, convert: Callable[[R], T], records: list[R]) -> list[T]:
    """Adapt every record; a bad one is the backend's contract failure for this operation."""
    try:
        return [convert(r) for r in records]
    except ContractError as error:
        raise BackendContractError(backend, operation, str(error)) from None


def adapt_by_key(
    backend: str, operation: str, convert: Callable[[R], T], records: list[R], key_field: str
) -> dict[str, T | BackendContractError]:
    """Adapt each record on its own: a bad record fails only the look-up of its own key, so a
    malformed record costs the fields that asked for it, not the whole batch."""
    found: dict[str, T | BackendContractError] = {}
    for record in records:
        key = record.get(key_field) if isinstance(record, dict) else None
        try:
            value: T | BackendContractError = convert(record)
        except ContractError as error:
            value = BackendContractError(backend, operation, str(error))
        if isinstance(key, str):
            found[key] = value
    return found


class Backends:
    def __init__(
        self,
        settings: Settings,
        transports: Transports | None = None,
        shared: SharedState | None = None,
        on_fallback: Callable[[str], None] = lambda what: None,
    ) -> None:
        transports = transports or {}
        self.settings = settings
        # One connector per registered system; the three below are typed for their data parts.
        self.connectors: dict[str, Connector] = {
            system.key: system.connect(settings, transports.get(system.key)) for system in SYSTEMS
        }
        self.urban: UrbanConnector = self.connectors["urban"]  # type: ignore[assignment]
        self.civil: CivilAffairsConnector = self.connectors["civil"]  # type: ignore[assignment]
        self.legal: LegalAidConnector = self.connectors["legal"]  # type: ignore[assignment]
        if shared is not None:
            self._share_protection(settings, shared, on_fallback)
        entries = settings.cache_max_entries
        self.grids: ReferenceCache[dict[str, adapters.Grid]] = ReferenceCache(
            "grids", settings.ttl_grids_s, entries
        )
        self.departments: ReferenceCache[dict[str, adapters.Department]] = ReferenceCache(
            "departments", settings.ttl_departments_s, entries
        )
        self.services: ReferenceCache[ServiceDirectory] = ReferenceCache(
            "services", settings.ttl_services_s, entries
        )
        self.legal_reference: ReferenceCache[LegalDirectory] = ReferenceCache(
            "legal_reference", settings.ttl_legal_reference_s, entries
        )
        self.in_flight = InFlight()
        self.coalescing = settings.coalesce_in_flight and settings.batching
        self.metrics: BatchObserver | None = None  # set by the app when metrics are on
        # Told of every case the gateway changes (the live-updates feed, when there is one).
        self.case_listeners: list[Callable[[adapters.UrbanCase], Awaitable[None]]] = []

    async def case_changed(self, case: adapters.UrbanCase) -> None:
        for listener in self.case_listeners:
            await listener(case)

    def _share_protection(
        self, settings: Settings, shared: SharedState, on_fallback: Callable[[str], None]
    ) -> None:
        """One in-flight cap per backend and one legal-aid pace for every worker and replica;
        while the store is away, each worker keeps to its share."""
        share = max(1, settings.workers)
        slots = SharedSlots(
            shared,
            settings.max_in_flight,
            lease_s=settings.connect_timeout_s + settings.read_timeout_s + 5,
            fallback_share=settings.max_in_flight // share,
            on_fallback=on_fallback,
        )
        for connector in self.connectors.values():
            connector.backend.slots = slots
        limiter = self.legal.limiter
        limiter.rate = settings.legal_rate_limit_rps / share
        pace = SharedPace(
            shared,
            self.legal.backend.name,
            settings.legal_rate_limit_rps,
            burst=1.0,  # evenly spaced: no second sees more than the pace
            local=limiter.acquire,
            on_fallback=on_fallback,
        )
        self.legal.backend.before_attempt = pace.acquire

    def caches(self) -> list[ReferenceCache[object]]:
        return [self.grids, self.departments, self.services, self.legal_reference]  # type: ignore[list-item]

    async def aclose(self) -> None:
        await asyncio.gather(*(cache.aclose() for cache in self.caches()))
        await asyncio.gather(*(connector.aclose() for connector in self.connectors.values()))

    async def grid_index(self) -> dict[str, adapters.Grid]:
        async def load() -> dict[str, adapters.Grid]:
            records = await self.urban.all_grids()
            grids = adapt("urban-management", "GetGrids", adapters.grid_from_urban, records)
            return {g.code: g for g in grids}

        return await self.grids.get("all", load)

    async def department_index(self) -> dict[str, adapters.Department]:
        async def load() -> dict[str, adapters.Department]:
            records = await self.urban.departments()
            found = adapt(
                "urban-management", "GetDepartments", adapters.department_from_urban, records
            )
            return {x.code: x for x in found}

        return await self.departments.get("all", load)

    async def service_directory(self) -> ServiceDirectory:
        async def load() -> ServiceDirectory:
            civil = self.civil
            services, centers, placements, organisations = await asyncio.gather(
                civil.services(),
                civil.service_centers(),
                civil.service_placements(),
                civil.organisations(),
            )
            name = "civil-affairs"
            return ServiceDirectory(
                services=adapt(name, "fw.list", adapters.service_from_civil_affairs, services),
                centers=adapt(
                    name, "fwzx.list", adapters.service_center_from_civil_affairs, centers
                ),
                placements=adapt(
                    name, "fwdd.list", adapters.placement_from_civil_affairs, placements
                ),
                organisations=adapt(
                    name, "zz.list", adapters.organisation_from_civil_affairs, organisations
                ),
            )

        return await self.services.get("all", load)

    async def legal_directory(self) -> LegalDirectory:
        async def load() -> LegalDirectory:
            legal = self.legal
            lawyers, offices, stations = await asyncio.gather(
                legal.lawyers(), legal.law_offices(), legal.workstations()
            )
            name = "legal-aid"
            return LegalDirectory(
                lawyers=adapt(name, "list_lawyers", adapters.lawyer_from_legal, lawyers),
                offices=adapt(name, "list_law_offices", adapters.law_office_from_legal, offices),
                workstations=adapt(
                    name, "list_workstations", adapters.workstation_from_legal, stations
                ),
            )

        return await self.legal_reference.get("all", load)

    def start_coalesced(
        self, key: tuple[object, ...], call: Callable[[], Awaitable[T]]
    ) -> asyncio.Future[T]:
        """The call, started now, or joined where the same one is under way (coalescing on)."""
        if not self.coalescing:
            return asyncio.ensure_future(call())
        return self.in_flight.start(key, call)

    async def coalesced(self, key: tuple[object, ...], call: Callable[[], Awaitable[T]]) -> T:
        if not self.coalescing:
            return await call()
        return await self.in_flight.run(key, call)


class ServiceDirectory:
    def __init__(
        self,
        services: list[adapters.Service],
        centers: list[adapters.ServiceCenter],
        placements: list[adapters.ServicePlacement],
        organisations: list[adapters.Organisation],
    ) -> None:
        self.services = services
        self.centers = centers
        self.service_by_id = {s.id: s for s in services}
        self.center_by_id = {c.id: c for c in centers}
        self.organisation_by_id = {o.id: o for o in organisations}
        self.services_at: dict[str, list[adapters.Service]] = {}
        self.centers_of: dict[str, list[adapters.ServiceCenter]] = {}
        for p in placements:
            if p.service_id in self.service_by_id and p.center_id in self.center_by_id:
                self.services_at.setdefault(p.center_id, []).append(
                    self.service_by_id[p.service_id]
                )
                self.centers_of.setdefault(p.service_id, []).append(self.center_by_id[p.center_id])


class LegalDirectory:
    def __init__(
        self,
        lawyers: list[adapters.Lawyer],
        offices: list[adapters.LawOffice],
        workstations: list[adapters.Workstation],
    ) -> None:
        self.lawyer_by_id = {x.id: x for x in lawyers}
        self.office_by_id = {x.id: x for x in offices}
        self.workstations = workstations
