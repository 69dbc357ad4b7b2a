"""The engagement platform connector: a WeChat-style access token (fetched once, shared by
concurrent callers, refreshed before it dies and again when the platform says 40001 or 42001),
every answer HTTP 200 with an `errcode`, quotas (45009 daily, 45011 per minute) as
`BackendRateLimitedError`, and offset/count paging of at most 50."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, cast

import httpx

from .base import Backend, BackendSettings, chunks, status_error
from .calls import Answer
from .credentials import AccessToken
from .engage_records import (
    EngageActivityRecord,
    EngageCommentRecord,
    EngageExchangeRecord,
    EngageFiguresRecord,
    EngagePointsRecord,
    EngageProjectRecord,
    EngageRewardRecord,
    EngageSignupRecord,
    EngageTopicRecord,
    EngageUserRecord,
    EngageWishRecord,
)
from .errors import (
    BackendContractError,
    BackendRateLimitedError,
    BackendStatusError,
    BackendUnavailableError,
)
from .records import json_of

TOKEN_MARGIN_S = 300.0
PAGE = 50
BATCH = 100
STALE_TOKEN = (40001, 42001)
QUOTA = {45009: "daily quota reached", 45011: "minute limit reached"}


class PlatformRefusal(BackendStatusError):
    """The platform refused a call for a reason of its own (a full activity, a used trade
    number): `errcode` says which, for the caller to turn into a field error."""

    def __init__(self, backend: str, operation: str, errcode: int) -> None:
        super().__init__(backend, operation, f"errcode {errcode}", errcode=errcode)
        self.errcode = errcode


class EngagementConnector:
    def __init__(
        self,
        settings: BackendSettings,
        app_id: str,
        app_secret: str,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = Backend("engagement", settings, transport, clock=clock)
        self.app_id = app_id
        self.app_secret = app_secret
        self.clock = clock
        self.token = AccessToken(self._fetch_token, TOKEN_MARGIN_S, clock)

    async def aclose(self) -> None:
        await self.backend.aclose()

    async def _fetch_token(self) -> tuple[str, int]:
        request = self.backend.request(
            "GET",
            "/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": self.app_id,
                "secret": self.app_secret,
            },
        )
        body = await self._envelope("token", await self.backend.send("token", request))
        with self.backend.mapping_errors("token"):
            token, lifetime = body["access_token"], body["expires_in"]
            if not isinstance(token, str) or not isinstance(lifetime, int):
                raise BackendContractError(self.backend.name, "token", "bad token answer")
        return token, lifetime

    async def _envelope(self, operation: str, response: Answer) -> dict[str, Any]:
        name = self.backend.name
        if response.status_code != 200:
            raise status_error(name, operation, response.status_code)
        with self.backend.mapping_errors(operation):
            body = json_of(response)
            if not isinstance(body, dict):
                raise BackendContractError(name, operation, "not an object")
            code = body.get("errcode", 0)
            if not isinstance(code, int):
                raise BackendContractError(name, operation, "errcode not a number")
        if code == 0:
            return body
        if code in QUOTA:
            raise BackendRateLimitedError(name, operation, QUOTA[code], errcode=code)
        if code == -1:
            raise BackendUnavailableError(name, operation, "system busy", errcode=code)
        raise PlatformRefusal(name, operation, code)

    async def call(
        self, operation: str, path: str, body: dict[str, Any], idempotent: bool = True
    ) -> dict[str, Any]:
        """One call with a valid token; a token the platform calls stale is refreshed once."""
        refreshed = False
        while True:
            token = await self.token.get()
            request = self.backend.request("POST", path, params={"access_token": token}, json=body)
            response = await self.backend.send(operation, request, idempotent=idempotent)
            try:
                return await self._envelope(operation, response)
            except PlatformRefusal as refusal:
                if refusal.errcode not in STALE_TOKEN or refreshed:
                    raise
                refreshed = True
                self.token.stale(token)

    async def _all(self, operation: str, path: str, body: dict[str, Any]) -> list[Any]:
        items: list[Any] = []
        while True:
            page = await self.call(operation, path, {**body, "offset": len(items), "count": PAGE})
            listed, total = page.get("list"), page.get("total")
            if not isinstance(listed, list) or not isinstance(total, int):
                raise BackendContractError(self.backend.name, operation, "not a page")
            items.extend(listed)
            if not listed or len(items) >= total:
                return items

    def _listed(self, operation: str, answer: dict[str, Any], key: str) -> list[Any]:
        found = answer.get(key)
        if not isinstance(found, list):
            raise BackendContractError(self.backend.name, operation, f"no {key}")
        return found

    def _object(self, operation: str, answer: dict[str, Any], key: str) -> Any:
        found = answer.get(key)
        if not isinstance(found, dict):
            raise BackendContractError(self.backend.name, operation, f"no {key}")
        return found

    async def _batched(
        self, operation: str, path: str, given: str, keys: list[str], answered: str
    ) -> list[Any]:
        """A look-up by many keys, a hundred a call: every call's `answered` list together."""
        found: list[Any] = []
        for part in chunks(keys, BATCH):
            answer = await self.call(operation, path, {given: part})
            found += self._listed(operation, answer, answered)
        return found

    # -- people ---------------------------------------------------------------------------
    async def users(self, openids: list[str]) -> list[EngageUserRecord]:
        found = await self._batched(
            "user_batchget", "/api/user/batchget", "openid_list", openids, "user_list"
        )
        return cast(list[EngageUserRecord], found)

    async def openids_of_phones(self, phones: list[str]) -> dict[str, list[str]]:
        entries = await self._batched(
            "user_getbyphone", "/api/user/getbyphone", "phone_list", phones, "result"
        )
        with self.backend.mapping_errors("user_getbyphone"):
            return {str(e["phone"]): [str(o) for o in e["openid_list"]] for e in entries}

    async def points(self, openids: list[str]) -> list[EngagePointsRecord]:
        found = await self._batched(
            "points_batchget", "/api/points/batchget", "openid_list", openids, "points_list"
        )
        return cast(list[EngagePointsRecord], found)

    async def signups(self, openid: str) -> list[EngageSignupRecord]:
        found = await self._all("signup_list", "/api/signup/list", {"openid": openid})
        return cast(list[EngageSignupRecord], found)

    # -- places ---------------------------------------------------------------------------
    async def activities(self, grid_code: str) -> list[EngageActivityRecord]:
        found = await self._all("activity_list", "/api/activity/list", {"grid_code": grid_code})
        return cast(list[EngageActivityRecord], found)

    async def wishes(self, grid_code: str) -> list[EngageWishRecord]:
        found = await self._all("wish_list", "/api/wish/list", {"grid_code": grid_code})
        return cast(list[EngageWishRecord], found)

    async def topics(self, grid_code: str) -> list[EngageTopicRecord]:
        found = await self._all("topic_list", "/api/topic/list", {"grid_code": grid_code})
        return cast(list[EngageTopicRecord], found)

    async def comments(self, topic_id: str) -> list[EngageCommentRecord]:
        found = await self._all("topic_comments", "/api/topic/comments", {"topic_id": topic_id})
        return cast(list[EngageCommentRecord], found)

    async def projects(self, community_code: str) -> list[EngageProjectRecord]:
        body = {"community_code": community_code}
        return cast(
            list[EngageProjectRecord], await self._all("project_list", "/api/project/list", body)
        )

    async def rewards(self) -> list[EngageRewardRecord]:
        answer = await self.call("reward_list", "/api/reward/list", {})
        return cast(list[EngageRewardRecord], self._listed("reward_list", answer, "reward_list"))

    async def figures(self, scope: dict[str, str], begin: int, end: int) -> EngageFiguresRecord:
        body = {**scope, "begin_time": begin, "end_time": end}
        return cast(EngageFiguresRecord, await self.call("stat_get", "/api/stat/get", body))

    # -- writes ---------------------------------------------------------------------------
    async def write(self, operation: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        """A write, sent once; the record the platform answers with under `key`."""
        path = "/api/" + operation.replace("_", "/", 1)
        answer = await self.call(operation, path, body, idempotent=False)
        return cast(dict[str, Any], self._object(operation, answer, key))

    async def exchange(self, openid: str, reward_id: str, trade_no: str) -> EngageExchangeRecord:
        """Idempotent at the platform by trade number: safe to send again after a lost answer."""
        body = {"openid": openid, "reward_id": reward_id, "out_trade_no": trade_no}
        answer = await self.call("points_exchange", "/api/points/exchange", body)
        return cast(EngageExchangeRecord, self._object("points_exchange", answer, "exchange"))
