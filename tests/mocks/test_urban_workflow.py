"""The urban mock's workflow operations over SOAP, as an integrator would call them: each step
checks the stage and answers fault 3003 naming it; a request number seen before is the same
step, not a second one; flows, attachments and the incremental feed read back what was done."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import httpx

from mocks import Population, create_urban_app
from mocks.urban.records import legacy_time
from tests.conftest import AS_OF, ClientFor
from tests.mocks.test_urban import STREETLIGHT
from tests.mocks.wire import soap_call, soap_login, soap_text, soap_values

ACTOR = {"CZR": "dispatcher-1", "CZBM": "urban_management"}


def fault(response: httpx.Response, element: str) -> list[str]:
    """A fault's detail element (it carries the service's namespace)."""
    return re.findall(rf"<{element} [^>]*>([^<]*)</{element}>", soap_text(response))


async def test_steps_follow_the_stages_and_faults_name_the_stage(
    tiny_population: Population, client_for: ClientFor
) -> None:
    client = client_for(create_urban_app(tiny_population))
    token = await soap_login(client)
    grid = tiny_population.geography.grids[0]
    reported = await soap_call(client, "ReportCase", Token=token, WGBM=grid.code, **STREETLIGHT)
    number = soap_values(reported, "AJBH")[0]
    assert soap_values(reported, "ZT") == ["待受理"]

    early = await soap_call(client, "DispatchCase", Token=token, AJBH=number, ZRBM="BM07", **ACTOR)
    assert early.status_code == 500
    assert fault(early, "ErrorCode") == ["3003"] and fault(early, "ZT") == ["待受理"]

    for operation, stage in (("AcceptCase", "受理"), ("RegisterCase", "立案")):
        done = await soap_call(
            client, operation, Token=token, AJBH=number, QQBH=f"r-{operation}", **ACTOR
        )
        assert soap_values(done, "ZT") == [stage]
    # The same request number again: answered as before, no second step.
    again = await soap_call(
        client, "AcceptCase", Token=token, AJBH=number, QQBH="r-AcceptCase", **ACTOR
    )
    assert again.status_code == 200 and soap_values(again, "ZT") == ["立案"]
    unknown = await soap_call(
        client, "DispatchCase", Token=token, AJBH=number, ZRBM="BM99", **ACTOR
    )
    assert fault(unknown, "ErrorCode") == ["3001"]
    await soap_call(client, "DispatchCase", Token=token, AJBH=number, ZRBM="BM07", **ACTOR)

    picture = base64.b64encode(b"\xff\xd8\xff\xe0fake").decode()
    not_theirs = await soap_call(
        client, "HandleCase", Token=token, AJBH=number, CZR="x", CZBM="BM09", YJ="已修复"
    )
    assert fault(not_theirs, "ErrorCode") == ["3004"]
    handled = await soap_call(
        client,
        "HandleCase",
        Token=token,
        AJBH=number,
        CZR="sz-1",
        CZBM="BM07",
        YJ="已更换灯泡",
        FJ=[{"FJLX": "image/jpeg", "FJNR": picture}],
    )
    assert soap_values(handled, "ZT") == ["核查"]

    flows = await soap_call(client, "GetCaseFlows", Token=token, Codes=[number])
    assert soap_values(flows, "BZ") == ["上报", "受理", "立案", "派遣", "处置"]
    assert soap_values(flows, "YJ")[-1] == "已更换灯泡"
    [attachment_id] = soap_values(flows, "FJBH")
    fetched = await soap_call(client, "GetAttachment", Token=token, AJBH=number, FJBH=attachment_id)
    assert base64.b64decode(soap_values(fetched, "FJNR")[0]) == b"\xff\xd8\xff\xe0fake"

    changed = await soap_call(
        client, "QueryChangedCases", Token=token, GXSJ=legacy_time(AS_OF - timedelta(minutes=1))
    )
    assert soap_values(changed, "AJBH") == [number] and soap_values(changed, "BBH") == ["5"]
    later = await soap_call(
        client, "QueryChangedCases", Token=token, GXSJ=legacy_time(AS_OF + timedelta(minutes=1))
    )
    assert soap_values(later, "AJBH") == []


async def test_a_bad_attachment_stores_no_case(
    tiny_population: Population, client_for: ClientFor
) -> None:
    client = client_for(create_urban_app(tiny_population))
    token = await soap_login(client)
    grid = tiny_population.geography.grids[0]
    refused = await soap_call(
        client,
        "ReportCase",
        Token=token,
        WGBM=grid.code,
        **STREETLIGHT,
        FJ=[
            {"FJLX": "image/jpeg", "FJNR": "aGVsbG8="},
            {"FJLX": "application/zip", "FJNR": "UEsDBA=="},
        ],
    )
    assert fault(refused, "ErrorCode") == ["2002"]
    assert tiny_population.writes.cases_by_number == {}
    assert "FJLX" in soap_text(await client.get("/UrbanService.asmx?wsdl"))
