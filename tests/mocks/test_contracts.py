"""Each mock refuses what its real system would, in that system's own error format, and names
the violation in its journal; checks can be switched off for a negative test of a client, per
call or through the admin API; the journal keeps what was sent with personal values masked."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.access.auth import Role
from gateway.testing.handles import MockSystems
from mocks import MockSet
from mocks.engage import APP_ID, APP_SECRET
from mocks.harness import Harness
from mocks.urban import NAMESPACE
from tests.conftest import ClientFor
from tests.gateway.conftest import open_gateway
from tests.mocks.wire import (
    civil_form,
    legal_token,
    soap_login,
    soap_text,
)

GRID = "320213001001001"


def last_violation(app: Harness) -> str:
    entry = app.journal.recent[-1]
    assert "violation" in entry, entry
    reason: str = entry["violation"]["reason"]
    return reason


def raw_soap(operation: str, inner: str, namespace: str = NAMESPACE) -> bytes:
    return (
        '<?xml version="1.0" encoding="GBK"?><soap:Envelope '
        'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:tns="{namespace}"><soap:Body><tns:{operation}>{inner}</tns:{operation}>'
        "</soap:Body></soap:Envelope>"
    ).encode("gbk")


async def engage_token(client: httpx.AsyncClient) -> str:
    answer = await client.get(
        "/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET},
    )
    token: str = answer.json()["access_token"]
    return token


@pytest.fixture
def mocks(govgraph_mocks: MockSystems) -> MockSet:
    """The plugin's in-process mocks (tiny population), as an integrator gets them."""
    return govgraph_mocks.mocks


# (what is sent, inside QueryCases after the token; the fault's ErrorCode; the journal's reason)
URBAN_VIOLATIONS = [
    ("<tns:WGBM>{grid}</tns:WGBM><tns:Colour>red</tns:Colour>", "2005", "unknown-element"),
    ("<tns:PageSize>twenty</tns:PageSize>", "2002", "wrong-type"),
    ("<tns:PageSize>20</tns:PageSize><tns:WGBM>{grid}</tns:WGBM>", "2005", "element-out-of-order"),
    ("<tns:WGBM>{grid}</tns:WGBM><tns:WGBM>{grid}</tns:WGBM>", "2005", "element-out-of-order"),
    ("<tns:PageSize>500</tns:PageSize>", "2004", "page-size-out-of-range"),
    ("<tns:KSSJ>2026-11-01</tns:KSSJ>", "2002", "wrong-type"),
]


@pytest.mark.parametrize(("inner", "code", "reason"), URBAN_VIOLATIONS)
async def test_urban_refuses_what_the_wsdl_does_not_allow(
    mocks: Any, client_for: ClientFor, inner: str, code: str, reason: str
) -> None:
    client = client_for(mocks.urban)
    token = await soap_login(client)
    body = raw_soap("QueryCases", f"<tns:Token>{token}</tns:Token>" + inner.format(grid=GRID))
    answer = await client.post("/UrbanService.asmx", content=body)
    assert answer.status_code == 500
    assert f'<ErrorCode xmlns="{NAMESPACE}">{code}</ErrorCode>' in soap_text(answer)
    assert last_violation(mocks.urban) == reason


async def test_urban_other_violations_each_named(mocks: Any, client_for: ClientFor) -> None:
    client = client_for(mocks.urban)
    token = await soap_login(client)
    cases = {
        "missing-element": raw_soap("QueryCases", ""),
        "wrong-namespace": raw_soap("QueryCases", "", "http://example.org/other/"),
        "malformed-xml": b"<soap:Envelope><unclosed>",
        "unknown-operation": raw_soap("DropTables", f"<tns:Token>{token}</tns:Token>"),
        "too-many-codes": raw_soap(
            "GetCasesByCodes",
            f"<tns:Token>{token}</tns:Token><tns:Codes>"
            + "<tns:string>1</tns:string>" * 51
            + "</tns:Codes>",
        ),
    }
    for reason, body in cases.items():
        answer = await client.post("/UrbanService.asmx", content=body)
        assert answer.status_code == 500, reason
        assert "<faultcode>soap:Client</faultcode>" in soap_text(answer), reason
        assert last_violation(mocks.urban) == reason
    assert set(mocks.urban.journal.violations) >= set(cases)


# (data sent to the service; the envelope code; the journal's reason)
CIVIL_VIOLATIONS = [
    ("rk.queryByWgbm", {"wgbm": GRID, "colour": "red"}, "96", "unknown-field"),
    ("rk.queryByWgbm", {"wgbm": GRID, "pageSize": "20"}, "98", "wrong-type"),
    ("rk.queryByWgbm", {"wgbm": "3202130010"}, "98", "pattern-mismatch"),
    ("rk.queryByLxdh", {}, "97", "missing-field"),
    ("rk.queryByRkbh", {"rkbhs": [f"RK320213{i:08d}" for i in range(101)]}, "98", "too-many-items"),
    ("rk.queryByWgbm", {"wgbm": GRID, "pageSize": 500}, "98", "out-of-range"),
]


