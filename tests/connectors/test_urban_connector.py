from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
import respx

from connectors.base import BackendSettings
from connectors.errors import (
    BackendContractError,
    BackendStatusError,
    BackendTimeoutError,
    BackendUnavailableError,
)
from connectors.urban import NAMESPACE, UrbanConnector
from mocks import Population, create_urban_app
from mocks.urban import PASSWORD, USERNAME
from tests.conftest import AS_OF, ManualClock

BASE = "http://urban.test"


def ok(operation: str, inner: str) -> httpx.Response:
    body = (
        '<?xml version="1.0" encoding="GBK"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        f'<soap:Body><{operation}Response xmlns="{NAMESPACE}"><{operation}Result>{inner}'
        f"</{operation}Result></{operation}Response></soap:Body></soap:Envelope>"
    )
    return httpx.Response(
        200, content=body.encode("gbk"), headers={"Content-Type": "text/xml; charset=GBK"}
    )


def fault(number: str) -> httpx.Response:
    body = (
        '<?xml version="1.0" encoding="GBK"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        "<soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>会话已过期</faultstring>"
        f'<detail><ErrorCode xmlns="{NAMESPACE}">{number}</ErrorCode></detail></soap:Fault></soap:Body></soap:Envelope>'
    )
    return httpx.Response(500, content=body.encode("gbk"))


def with_dtd(dtd: str, inner: str) -> bytes:
    body = (
        f'<?xml version="1.0" encoding="GBK"?>{dtd}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        f'<soap:Body><GetDepartmentsResponse xmlns="{NAMESPACE}"><GetDepartmentsResult>'
        f"<Departments><Department><BMBM>{inner}</BMBM><BMMC>x</BMMC></Department></Departments>"
        "</GetDepartmentsResult></GetDepartmentsResponse></soap:Body></soap:Envelope>"
    )
    return body.encode("gbk")


