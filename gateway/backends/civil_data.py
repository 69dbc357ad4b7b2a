"""The civil-affairs registry's part of a request's data: residents by registry number, ID number
and phone, who a person named elsewhere is, households, buildings and enrolments."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import cached_property
from typing import Any

import adapters
from connectors.errors import BackendStatusError
from gateway.backends.loaders import EachLoader, Loader, by_key
from gateway.backends.request_base import CIVIL, DataBase, window
from gateway.backends.wiring import adapt, adapt_by_key
from schema import Named, Rejected

# Turns of the event loop from asking the identities loader to its calls on the wire.
AHEAD_TURNS = 6


class CivilData(DataBase):
    @cached_property
    def _residents_loader(self) -> Loader[str, adapters.Resident | None]:
        return self._loader(self._load_residents, 100)

    @cached_property
    def _residents_by_id_loader(self) -> Loader[str, adapters.Resident | None]:
        return self._loader(self._load_residents_by_id, 100)

    @cached_property
    def _phone_holders_loader(self) -> EachLoader[str, list[adapters.Resident]]:
        return self._each(self._holders_of_phone)

    @cached_property
    def _identities_loader(
        self,
    ) -> Loader[tuple[str, str], tuple[adapters.IdentityMatch, adapters.Resident | None]]:
        return self._loader(self._identities)

    @cached_property
    def _grid_residents_loader(
        self,
    ) -> EachLoader[tuple[Any, ...], adapters.Page[adapters.Resident]]:
        return self._each(self._grid_residents_page)

    @cached_property
    def _households_loader(self) -> Loader[str, adapters.Household | None]:
        return self._loader(self._load_households, 100)

    @cached_property
    def _buildings_loader(self) -> Loader[str, adapters.Building | None]:
        return self._loader(self._load_buildings, 100)

    @cached_property
    def _enrolments_loader(self) -> Loader[str, list[adapters.Enrolment]]:
        return self._loader(self._load_enrolments, 100)

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
        page_no, size, skip = window(offset, limit)
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

    async def identify_ahead(self, named: list[Named]) -> None:
        if not self.batching:
            return  # every look-up is its own call then: asking ahead would add one per person
        for _, id_number, phone in named:
            self._identities_loader.ahead((id_number or "", phone or ""))
        # The calls leave a few turns of the loop later (the loader's dispatch and batch, the
        # ID and phone loaders' own, each call's task): the caller's walk waits for them.
        for _ in range(AHEAD_TURNS):
            await asyncio.sleep(0)

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