@pytest.mark.parametrize(("service", "data", "code", "reason"), CIVIL_VIOLATIONS)
async def test_civil_refuses_data_its_documentation_does_not_allow(
    mocks: Any, client_for: ClientFor, service: str, data: Any, code: str, reason: str
) -> None:
    client = client_for(mocks.civil)
    answer = await client.post(f"/gateway/api/{service}", data=civil_form(data))
    assert answer.status_code == 200  # failures are codes in the envelope
    assert answer.json()["code"] == code
    assert last_violation(mocks.civil) == reason


async def test_civil_refuses_a_bad_signature_and_an_unknown_form_field(
    mocks: Any, client_for: ClientFor
) -> None:
    client = client_for(mocks.civil)
    forged = civil_form({"wgbm": GRID}, secret="not-the-secret")
    answer = await client.post("/gateway/api/rk.queryByWgbm", data=forged)
    assert answer.json()["code"] == "99"
    assert last_violation(mocks.civil) == "bad-signature"
    extra = {**civil_form({"wgbm": GRID}), "timestamp": "1"}
    answer = await client.post("/gateway/api/rk.queryByWgbm", data=extra)
    assert answer.json()["code"] == "96"
    assert last_violation(mocks.civil) == "unknown-field"


APPLICATION = {
    "apply_name": "测试人",
    "apply_identity_no": "110105199001011237",
    "apply_phone": "13800001111",
    "apply_address": "某街道1号",
    "case_area_id": "320213001001",
    "aid_type": "法律咨询",
    "case_type": "民事",
    "dispute_description": "邻里纠纷",
    "happened_date": "2026-10-01",
}
# (how the body is changed; the field named; the journal's reason)
LEGAL_BODY_VIOLATIONS = [
    ({"priority": "high"}, "priority", "unknown-field"),
    ({"case_type": "家事"}, "case_type", "not-allowed-value"),
    ({"case_area_id": "320213001001001"}, "case_area_id", "pattern-mismatch"),
    ({"happened_date": 20261001}, "happened_date", "wrong-type"),
    ({"apply_address": None}, "apply_address", "wrong-type"),
    ({"dispute_description": "纠" * 1001}, "dispute_description", "too-long"),
]


@pytest.mark.parametrize(("change", "field", "reason"), LEGAL_BODY_VIOLATIONS)
async def test_legal_refuses_bodies_its_openapi_does_not_allow(
    mocks: Any, client_for: ClientFor, change: dict[str, Any], field: str, reason: str
) -> None:
    client = client_for(mocks.legal)
    headers = await legal_token(client)
    answer = await client.post(
        "/api/v1/applications", json={**APPLICATION, **change}, headers=headers
    )
    assert answer.status_code == 422
    assert answer.json()["error"] == "validation_failed"
    assert answer.json()["fields"] == {field: reason}
    assert last_violation(mocks.legal) == reason


async def test_legal_refuses_a_missing_field_and_bad_parameters(
    mocks: Any, client_for: ClientFor
) -> None:
    client = client_for(mocks.legal)
    headers = await legal_token(client)
    without = {k: v for k, v in APPLICATION.items() if k != "apply_phone"}
    answer = await client.post("/api/v1/applications", json=without, headers=headers)
    assert answer.status_code == 422
    assert last_violation(mocks.legal) == "missing-field"
    queries = {
        "unknown-parameter": {"case_area_id": "320213001001", "sort": "desc"},
        "not-allowed-value": {"case_area_id": "320213001001", "status": "done"},
        "wrong-type": {"case_area_id": "320213001001", "limit": "ten"},
        "out-of-range": {"case_area_id": "320213001001", "limit": "500"},
        "pattern-mismatch": {"case_area_id": "3202130010"},
    }
    for reason, params in queries.items():
        answer = await client.get("/api/v1/applications", params=params, headers=headers)
        assert answer.status_code == 400, reason
        assert answer.json()["error"] == "invalid_request"
        assert last_violation(mocks.legal) == reason


async def test_engage_refuses_bodies_with_47001_and_names_why(
    mocks: Any, client_for: ClientFor
) -> None:
    client = client_for(mocks.engage)
    token = await engage_token(client)
    bodies = {
        "unknown-field": {"grid_code": GRID, "colour": "red"},
        "missing-field": {},
        "wrong-type": {"grid_code": 320213001001001},
        "too-long": {"grid_code": GRID + "0"},
        "out-of-range": {"grid_code": GRID, "count": 500},
        "malformed-json": "{not json",
    }
    for reason, body in bodies.items():
        content = body if isinstance(body, str) else None
        answer = await client.post(
            "/api/activity/list",
            params={"access_token": token},
            content=content,
            json=None if content else body,
        )
        assert answer.json()["errcode"] == 47001, reason
        assert last_violation(mocks.engage) == reason


