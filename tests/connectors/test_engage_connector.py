"""The engagement connector over respx: the token fetched once and shared, a stale token
refreshed once, errcodes mapped into the error tree, and pages followed to the end."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import respx

from connectors.base import BackendSettings
from connectors.engage import EngagementConnector, PlatformRefusal
from connectors.errors import (
    BackendContractError,
    BackendRateLimitedError,
    BackendUnavailableError,
)

BASE = "http://engage.test"


def connector() -> EngagementConnector:
    return EngagementConnector(BackendSettings(base_url=BASE), "wxapp", "secret")


async def test_one_token_for_concurrent_calls_and_a_refresh_on_42001(
    respx_mock: respx.MockRouter,
) -> None:
    issued = iter(["first", "second"])
    tokens = respx_mock.get(f"{BASE}/cgi-bin/token").mock(
        side_effect=lambda r: httpx.Response(
            200, json={"access_token": next(issued), "expires_in": 7200}
        )
    )
    seen: list[str] = []

    def rewards(request: httpx.Request) -> httpx.Response:
        token = request.url.params["access_token"]
        seen.append(token)
        if token == "first" and len(seen) > 3:
            return httpx.Response(200, json={"errcode": 42001, "errmsg": "access_token expired"})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "reward_list": []})

    respx_mock.post(f"{BASE}/api/reward/list").mock(side_effect=rewards)
    engage = connector()
    await asyncio.gather(*(engage.rewards() for _ in range(3)))
    assert tokens.call_count == 1  # shared by the three
    await engage.rewards()  # 42001: refreshed once, sent again
    assert tokens.call_count == 2
    assert seen[-2:] == ["first", "second"]
    await engage.aclose()


@pytest.mark.parametrize(
    ("errcode", "error"),
    [
        (45009, BackendRateLimitedError),
        (45011, BackendRateLimitedError),
        (-1, BackendUnavailableError),
        (63002, PlatformRefusal),
    ],
)
async def test_errcodes_map_into_the_error_tree(
    respx_mock: respx.MockRouter, errcode: int, error: type[Exception]
) -> None:
    respx_mock.get(f"{BASE}/cgi-bin/token").mock(
        return_value=httpx.Response(200, json={"access_token": "t", "expires_in": 7200})
    )
    respx_mock.post(f"{BASE}/api/reward/list").mock(
        return_value=httpx.Response(200, json={"errcode": errcode, "errmsg": "x"})
    )
    engage = connector()
    with pytest.raises(error) as raised:
        await engage.rewards()
    assert raised.value.extensions["errcode"] == errcode  # type: ignore[attr-defined]
    await engage.aclose()


async def test_a_bad_credential_at_the_token_endpoint_is_not_retried_forever(
    respx_mock: respx.MockRouter,
) -> None:
    tokens = respx_mock.get(f"{BASE}/cgi-bin/token").mock(
        return_value=httpx.Response(200, json={"errcode": 40001, "errmsg": "invalid credential"})
    )
    engage = connector()
    with pytest.raises(PlatformRefusal):
        await engage.rewards()
    assert tokens.call_count == 1
    await engage.aclose()


async def test_pages_are_followed_and_garbage_is_a_contract_error(
    respx_mock: respx.MockRouter,
) -> None:
    respx_mock.get(f"{BASE}/cgi-bin/token").mock(
        return_value=httpx.Response(200, json={"access_token": "t", "expires_in": 7200})
    )
    offsets: list[int] = []

    def page(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        offsets.append(body["offset"])
        assert body["count"] == 50
        listed = [{"n": i} for i in range(body["offset"], min(body["offset"] + 50, 120))]
        return httpx.Response(200, json={"errcode": 0, "total": 120, "list": listed})

    respx_mock.post(f"{BASE}/api/wish/list").mock(side_effect=page)
    engage = connector()
    assert len(await engage.wishes("320213001001001")) == 120
    assert offsets == [0, 50, 100]
    respx_mock.post(f"{BASE}/api/topic/list").mock(
        return_value=httpx.Response(200, text="<html>oops</html>")
    )
    with pytest.raises(BackendContractError):
        await engage.topics("320213001001001")
    await engage.aclose()