LAUGHS = with_dtd(
    '<!DOCTYPE soap:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    "&c;",
)
EXTERNAL = with_dtd('<!DOCTYPE soap:Envelope [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;")
JUST_A_DTD = with_dtd('<!DOCTYPE soap:Envelope SYSTEM "http://example.invalid/soap.dtd">', "01")


def by_action(request: httpx.Request) -> str:
    return request.headers["SOAPAction"].strip('"').removeprefix(NAMESPACE)


@pytest.fixture
def connector() -> UrbanConnector:
    return UrbanConnector(BackendSettings(BASE, max_in_flight=10), "gateway", "secret")


async def test_request_shape_is_soap_in_gbk_with_action(
    respx_mock: respx.MockRouter, connector: UrbanConnector
) -> None:
    seen: list[httpx.Request] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if by_action(request) == "Login":
            return ok("Login", "<Token>t1</Token><ExpireTime>20261101123000</ExpireTime>")
        return ok(
            "GetDepartments",
            "<Departments><Department><BMBM>BM01</BMBM><BMMC>区城市管理局</BMMC><BMJC>城管</BMJC></Department></Departments>",
        )

    respx_mock.post(f"{BASE}/UrbanService.asmx").mock(side_effect=reply)
    departments = await connector.departments()
    assert departments == [{"BMBM": "BM01", "BMMC": "区城市管理局", "BMJC": "城管"}]
    call = seen[-1]
    assert call.headers["SOAPAction"] == f'"{NAMESPACE}GetDepartments"'
    assert call.headers["Content-Type"] == "text/xml; charset=GBK"
    assert call.content.startswith(b'<?xml version="1.0" encoding="GBK"?>')
    assert b"<tns:Token>t1</tns:Token>" in call.content


async def test_twenty_concurrent_calls_make_one_login(
    respx_mock: respx.MockRouter, connector: UrbanConnector
) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        if by_action(request) == "Login":
            return ok("Login", "<Token>t1</Token><ExpireTime>x</ExpireTime>")
        return ok("GetDepartments", "<Departments/>")

    route = respx_mock.post(f"{BASE}/UrbanService.asmx").mock(side_effect=reply)
    await asyncio.gather(*(connector.departments() for _ in range(20)))
    assert connector.logins == 1
    assert route.call_count == 21


async def test_expired_session_logs_in_once_again_for_all_callers(
    respx_mock: respx.MockRouter, connector: UrbanConnector
) -> None:
    issued: list[str] = []

    def reply(request: httpx.Request) -> httpx.Response:
        if by_action(request) == "Login":
            issued.append(f"t{len(issued)}")
            return ok("Login", f"<Token>{issued[-1]}</Token><ExpireTime>x</ExpireTime>")
        if f"<tns:Token>{issued[-1]}</tns:Token>".encode() not in request.content:
            return fault("1002")
        return ok("GetDepartments", "<Departments/>")

    respx_mock.post(f"{BASE}/UrbanService.asmx").mock(side_effect=reply)
    await connector.departments()
    assert connector.logins == 1
    issued.append("server-side-expiry")  # the mock forgets t0
    await asyncio.gather(*(connector.departments() for _ in range(20)))
    assert connector.logins == 2


async def test_batch_lookups_are_chunked_at_fifty(
    respx_mock: respx.MockRouter, connector: UrbanConnector
) -> None:
    batches: list[int] = []

    def reply(request: httpx.Request) -> httpx.Response:
        if by_action(request) == "Login":
            return ok("Login", "<Token>t</Token><ExpireTime>x</ExpireTime>")
        batches.append(request.content.count(b"<tns:string>"))
        return ok("GetCasesByCodes", "<Cases/>")

    respx_mock.post(f"{BASE}/UrbanService.asmx").mock(side_effect=reply)
    await connector.cases_by_numbers([f"{i:016d}" for i in range(120)])
    assert sorted(batches) == [20, 50, 50]


@pytest.mark.parametrize(
    ("response", "error"),
    [
        pytest.param(httpx.ConnectError("refused"), BackendUnavailableError, id="connect"),
        pytest.param(httpx.ReadTimeout("slow"), BackendTimeoutError, id="timeout"),
        pytest.param(
            httpx.Response(503, text="<html>nginx</html>"), BackendUnavailableError, id="proxy-503"
        ),
        pytest.param(httpx.Response(404, text="nope"), BackendStatusError, id="404"),
        pytest.param(
            httpx.Response(200, content=b"<?xml version='1.0'?><soap:Env"),
            BackendContractError,
            id="truncated",
        ),
        pytest.param(
            httpx.Response(200, content=b"\xff\xfe\xfa"), BackendContractError, id="not-gbk"
        ),
        pytest.param(fault("9999"), BackendStatusError, id="server-fault"),
        pytest.param(
            httpx.Response(200, content=LAUGHS), BackendContractError, id="entity-expansion"
        ),
        pytest.param(
            httpx.Response(200, content=EXTERNAL), BackendContractError, id="external-entity"
        ),
        pytest.param(httpx.Response(200, content=JUST_A_DTD), BackendContractError, id="any-dtd"),
    ],
)
async def test_failures_map_into_the_error_tree(
    respx_mock: respx.MockRouter,
    connector: UrbanConnector,
    response: httpx.Response | Exception,
    error: type[Exception],
) -> None:
    connector._token = "t"
    if isinstance(response, Exception):
        respx_mock.post(f"{BASE}/UrbanService.asmx").mock(side_effect=response)
    else:
        respx_mock.post(f"{BASE}/UrbanService.asmx").mock(return_value=response)
    with pytest.raises(error) as raised:
        await connector.departments()
    assert raised.value.extensions["backend"] == "urban-management"  # type: ignore[attr-defined]
    assert raised.value.extensions["operation"] == "GetDepartments"  # type: ignore[attr-defined]
    assert "Traceback" not in str(raised.value)


async def test_against_the_real_mock_in_process(
    demo_population: Population, manual_clock: ManualClock
) -> None:
    app = create_urban_app(demo_population, clock=manual_clock)
    connector = UrbanConnector(
        BackendSettings("http://urban"), USERNAME, PASSWORD, transport=httpx.ASGITransport(app)
    )
    grids = await connector.all_grids()
    assert len(grids) == 160
    assert grids[0]["WGYS"][0]["ZW"] == "网格长"
    page = await connector.cases(grid=grids[0]["WGBM"], size=5)
    assert len(page.items) == 5
    assert page.total > 1000
    manual_clock.advance(3600)  # the session has expired at the mock
    stats = await connector.statistics("WG", grids[0]["WGBM"], AS_OF - timedelta(days=7), AS_OF)
    assert int(stats["SBS"]) > 0
    assert connector.logins == 2
    await connector.aclose()
