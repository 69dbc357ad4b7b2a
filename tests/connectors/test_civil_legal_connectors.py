from __future__ import annotations

import asyncio
import hashlib
import json
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from connectors.base import BackendSettings
from connectors.civil import CivilAffairsConnector
from connectors.errors import (
    BackendContractError,
    BackendRateLimitedError,
    BackendStatusError,
    BackendUnavailableError,
    GovGraphError,
)
from connectors.legal import LegalAidConnector
from connectors.urban import UrbanConnector
from mocks import MockSet, Population, build_mocks
from mocks.civil import APP_KEY, SECRET
from mocks.legal import CLIENT_ID, CLIENT_SECRET
from mocks.urban import PASSWORD, USERNAME
from tests.conftest import ManualClock, frozen_population

CIVIL = "http://civil.test"
LEGAL = "http://legal.test"


def form_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def envelope(code: str = "00", data: object = None, total: int = 0) -> httpx.Response:
    return httpx.Response(200, json={"code": code, "msg": "x", "data": data, "total": total})


@pytest.fixture
def civil() -> CivilAffairsConnector:
    return CivilAffairsConnector(BackendSettings(CIVIL), "key", "secret")


async def test_civil_requests_are_signed_form_posts(
    respx_mock: respx.MockRouter, civil: CivilAffairsConnector
) -> None:
    route = respx_mock.post(f"{CIVIL}/gateway/api/rk.queryBySfzh").mock(
        return_value=envelope(data=[], total=0)
    )
    await civil.residents_by_id_numbers(["11010519491231002X"])
    form = form_of(route.calls.last.request)
    assert set(form) == {"data", "appKey", "requestTime", "sign"}
    assert json.loads(form["data"]) == {"sfzhs": ["11010519491231002X"]}
    expected = hashlib.md5(
        ("key" + "secret" + form["requestTime"]).encode(), usedforsecurity=False
    ).hexdigest()
    assert form["sign"] == expected
    assert len(form["requestTime"]) == 14


async def test_civil_batches_are_chunked_at_one_hundred(
    respx_mock: respx.MockRouter, civil: CivilAffairsConnector
) -> None:
    sizes: list[int] = []

    def reply(request: httpx.Request) -> httpx.Response:
        sizes.append(len(json.loads(form_of(request)["data"])["rkbhs"]))
        return envelope(data=[], total=0)

    respx_mock.post(f"{CIVIL}/gateway/api/rk.queryByRkbh").mock(side_effect=reply)
    await civil.residents_by_registry_numbers([f"RK{i:014d}" for i in range(250)])
    assert sorted(sizes) == [50, 100, 100]


