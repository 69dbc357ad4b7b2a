"""The legal-aid connector: OAuth2 client credentials, a client-side rate limit under the
system's own, 429 honoured with Retry-After, one-by-one fetches under the in-flight cap, and
cursor paging."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import httpx

from .base import Backend, BackendSettings, status_error
from .calls import Answer
from .credentials import AccessToken
from .errors import (
    BackendContractError,
    BackendRateLimitedError,
)
from .records import (
    LegalApplicationRecord,
    LegalDisputeRecord,
    LegalLawyerRecord,
    LegalOfficeRecord,
    LegalWorkstationRecord,
    json_of,
)

API = "/api/v1"
TOKEN_MARGIN_S = 30.0

Sleep = Callable[[float], Awaitable[None]]


class PacedLimiter:
    """A token bucket kept under the system's own: `rate` requests a second, bursts of at most
    `burst` (the system's bucket allows a burst of its rate)."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        burst: float | None = None,
    ) -> None:
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else rate)
        self.clock = clock
        self.sleep = sleep
        self._tokens = self.burst
        self._updated = clock()

    async def acquire(self) -> None:
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        self._tokens -= 1
        if self._tokens < 0:
            await self.sleep(-self._tokens / self.rate)


class LegalAidConnector:
    def __init__(
        self,
        settings: BackendSettings,
        client_id: str,
        client_secret: str,
        transport: httpx.AsyncBaseTransport | None = None,
        rate_limit_rps: float = 18.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.backend = Backend("legal-aid", settings, transport, clock=clock, sleep=sleep)
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self.sleep = sleep
        self.limiter = PacedLimiter(rate_limit_rps, clock, sleep)
        self.backend.before_attempt = self.limiter.acquire
        self.token = AccessToken(self._fetch_token, TOKEN_MARGIN_S, clock)

    async def aclose(self) -> None:
        await self.backend.aclose()

    async def _fetch_token(self) -> tuple[str, int]:
        request = self.backend.request(
            "POST",
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        response = await self.backend.send("token", request)
        with self.backend.mapping_errors("token"):
            if response.status_code != 200:
                raise status_error(self.backend.name, "token", response.status_code)
            body = json_of(response)
            token, lifetime = body["access_token"], body["expires_in"]
            if not isinstance(token, str) or not isinstance(lifetime, int):
                raise BackendContractError(self.backend.name, "token", "bad token response")
        return token, lifetime

    async def request(
        self,
        operation: str,
        method: str,
        path: str,
        accept: tuple[int, ...] = (),
        idempotent: bool = True,
        **kwargs: Any,
    ) -> Answer:
        """One call with a valid token. 429 and transient failures are retried by the backend
        (with `Retry-After`, within the retry budget); an expired token is refreshed once."""
        refreshed = False
        while True:
            token = await self.token.get()
            request = self.backend.request(
                method, API + path, headers={"Authorization": f"Bearer {token}"}, **kwargs
            )
            response = await self.backend.send(operation, request, idempotent=idempotent)
            if response.status_code == 401 and not refreshed:
                refreshed = True
                self.token.stale(token)
                continue
            return (
                response if response.status_code in accept else self._checked(operation, response)
            )

    def _checked(self, operation: str, response: Answer) -> Answer:
        name, status = self.backend.name, response.status_code
        if status == 429:
            raise BackendRateLimitedError(name, operation, "HTTP 429")
        if status >= 400 and status != 404:
            raise status_error(name, operation, status)
        return response

    async def _json(self, operation: str, response: Answer) -> Any:
        with self.backend.mapping_errors(operation):
            return json_of(response)

    async def application(self, record_code: str) -> LegalApplicationRecord | None:
        found = await self._one("get_applications", f"/applications/{record_code}")
        return cast(LegalApplicationRecord | None, found)

    async def applications(self, record_codes: list[str]) -> list[LegalApplicationRecord | None]:
        """No batch look-up exists: one GET each, concurrent under the in-flight cap."""
        return list(await asyncio.gather(*(self.application(code) for code in record_codes)))

    async def list_all(
        self, operation: str, path: str, params: dict[str, str], limit: int = 50
    ) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            query = {**params, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
            response = await self.request(operation, "GET", path, params=query)
            body = await self._json(operation, response)
            if not isinstance(body, dict) or not isinstance(body.get("items"), list):
                raise BackendContractError(self.backend.name, operation, "not a page")
            items.extend(body["items"])
            cursor = body.get("next_cursor")
            if not cursor:
                return items

    async def applications_of_person(self, id_number: str) -> list[LegalApplicationRecord]:
        found = await self.list_all(
            "list_applications", "/applications", {"apply_identity_no": id_number}
        )
        return cast(list[LegalApplicationRecord], found)

    async def applications_of_community(self, community_code: str) -> list[LegalApplicationRecord]:
        found = await self.list_all(
            "list_applications", "/applications", {"case_area_id": community_code}
        )
        return cast(list[LegalApplicationRecord], found)

    async def _one(self, operation: str, path: str) -> dict[str, Any] | None:
        response = await self.request(operation, "GET", path)
        if response.status_code == 404:
            return None
        body = await self._json(operation, response)
        if not isinstance(body, dict):
            raise BackendContractError(self.backend.name, operation, "not an object")
        return body

    async def disputes_of_person(self, id_number: str) -> list[LegalDisputeRecord]:
        found = await self.list_all("list_disputes", "/disputes", {"party_identity_no": id_number})
        return cast(list[LegalDisputeRecord], found)

    async def disputes_of_community(self, community_code: str) -> list[LegalDisputeRecord]:
        found = await self.list_all("list_disputes", "/disputes", {"case_area_id": community_code})
        return cast(list[LegalDisputeRecord], found)

    async def dispute(self, dispute_id: str) -> LegalDisputeRecord | None:
        found = await self._one("get_disputes", f"/disputes/{dispute_id}")
        return cast(LegalDisputeRecord | None, found)

    async def lawyers(self, office_id: str | None = None) -> list[LegalLawyerRecord]:
        query = {"law_office_id": office_id} if office_id else {}
        return cast(list[LegalLawyerRecord], await self.list_all("list_lawyers", "/lawyers", query))

    async def lawyer(self, lawyer_id: str) -> LegalLawyerRecord | None:
        return cast(
            LegalLawyerRecord | None, await self._one("get_lawyers", f"/lawyers/{lawyer_id}")
        )

    async def law_offices(self) -> list[LegalOfficeRecord]:
        found = await self.list_all("list_law_offices", "/law-offices", {})
        return cast(list[LegalOfficeRecord], found)

    async def workstations(self, community_code: str | None = None) -> list[LegalWorkstationRecord]:
        query = {"case_area_id": community_code} if community_code else {}
        found = await self.list_all("list_workstations", "/workstations", query)
        return cast(list[LegalWorkstationRecord], found)

    async def apply(
        self, fields: dict[str, str]
    ) -> tuple[LegalApplicationRecord | None, dict[str, str]]:
        """The created application, or the system's field errors (422)."""
        operation = "create_applications"
        response = await self.request(
            operation, "POST", "/applications", accept=(422,), json=fields
        )
        body = await self._json(operation, response)
        if not isinstance(body, dict):
            raise BackendContractError(self.backend.name, operation, "not an object")
        if response.status_code == 422:
            problems = body.get("fields")
            if not isinstance(problems, dict):
                raise BackendContractError(self.backend.name, operation, "no field errors")
            return None, {str(k): str(v) for k, v in problems.items()}
        return cast(LegalApplicationRecord, body), {}
