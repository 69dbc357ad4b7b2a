from __future__ import annotations

import re
from datetime import timedelta

import pytest

from mocks import Population, create_urban_app
from mocks.harness import Harness
from mocks.urban import BATCH_CAP, NAMESPACE, PAGE_SIZE_CAP
from mocks.urban.contract import OPERATIONS
from tests.conftest import AS_OF, ClientFor, ManualClock
from tests.mocks.wire import SOAP_PATH, soap_call, soap_login, soap_text, soap_values


@pytest.fixture
def urban(demo_population: Population, manual_clock: ManualClock) -> Harness:
    return create_urban_app(demo_population, clock=manual_clock)


async def test_responses_are_gbk_bytes(urban: Harness, client_for: ClientFor) -> None:
    client = client_for(urban)
    token = await soap_login(client)
    response = await soap_call(client, "GetGrids", Token=token, PageSize=1)
    assert response.headers["content-type"] == "text/xml; charset=GBK"
    assert response.content.startswith(b'<?xml version="1.0" encoding="GBK"?>')
    grid_name = soap_values(response, "WGMC")[0]
    assert grid_name.encode("gbk") in response.content
    assert grid_name.encode("utf-8") not in response.content
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")


async def test_wsdl_declares_exactly_the_operations_served(
    urban: Harness, client_for: ClientFor
) -> None:
    client = client_for(urban)
    wsdl = (await client.get(f"{SOAP_PATH}?wsdl")).content.decode("gbk")
    declared = set(re.findall(r'soapAction="' + re.escape(NAMESPACE) + r'(\w+)"', wsdl))
    assert declared == set(OPERATIONS)
    token = await soap_login(client)
    for operation in declared - {"Login"}:
        response = await soap_call(client, operation, Token=token)
        fault = soap_values(response, "faultstring")
        assert not fault or "未知操作" not in fault[0], operation
    assert "http://mock/UrbanService.asmx" in wsdl


async def test_session_expires_and_login_again_works(
    urban: Harness, client_for: ClientFor, manual_clock: ManualClock
) -> None:
    client = client_for(urban)
    token = await soap_login(client)
    assert (await soap_call(client, "GetDepartments", Token=token)).status_code == 200
    manual_clock.advance(1801)
    expired = await soap_call(client, "GetDepartments", Token=token)
    assert expired.status_code == 500
    assert soap_values(expired, "faultcode") == ["soap:Client"]
    assert soap_values(expired, "ErrorCode") == []  # namespaced element
    assert "<ErrorCode xmlns" in soap_text(expired)
    assert ">1002<" in soap_text(expired)
    fresh = await soap_login(client)
    assert (await soap_call(client, "GetDepartments", Token=fresh)).status_code == 200


async def test_wrong_password_and_unknown_token_are_faults(
    urban: Harness, client_for: ClientFor
) -> None:
    client = client_for(urban)
    bad = await soap_call(client, "Login", UserName="gateway", Password="nope")
    assert bad.status_code == 500
    assert ">1001<" in soap_text(bad)
    unknown = await soap_call(client, "GetDepartments", Token="0" * 32)
    assert unknown.status_code == 500
    assert ">1002<" in soap_text(unknown)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not xml at all", "报文格式错误"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            b"<Login><UserName>&b;</UserName></Login></soap:Body></soap:Envelope>",
            "报文格式错误",
        ),
        (b"\xff\xfe<broken", "报文编码错误"),
    ],
    ids=["garbage", "entity-expansion", "bad-encoding"],
)
async def test_malformed_requests_get_client_faults(
    urban: Harness, client_for: ClientFor, body: bytes, reason: str
) -> None:
    response = await client_for(urban).post(SOAP_PATH, content=body)
    assert response.status_code == 500
    assert soap_values(response, "faultstring") == [reason]


async def test_paging_and_batch_caps(
    urban: Harness, client_for: ClientFor, demo_population: Population
) -> None:
    client = client_for(urban)
    token = await soap_login(client)
    too_big = await soap_call(client, "GetGrids", Token=token, PageSize=PAGE_SIZE_CAP + 1)
    assert ">2004<" in soap_text(too_big)
    geography = demo_population.geography
    codes = [g.code for g in (*geography.grids, *geography.micro_grids)]
    too_many = await soap_call(client, "GetGridsByCodes", Token=token, Codes=codes[: BATCH_CAP + 1])
    assert ">2003<" in soap_text(too_many)
    batch = await soap_call(client, "GetGridsByCodes", Token=token, Codes=codes[:BATCH_CAP])
    assert len(soap_values(batch, "WGBM")) == BATCH_CAP
    seen = []
    for page in (1, 2):
        response = await soap_call(
            client, "GetGrids", Token=token, PageSize=100, CurrentPageIndex=page
        )
        assert soap_values(response, "TotalCount") == ["160"]
        seen += soap_values(response, "WGBM")
    assert len(seen) == len(set(seen)) == 160


async def test_query_cases_by_grid_pages_newest_first(
    urban: Harness, client_for: ClientFor, demo_population: Population
) -> None:
    client = client_for(urban)
    token = await soap_login(client)
    grid = demo_population.geography.grids[2]
    first = await soap_call(client, "QueryCases", Token=token, WGBM=grid.code, PageSize=30)
    second = await soap_call(
        client, "QueryCases", Token=token, WGBM=grid.code, PageSize=30, CurrentPageIndex=2
    )
    times = soap_values(first, "LASJ") + soap_values(second, "LASJ")
    assert times == sorted(times, reverse=True)
    assert len(times) == 60
    start = demo_population.history_start()
    expected = sum(
        1 for _ in demo_population.cases_of_grid(grid.ordinal, start, AS_OF + timedelta(days=1))
    )
    assert soap_values(first, "TotalCount") == [str(expected)]