async def test_civil_keys_the_registry_would_refuse_are_never_sent(
    respx_mock: respx.MockRouter, civil: CivilAffairsConnector
) -> None:
    """The registry refuses a whole batch (code 98) for one key of the wrong form: such a key
    names no one, so it is left out and the rest of the batch is answered."""
    sent: list[list[str]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        data = json.loads(form_of(request)["data"])
        sent.append(data.get("rkbhs") or data.get("sfzhs"))
        return envelope(data=[], total=0)

    respx_mock.post(url__startswith=f"{CIVIL}/gateway/api/").mock(side_effect=reply)
    good = "RK32021300000001"
    odd = ["R0001", "RK3202130000000", "rk32021300000001", "RK32021300000001 ", "", "中文"]
    await civil.residents_by_registry_numbers([*odd, good])
    await civil.enrolments_of([good, *odd])
    await civil.residents_by_id_numbers(["110105194912310021", "11010519491231002", "x"])
    assert sent == [[good], [good], ["110105194912310021"]]
    await civil.residents_by_registry_numbers(odd)
    await civil.enrolments_of(odd)
    await civil.residents_by_id_numbers(["1101051949123100X2"])
    assert len(sent) == 3  # none of those was sent


@pytest.mark.parametrize(
    ("response", "error", "code"),
    [
        pytest.param(envelope("99"), BackendStatusError, "BACKEND_ERROR", id="code-99"),
        pytest.param(envelope("97"), BackendStatusError, "BACKEND_ERROR", id="code-97"),
        pytest.param(
            httpx.Response(200, text="<html>"),
            BackendContractError,
            "BACKEND_CONTRACT",
            id="not-json",
        ),
        pytest.param(
            httpx.Response(200, json={"data": []}),
            BackendContractError,
            "BACKEND_CONTRACT",
            id="no-envelope",
        ),
        pytest.param(
            envelope(data="oops"), BackendContractError, "BACKEND_CONTRACT", id="data-not-list"
        ),
        pytest.param(
            httpx.Response(503, text="down"),
            BackendUnavailableError,
            "BACKEND_UNAVAILABLE",
            id="503",
        ),
    ],
)
async def test_civil_failures_map_to_errors_without_personal_values(
    respx_mock: respx.MockRouter,
    civil: CivilAffairsConnector,
    response: httpx.Response,
    error: type[Exception],
    code: str,
) -> None:
    respx_mock.post(f"{CIVIL}/gateway/api/rk.queryBySfzh").mock(return_value=response)
    with pytest.raises(error) as raised:
        await civil.residents_by_id_numbers(["11010519491231002X"])
    assert raised.value.extensions["code"] == code  # type: ignore[attr-defined]
    assert "11010519491231002X" not in str(raised.value)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def legal(clock: ManualClock) -> LegalAidConnector:
    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    sleeps.clear()
    return LegalAidConnector(BackendSettings(LEGAL), "id", "secret", clock=clock, sleep=no_sleep)


sleeps: list[float] = []


def token_reply(counter: list[int]) -> httpx.Response:
    counter.append(1)
    return httpx.Response(
        200, json={"access_token": f"tok{len(counter)}", "token_type": "Bearer", "expires_in": 300}
    )


async def test_legal_token_is_fetched_once_for_concurrent_callers_and_refreshed_before_expiry(
    respx_mock: respx.MockRouter, legal: LegalAidConnector, clock: ManualClock
) -> None:
    fetched: list[int] = []
    respx_mock.post(f"{LEGAL}/oauth/token").mock(side_effect=lambda request: token_reply(fetched))
    api = respx_mock.get(url__regex=rf"{LEGAL}/api/v1/applications/.*").mock(
        return_value=httpx.Response(200, json={"record_code": "FY1"})
    )
    await legal.applications([f"FY{i}" for i in range(20)])
    assert len(fetched) == 1
    assert api.calls.last.request.headers["Authorization"] == "Bearer tok1"
    token_form = form_of(respx_mock.calls[0].request)
    assert token_form["grant_type"] == "client_credentials"
    clock.advance(280)  # within the 30 s margin before expiry
    await legal.application("FY1")
    assert len(fetched) == 2
    assert api.calls.last.request.headers["Authorization"] == "Bearer tok2"


async def test_legal_401_refreshes_the_token_once(
    respx_mock: respx.MockRouter, legal: LegalAidConnector
) -> None:
    fetched: list[int] = []
    respx_mock.post(f"{LEGAL}/oauth/token").mock(side_effect=lambda request: token_reply(fetched))
    respx_mock.get(f"{LEGAL}/api/v1/applications/FY1").mock(
        side_effect=[
            httpx.Response(401, json={"error": "invalid_token"}),
            httpx.Response(200, json={"record_code": "FY1"}),
        ]
    )
    assert (await legal.application("FY1")) == {"record_code": "FY1"}
    assert len(fetched) == 2


async def test_legal_429_is_honoured_with_retry_after(
    respx_mock: respx.MockRouter, legal: LegalAidConnector
) -> None:
    respx_mock.post(f"{LEGAL}/oauth/token").mock(side_effect=lambda request: token_reply([]))
    limited = httpx.Response(429, headers={"Retry-After": "2"}, json={"error": "rate_limited"})
    route = respx_mock.get(f"{LEGAL}/api/v1/applications/FY1").mock(
        side_effect=[limited, limited, httpx.Response(200, json={"record_code": "FY1"})]
    )
    assert (await legal.application("FY1")) is not None
    assert route.call_count == 3
    assert sleeps.count(2.0) == 2


async def test_legal_429_storm_gives_up_with_rate_limited_error(
    respx_mock: respx.MockRouter, legal: LegalAidConnector
) -> None:
    respx_mock.post(f"{LEGAL}/oauth/token").mock(side_effect=lambda request: token_reply([]))
    route = respx_mock.get(f"{LEGAL}/api/v1/applications/FY1").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "1"})
    )
    with pytest.raises(BackendRateLimitedError):
        await legal.application("FY1")
    assert route.call_count == 3  # the first try and two retries (max_attempts)


async def test_legal_client_side_limit_paces_requests(
    respx_mock: respx.MockRouter, legal: LegalAidConnector
) -> None:
    respx_mock.post(f"{LEGAL}/oauth/token").mock(side_effect=lambda request: token_reply([]))
    respx_mock.get(url__regex=rf"{LEGAL}/api/v1/applications/.*").mock(
        return_value=httpx.Response(200, json={})
    )
    await legal.applications([f"FY{i}" for i in range(36)])
    # With the clock standing still, 36 requests at 18 a second wait out two seconds in all.
    assert sum(sleeps) > 1.9


@pytest.fixture
def mocks() -> MockSet:
    population: Population = frozen_population("demo")
    return build_mocks(population, legal_rps=10_000)