async def test_checks_switch_off_per_call_and_through_the_admin_api(
    mocks: Any, client_for: ClientFor
) -> None:
    client = client_for(mocks.civil)
    extra = civil_form({"wgbm": GRID, "colour": "red"})
    off = await client.post(
        "/gateway/api/rk.queryByWgbm", data=extra, headers={"X-Mock-Contract": "off"}
    )
    assert off.json()["code"] == "00"
    assert "violation" not in mocks.civil.journal.recent[-1]
    assert (await client.post("/gateway/api/rk.queryByWgbm", data=extra)).json()["code"] == "96"
    switched = await client.post("/__admin/contract", json={"validate": False})
    assert switched.json() == {"validate": False}
    assert (await client.post("/gateway/api/rk.queryByWgbm", data=extra)).json()["code"] == "00"
    assert (await client.post("/__admin/contract", json={"validate": "no"})).status_code == 400
    await client.post("/__admin/reset")
    assert (await client.get("/__admin/contract")).json() == {"validate": True}


async def test_the_journal_keeps_what_was_sent_with_personal_values_masked(
    mocks: Any, client_for: ClientFor
) -> None:
    person = mocks.population.person(3)
    civil = client_for(mocks.civil)
    await civil.post("/gateway/api/rk.queryBySfzh", data=civil_form({"sfzhs": [person.id_number]}))
    await civil.post("/gateway/api/rk.queryByLxdh", data=civil_form({"lxdh": person.phone}))
    urban = client_for(mocks.urban)
    await soap_login(urban)
    legal = client_for(mocks.legal)
    headers = await legal_token(legal)
    await legal.post(
        "/api/v1/applications",
        json={
            **APPLICATION,
            "apply_name": person.name,
            "apply_phone": person.phone,
            "apply_address": person.current_address,
        },
        headers=headers,
    )
    kept = [e for app in (mocks.civil, mocks.urban, mocks.legal) for e in app.journal.calls_to()]
    text = str(kept)
    personal = (person.id_number, person.phone, person.name, person.current_address)
    for value in (*personal, "Urban@2026", "legal-demo-secret"):
        assert value not in text, value
    by_id = mocks.civil.journal.calls_to("rk.queryBySfzh")[0]["body"]
    assert person.id_number[:6] + "********" + person.id_number[14:] in by_id
    assert "<tns:Password>***</tns:Password>" in mocks.urban.journal.calls_to("Login")[0]["body"]
    sent = httpx.QueryParams(mocks.civil.journal.calls_to("rk.queryByLxdh")[0]["body"])
    assert sent["appKey"] and sent["sign"]  # what a test of signing wants to see
    snapshot = (await civil.get("/__admin/requests", params={"operation": "rk.queryByLxdh"})).json()
    assert [e["operation"] for e in snapshot["recent"]] == ["rk.queryByLxdh"]


async def test_the_gateways_own_calls_break_no_contract() -> None:
    """The connectors' calls pass every check: a dashboard's worth of them leaves no violation
    in any journal."""
    async with open_gateway() as (gw, _):
        caller = gw.as_role(Role.DISTRICT_ADMIN)
        await caller.data(
            "{ grids(first: 3) { edges { node { code residents(first: 2) { totalCount }"
            " cases(first: 2) { totalCount } } } } }"
        )
        assert gw.mocks.urban.journal.total > 0 and gw.mocks.civil.journal.total > 0
        for system in gw.mocks.apps().values():
            assert not system.journal.violations, system.identity.system


NESTED = "[" * 20_000 + "]" * 20_000


async def test_json_nested_past_the_parser_is_malformed_not_a_crash(
    mocks: Any, client_for: ClientFor
) -> None:
    civil = client_for(mocks.civil)
    form = {**civil_form({}), "data": NESTED}
    answer = await civil.post("/gateway/api/rk.queryByWgbm", data=form)
    assert answer.status_code == 200 and answer.json()["code"] == "98"
    assert last_violation(mocks.civil) == "malformed-json"
    legal = client_for(mocks.legal)
    headers = {**await legal_token(legal), "Content-Type": "application/json"}
    answer = await legal.post(
        "/api/v1/applications", content=NESTED[:8000] + NESTED[-8000:], headers=headers
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"
    assert last_violation(mocks.legal) == "malformed-json"
    engage = client_for(mocks.engage)
    token = await engage_token(engage)
    answer = await engage.post(
        "/api/activity/list", params={"access_token": token}, content=NESTED[:4000] + NESTED[-4000:]
    )
    assert answer.json()["errcode"] == 47001
    assert last_violation(mocks.engage) == "malformed-json"