async def test_query_cases_by_reporter_id_and_phone(
    urban: Harness, client_for: ClientFor, demo_population: Population
) -> None:
    client = client_for(urban)
    token = await soap_login(client)
    start = AS_OF - timedelta(days=60)
    case = next(
        c
        for c in demo_population.cases_of_grid(5, start, AS_OF)
        if c.reporter and c.reporter.id_number
    )
    assert case.reporter is not None
    by_id = await soap_call(
        client, "QueryCases", Token=token, SBRSFZH=case.reporter.id_number, PageSize=100
    )
    assert case.number in soap_values(by_id, "AJBH")
    assert set(soap_values(by_id, "SBRSFZH")) == {case.reporter.id_number}
    by_phone = await soap_call(
        client, "QueryCases", Token=token, SBRDH=case.reporter.phone, PageSize=100
    )
    assert case.number in soap_values(by_phone, "AJBH")
    both = await soap_call(
        client, "QueryCases", Token=token, WGBM="320213001001001", SBRDH=case.reporter.phone
    )
    assert ">2001<" in soap_text(both)


STREETLIGHT = {
    "XLBM": "1101",
    "AJLY": "公众举报/小程序",
    "WTMS": "楼下路灯不亮",
    "DZ": "北苑路1号",
    "SBRXM": "测试",
    "SBRDH": "13800000000",
}


async def test_reported_case_is_read_back_and_rating_needs_a_closed_case(
    tiny_population: Population, client_for: ClientFor
) -> None:
    client = client_for(create_urban_app(tiny_population))
    token = await soap_login(client)
    grid = tiny_population.geography.grids[0]
    reported = await soap_call(client, "ReportCase", Token=token, WGBM=grid.code, **STREETLIGHT)
    number = soap_values(reported, "AJBH")[0]
    fetched = await soap_call(client, "GetCasesByCodes", Token=token, Codes=[number])
    assert soap_values(fetched, "WTMS") == ["楼下路灯不亮"]
    listed = await soap_call(client, "QueryCases", Token=token, WGBM=grid.code, PageSize=1)
    assert soap_values(listed, "AJBH") == [number]
    refused = await soap_call(client, "RateCase", Token=token, AJBH=number, MYD="满意")
    assert ">3002<" in soap_text(refused)
    closed = next(
        c
        for c in tiny_population.cases_of_grid(0, AS_OF - timedelta(days=20), AS_OF)
        if c.status(AS_OF) == "结案"
    )
    rated = await soap_call(client, "RateCase", Token=token, AJBH=closed.number, MYD="不满意")
    assert rated.status_code == 200
    again = await soap_call(client, "GetCasesByCodes", Token=token, Codes=[closed.number])
    assert soap_values(again, "MYD") == ["不满意"]


async def test_statistics_equal_a_direct_count(
    urban: Harness, client_for: ClientFor, demo_population: Population
) -> None:
    client = client_for(urban)
    token = await soap_login(client)
    community = demo_population.geography.communities[1]
    start, end = AS_OF - timedelta(days=30), AS_OF
    response = await soap_call(
        client,
        "GetStatistics",
        Token=token,
        TJLX="SQ",
        TJDX=community.code,
        KSSJ=start.strftime("%Y%m%d%H%M%S"),
        JSSJ=end.strftime("%Y%m%d%H%M%S"),
    )
    cases = [
        c for o in community.grid_ordinals for c in demo_population.cases_of_grid(o, start, end)
    ]
    closed = [c for c in cases if c.status(AS_OF) == "结案"]
    assert soap_values(response, "SBS") == [str(len(cases))]
    assert soap_values(response, "JAS") == [str(len(closed))]
    assert soap_values(response, "CQS") == [str(sum(c.is_overdue(AS_OF) for c in cases))]
    hours = (
        sum((c.closed - c.filed).total_seconds() for c in closed if c.closed) / 3600 / len(closed)
    )
    assert float(soap_values(response, "PJCZSC")[0]) == pytest.approx(hours, abs=0.01)


async def test_statistics_are_counted_again_after_a_write(
    tiny_population: Population, manual_clock: ManualClock, client_for: ClientFor
) -> None:
    client = client_for(create_urban_app(tiny_population, clock=manual_clock))
    token = await soap_login(client)
    grid = tiny_population.geography.grids[0]
    period = {
        "TJLX": "WG",
        "TJDX": grid.code,
        "KSSJ": (AS_OF - timedelta(days=2)).strftime("%Y%m%d%H%M%S"),
        "JSSJ": (AS_OF + timedelta(days=1)).strftime("%Y%m%d%H%M%S"),
    }
    before = int(
        soap_values(await soap_call(client, "GetStatistics", Token=token, **period), "SBS")[0]
    )
    again = int(
        soap_values(await soap_call(client, "GetStatistics", Token=token, **period), "SBS")[0]
    )
    await soap_call(client, "ReportCase", Token=token, WGBM=grid.code, **STREETLIGHT)
    after = int(
        soap_values(await soap_call(client, "GetStatistics", Token=token, **period), "SBS")[0]
    )
    assert again == before
    assert after == before + 1