async def test_connectors_run_against_the_real_mocks_in_process(mocks: MockSet) -> None:
    civil = CivilAffairsConnector(
        BackendSettings("http://civil"), APP_KEY, SECRET, transport=httpx.ASGITransport(mocks.civil)
    )
    legal = LegalAidConnector(
        BackendSettings("http://legal"),
        CLIENT_ID,
        CLIENT_SECRET,
        transport=httpx.ASGITransport(mocks.legal),
    )
    application = mocks.population.legal.applications[0]
    mine = await legal.applications_of_person(application.applicant.id_number)
    assert application.record_code in {a["record_code"] for a in mine}
    people = await civil.residents_by_registry_numbers(
        [mocks.population.person(i).registry_number for i in range(150)]
    )
    assert len(people) == 150
    await civil.aclose()
    await legal.aclose()


async def test_five_hundred_concurrent_lookups_never_exceed_the_in_flight_cap(
    mocks: MockSet,
) -> None:
    cap = 10
    for app in mocks.apps().values():
        # long enough for the calls to overlap: a mock does its work as a call arrives, and in
        # process that work and the sending of the next calls take turns on one event loop
        app.faults.latency_ms = 10
    civil = CivilAffairsConnector(
        BackendSettings("http://civil", max_in_flight=cap),
        APP_KEY,
        SECRET,
        transport=httpx.ASGITransport(mocks.civil),
    )
    legal = LegalAidConnector(
        BackendSettings("http://legal", max_in_flight=cap),
        CLIENT_ID,
        CLIENT_SECRET,
        transport=httpx.ASGITransport(mocks.legal),
        rate_limit_rps=10_000,
    )
    population = mocks.population
    urban = UrbanConnector(
        BackendSettings("http://urban", max_in_flight=cap),
        USERNAME,
        PASSWORD,
        transport=httpx.ASGITransport(mocks.urban),
    )
    codes = [a.record_code for a in population.legal.applications[:200]]
    numbers = [population.person(i).registry_number for i in range(150)]
    grids = [g.code for g in population.geography.grids]
    results = await asyncio.gather(
        *(legal.application(code) for code in codes),
        *(civil.residents_by_registry_numbers([n]) for n in numbers),
        *(urban.cases(grid=grids[i % len(grids)], size=1) for i in range(150)),
    )
    assert len(results) == 500
    assert all(r for r in results)
    for system in ("urban", "civil", "legal"):
        assert mocks.apps()[system].journal.peak_in_flight == cap, system
    assert mocks.civil.journal.total == 150
    assert mocks.urban.journal.by_operation["QueryCases"] == 150
    assert urban.logins == 1
    await asyncio.gather(civil.aclose(), legal.aclose(), urban.aclose())


@pytest.mark.parametrize(
    ("response", "code"),
    [
        pytest.param(
            httpx.Response(503, json={"error": "service_unavailable"}),
            "BACKEND_UNAVAILABLE",
            id="503",
        ),
        pytest.param(httpx.Response(500, text="oops"), "BACKEND_ERROR", id="500"),
        pytest.param(httpx.Response(200, text="{truncated"), "BACKEND_CONTRACT", id="bad-json"),
        pytest.param(httpx.Response(200, json={"rows": []}), "BACKEND_CONTRACT", id="not-a-page"),
        pytest.param(httpx.ConnectError("refused"), "BACKEND_UNAVAILABLE", id="connect"),
        pytest.param(httpx.ReadTimeout("slow"), "BACKEND_TIMEOUT", id="timeout"),
    ],
)
async def test_legal_failures_map_to_errors_without_personal_values(
    respx_mock: respx.MockRouter,
    legal: LegalAidConnector,
    response: httpx.Response | Exception,
    code: str,
) -> None:
    respx_mock.post(f"{LEGAL}/oauth/token").mock(side_effect=lambda request: token_reply([]))
    route = respx_mock.get(f"{LEGAL}/api/v1/applications")
    if isinstance(response, Exception):
        route.mock(side_effect=response)
    else:
        route.mock(return_value=response)
    with pytest.raises(GovGraphError) as raised:
        await legal.applications_of_person("11010519491231002X")
    assert raised.value.extensions["code"] == code
    assert raised.value.extensions["operation"] == "list_applications"
    assert "11010519491231002X" not in str(raised.value)


async def test_legal_retries_go_through_the_pace_too(
    respx_mock: respx.MockRouter, legal: LegalAidConnector
) -> None:
    """Every attempt the system receives, first or retry, is paced: a retry after a 429 takes
    its token from the same budget."""
    respx_mock.post(f"{LEGAL}/oauth/token").mock(side_effect=lambda request: token_reply([]))
    limited = httpx.Response(429, headers={"Retry-After": "0"}, json={"error": "rate_limited"})
    route = respx_mock.get(f"{LEGAL}/api/v1/applications/FY1").mock(
        side_effect=[limited, limited, httpx.Response(200, json={"record_code": "FY1"})]
    )
    paced: list[int] = []
    assert legal.backend.before_attempt == legal.limiter.acquire
    original = legal.limiter.acquire

    async def counted() -> None:
        paced.append(1)
        await original()

    legal.backend.before_attempt = counted
    await legal.application("FY1")
    api_attempts = route.call_count
    assert api_attempts == 3
    assert len(paced) == api_attempts + 1  # and the token request
