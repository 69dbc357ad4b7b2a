"""The pytest plugin, used as an integrator uses it: its fixtures, a scenario per test, faults as
context managers, the journal, and a gateway over real sockets whose breaker a scheduled
outage opens and the recovery closes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.testing.handles import GatewayHandle, MockSystems
from mocks.scenario import ScenarioError, parse_scenario
from tests.mocks.wire import civil_form, legal_token

WORKSTATIONS = "{ legalAidWorkstations { name } }"


@pytest.mark.govgraph_scenario("scenarios/resident_with_open_matters.toml")
async def test_a_scenario_adds_what_a_test_needs(govgraph_mocks: MockSystems) -> None:
    alice = govgraph_mocks.person("alice")
    assert alice.grid.code == "320213001001002"
    population = govgraph_mocks.population
    opened = govgraph_mocks.applied.cases["alice"]
    assert len(opened) == 2
    for number in opened:
        case = population.case(number)
        assert case is not None and case.reporter is not None
        assert case.reporter.id_number == alice.id_number
        assert population.writes.flows[number].stage == "待受理"
    assert len(govgraph_mocks.applied.cases["320213001001002"]) == 1
    bob = govgraph_mocks.person("bob")
    assert "04" in bob.tags and bob.index != alice.index
    # the application is there for the legal-aid API to find, pending
    async with govgraph_mocks.client("legal-aid") as legal:
        headers = await legal_token(legal)
        found = await legal.get(
            "/api/v1/applications",
            params={"apply_identity_no": alice.id_number},
            headers=headers,
        )
    statuses = {item["record_code"]: item["status"] for item in found.json()["items"]}
    (code,) = govgraph_mocks.applied.applications["alice"]
    assert statuses[code] == "待审核"
    assert govgraph_mocks.applied.wishes["alice"]


async def test_faults_as_context_managers_and_the_journal(govgraph_mocks: MockSystems) -> None:
    async with govgraph_mocks.client("civil-affairs") as civil:
        with govgraph_mocks.fault("civil", outage=True):
            down = await civil.post(
                "/gateway/api/rk.queryByWgbm", data=civil_form({"wgbm": "320213001001001"})
            )
        up = await civil.post(
            "/gateway/api/rk.queryByWgbm", data=civil_form({"wgbm": "320213001001001"})
        )
    assert down.status_code == 503 and up.json()["code"] == "00"
    calls = govgraph_mocks.calls_to("civil-affairs", "rk.queryByWgbm")
    assert [c["status"] for c in calls] == [503, 200]
    assert '"wgbm": "320213001001001"' in calls[-1]["body"]
    person = govgraph_mocks.find_resident(tags=["独居老人"], min_age=60)
    assert "04" in person.tags


def test_scenario_files_are_checked_with_every_place_named() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(
            '[[faults]]\nat = "soon"\nsystem = "legal"\n[[cases]]\ndescription = "x"\n',
            "bad.toml",
        )
    message = str(caught.value)
    assert "faults[0].at" in message and "not a duration" in message
    assert "cases[0]: 'class' is a required property" in message
    with pytest.raises(ScenarioError, match="no resident named 'carol'"):
        parse_scenario('[[wishes]]\nauthor = "carol"\ncontent = "hi"\n')


@pytest.fixture
def govgraph_gateway_settings() -> dict[str, Any]:
    return {"breaker_failures": 3, "breaker_cooldown_s": 0.5, "retry_max_attempts": 1}


def _until(check: Any, timeout_s: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


@pytest.mark.heavy
@pytest.mark.govgraph_scenario("scenarios/legal_aid_outage.toml")
def test_a_scheduled_outage_opens_the_breaker_and_the_recovery_closes_it(
    govgraph_gateway: GatewayHandle,
) -> None:
    admin = govgraph_gateway.token("district_admin")
    first = govgraph_gateway.query(WORKSTATIONS, token=admin)
    assert first["errors"][0]["extensions"]["code"] in ("BACKEND_UNAVAILABLE", "BACKEND_TIMEOUT")

    def opened() -> bool:
        govgraph_gateway.query(WORKSTATIONS, token=admin)
        return govgraph_gateway.breaker("legal-aid") == "open"

    assert _until(opened, 5.0)
    refused = govgraph_gateway.mocks.calls_to("legal-aid")
    assert refused and all(c["status"] == 503 for c in refused if c["operation"] != "token")

    def recovered() -> bool:
        body = govgraph_gateway.query(WORKSTATIONS, token=admin)
        return "errors" not in body and govgraph_gateway.breaker("legal-aid") == "closed"

    assert _until(recovered)
    answered = govgraph_gateway.mocks.calls_to("legal-aid", "list_workstations")
    assert answered[-1]["status"] == 200


@pytest.mark.heavy
def test_mock_servers_answer_over_real_sockets(govgraph_mock_servers: MockSystems) -> None:
    url = govgraph_mock_servers.url("urban-management")
    wsdl = httpx.get(f"{url}/UrbanService.asmx?wsdl", timeout=10)
    assert wsdl.status_code == 200 and b"wsdl:definitions" in wsdl.content
    assert govgraph_mock_servers.calls_to("urban", "WSDL")[-1]["status"] == 200


@pytest.mark.heavy
@pytest.mark.govgraph_scenario("scenarios/newcomers.toml")
def test_people_a_scenario_adds_are_residents_to_the_gateway(
    govgraph_gateway: GatewayHandle, tmp_path_factory: pytest.TempPathFactory
) -> None:
    lin = govgraph_gateway.mocks.person("lin")
    body = govgraph_gateway.query(
        "query($id: String!) { resident(idNumber: $id) { name tags { label }"
        " household { size } legalAidCases { statusLabel } } }",
        {"id": lin.id_number},
        token=govgraph_gateway.token_for_resident(lin),
    )
    assert "errors" not in body, body
    resident = body["data"]["resident"]
    assert resident["name"] == "林新来"
    assert [t["label"] for t in resident["tags"]] == ["独居老人"]
    assert resident["household"]["size"] == 2
    assert [c["statusLabel"] for c in resident["legalAidCases"]] == ["待审核"]
    worker = govgraph_gateway.token("grid_worker", grids=[lin.grid.code])
    listed = govgraph_gateway.query(
        "query($g: String!) { grid(code: $g) { residents(first: 1) { totalCount } } }",
        {"g": lin.grid.code},
        token=worker,
    )
    assert "data" in listed, listed
    seeded = len(govgraph_gateway.mocks.population.registry.grid_indices(lin.grid.ordinal))
    assert listed["data"]["grid"]["residents"]["totalCount"] == seeded + 2
    # the gateway's audit trail is the test's own, never a file in the project under test
    audit = Path(govgraph_gateway.settings.audit_path)
    assert audit.is_relative_to(tmp_path_factory.getbasetemp())
    assert "Resident.name" in audit.read_text(encoding="utf-8")
