"""The civil-affairs connector: signed form POSTs, envelope codes, paging and batch chunks.

The gateway always answers HTTP 200; failures are envelope codes (96 data, 97 missing, 98 type,
99 failure), which map to backend status errors carrying the code.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, cast

import httpx

from .base import Backend, BackendSettings, chunks, status_error
from .errors import BackendContractError, BackendStatusError
from .records import (
    CivilBuildingRecord,
    CivilEnrolmentRecord,
    CivilHouseholdRecord,
    CivilLocationRecord,
    CivilOrganisationRecord,
    CivilResidentRecord,
    CivilServiceAtLocationRecord,
    CivilServiceRecord,
    Page,
    json_of,
)

BEIJING = timezone(timedelta(hours=8))
API_PREFIX = "/gateway/api/"
BATCH_CAP = 100
PAGE_SIZE_CAP = 200
WRITES = frozenset({"bm.add"})
# The registry's key formats, as its parameter types document them. It refuses a key of another
# form with code 98, and with it the whole batch the key came in: such a key names no one, so it
# is never sent, and the rest of its batch is answered.
KEY_FORMATS = {
    "rkbhs": re.compile(r"RK[0-9]{14}"),
    "sfzhs": re.compile(r"[0-9]{17}[0-9Xx]"),
}


def well_formed(key: str, values: list[str]) -> list[str]:
    pattern = KEY_FORMATS[key]
    return [v for v in values if pattern.fullmatch(v)]


def sign(app_key: str, secret: str, request_time: str) -> str:
    return hashlib.md5(
        (app_key + secret + request_time).encode(), usedforsecurity=False
    ).hexdigest()


def beijing_now() -> datetime:
    return datetime.now(BEIJING)


class CivilAffairsConnector:
    def __init__(
        self,
        settings: BackendSettings,
        app_key: str,
        secret: str,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = beijing_now,
    ) -> None:
        self.backend = Backend("civil-affairs", settings, transport)
        self.app_key = app_key
        self.secret = secret
        self.clock = clock

    async def aclose(self) -> None:
        await self.backend.aclose()

    def signed_form(self, data: dict[str, Any]) -> dict[str, str]:
        request_time = self.clock().astimezone(BEIJING).strftime("%Y%m%d%H%M%S")
        return {
            "data": json.dumps(data, ensure_ascii=False),
            "appKey": self.app_key,
            "requestTime": request_time,
            "sign": sign(self.app_key, self.secret, request_time),
        }

    async def call(self, service: str, data: dict[str, Any]) -> tuple[Any, int]:
        request = self.backend.request("POST", API_PREFIX + service, data=self.signed_form(data))
        response = await self.backend.send(service, request, idempotent=service not in WRITES)
        name = self.backend.name
        with self.backend.mapping_errors(service):
            if response.status_code != 200:
                raise status_error(name, service, response.status_code)
            body = json_of(response)
            if not isinstance(body, dict) or not isinstance(body.get("code"), str):
                raise BackendContractError(name, service, "no envelope")
            if body["code"] != "00":
                raise BackendStatusError(
                    name, service, f"envelope code {body['code']}", envelope_code=body["code"]
                )
            total = body.get("total", 0)
            if not isinstance(total, int):
                raise BackendContractError(name, service, "total is not an integer")
            return body.get("data"), total

    async def _batched(self, service: str, key: str, values: list[str]) -> list[Any]:
        values = well_formed(key, values) if key in KEY_FORMATS else values
        if not values:
            return []
        results = await asyncio.gather(
            *(self.call(service, {key: chunk}) for chunk in chunks(values, BATCH_CAP))
        )
        found: list[Any] = []
        for data, _ in results:
            if not isinstance(data, list):
                raise BackendContractError(self.backend.name, service, "data is not a list")
            found.extend(data)
        return found

    async def residents_by_registry_numbers(self, numbers: list[str]) -> list[CivilResidentRecord]:
        return cast(
            list[CivilResidentRecord], await self._batched("rk.queryByRkbh", "rkbhs", numbers)
        )

    async def residents_by_id_numbers(self, numbers: list[str]) -> list[CivilResidentRecord]:
        return cast(
            list[CivilResidentRecord], await self._batched("rk.queryBySfzh", "sfzhs", numbers)
        )

    async def residents_by_phone(self, phone: str) -> list[CivilResidentRecord]:
        data, _ = await self.call("rk.queryByLxdh", {"lxdh": phone})
        return cast(list[CivilResidentRecord], data or [])

    async def residents_of_grid(
        self,
        grid: str,
        page: int = 1,
        size: int = 20,
        tag: str | None = None,
        name: str | None = None,
    ) -> Page[CivilResidentRecord]:
        query: dict[str, Any] = {"wgbm": grid, "pageNo": page, "pageSize": min(size, PAGE_SIZE_CAP)}
        if tag:
            query["rylx"] = tag
        if name:
            query["xm"] = name
        data, total = await self.call("rk.queryByWgbm", query)
        return Page(total, cast(list[CivilResidentRecord], data or []))

    async def listing(
        self, service: str, query: dict[str, Any], page: int = 1, size: int = PAGE_SIZE_CAP
    ) -> Page[dict[str, Any]]:
        data, total = await self.call(
            service, {**query, "pageNo": page, "pageSize": min(size, PAGE_SIZE_CAP)}
        )
        if not isinstance(data, list):
            raise BackendContractError(self.backend.name, service, "data is not a list")
        return Page(total, cast(list[dict[str, Any]], data))

    async def every_page(self, service: str, query: dict[str, Any]) -> list[dict[str, Any]]:
        """All items of a paged listing: the first page tells how many more to fetch at once."""
        first = await self.listing(service, query)
        pages = range(2, -(-first.total // PAGE_SIZE_CAP) + 1)
        rest = await asyncio.gather(*(self.listing(service, query, page) for page in pages))
        return [*first.items, *(item for page in rest for item in page.items)]

    async def households(self, codes: list[str]) -> list[CivilHouseholdRecord]:
        return cast(list[CivilHouseholdRecord], await self._batched("hu.queryByHh", "hhs", codes))

    async def buildings(self, codes: list[str]) -> list[CivilBuildingRecord]:
        found = await self._batched("ld.queryByLdbm", "ldbms", codes)
        return cast(list[CivilBuildingRecord], found)

    async def buildings_of_grid(self, grid: str) -> list[CivilBuildingRecord]:
        found = await self.every_page("ld.queryByWgbm", {"wgbm": grid})
        return cast(list[CivilBuildingRecord], found)

    async def organisations(self, community: str | None = None) -> list[CivilOrganisationRecord]:
        query = {"sqbm": community} if community else {}
        return cast(list[CivilOrganisationRecord], await self.every_page("zz.list", query))

    async def services(
        self, *, community: str | None = None, category: str | None = None
    ) -> list[CivilServiceRecord]:
        query = {k: v for k, v in (("sqbm", community), ("category", category)) if v}
        return cast(list[CivilServiceRecord], await self.every_page("fw.list", query))

    async def service_centers(
        self, *, grid: str | None = None, community: str | None = None
    ) -> list[CivilLocationRecord]:
        query = {k: v for k, v in (("wgbm", grid), ("sqbm", community)) if v}
        return cast(list[CivilLocationRecord], await self.every_page("fwzx.list", query))

    async def service_placements(
        self, *, service: str | None = None, location: str | None = None
    ) -> list[CivilServiceAtLocationRecord]:
        query = {k: v for k, v in (("service_id", service), ("location_id", location)) if v}
        found = await self.every_page("fwdd.list", query)
        return cast(list[CivilServiceAtLocationRecord], found)

    async def enrolments_of(self, registry_numbers: list[str]) -> list[CivilEnrolmentRecord]:
        registry_numbers = well_formed("rkbhs", registry_numbers)
        if not registry_numbers:
            return []
        pages = await asyncio.gather(
            *(
                self.every_page("bm.query", {"rkbhs": chunk})
                for chunk in chunks(registry_numbers, BATCH_CAP)
            )
        )
        return cast(list[CivilEnrolmentRecord], [e for page in pages for e in page])

    async def enrol(
        self, registry_number: str, service_id: str, location_id: str
    ) -> CivilEnrolmentRecord:
        data, _ = await self.call(
            "bm.add",
            {"rkbh": registry_number, "service_id": service_id, "location_id": location_id},
        )
        if not isinstance(data, dict):
            raise BackendContractError(self.backend.name, "bm.add", "data is not an object")
        return cast(CivilEnrolmentRecord, data)
