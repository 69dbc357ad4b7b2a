"""Legacy systems fail: the gateway keeps answering with what it has, spares a struggling
system (breaker, retry budget), and never loses or duplicates a write. Faults are switched on
through the mocks' own switches; requests are counted at the mocks' journals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gateway.access.auth import Role
from tests.gateway.conftest import Gateway, make_gateway, open_gateway

FAST = {
    "read_timeout_s": 0.3,
    "request_deadline_s": 3.0,
    "breaker_failures": 3,
    "breaker_cooldown_s": 0.3,
    "retry_max_wait_s": 0.05,
}
THREE_SYSTEMS = """query($grid: String!, $area: String!) {
    residents(filter: {grid: $grid}, first: 2) { totalCount }
    cases(filter: {grid: $grid}, first: 2) { totalCount }
    legal: cases(filter: {kind: LEGAL_AID, community: $area}, first: 2) { totalCount } }"""
FIELD_OF = {"civil": "residents", "urban": "cases", "legal": "legal"}
BACKEND_NAME = {"civil": "civil-affairs", "urban": "urban-management", "legal": "legal-aid"}
SYSTEMS = ["urban", "civil", "legal"]


@pytest.fixture
async def resilient(tmp_path: Path) -> AsyncIterator[tuple[Gateway, Any]]:
    gw, app = await make_gateway(audit_path=str(tmp_path / "audit.log"), **FAST)
    yield gw.as_role(Role.DISTRICT_ADMIN), app
    await gw.client.aclose()
    await app.state.backends.aclose()


async def ask(gateway: Gateway) -> dict[str, Any]:
    grid = gateway.mocks.population.geography.grids[0]
    return await gateway.query(THREE_SYSTEMS, {"grid": grid.code, "area": grid.community.code})


def backend_of(app: Any, system: str) -> Any:
    backends = app.state.backends
    return {"urban": backends.urban, "civil": backends.civil, "legal": backends.legal}[
        system
    ].backend


def others_answer(body: dict[str, Any], system: str) -> None:
    for other, field in FIELD_OF.items():
        if other != system:
            assert body["data"][field]["totalCount"] > 0, (other, body)


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"outage": True}, "BACKEND_UNAVAILABLE"),
        ({"latency_ms": 1000}, "BACKEND_TIMEOUT"),
        ({"too_many_requests": True}, "BACKEND_RATE_LIMITED"),
    ],
    ids=["down", "slow-past-timeout", "429-storm"],
)
async def test_a_failing_system_opens_its_breaker_spares_its_backend_and_recovers(
    resilient: tuple[Gateway, Any], system: str, fault: dict[str, Any], code: str
) -> None:
    gateway, app = resilient
    await ask(gateway)  # logins, tokens and reference data warm
    mock = gateway.mocks.apps()[system]
    backend = backend_of(app, system)
    for key, value in fault.items():
        setattr(mock.faults, key, value)
    gateway.reset_journals()
    requests_before, retries_before = backend.budget.requests, backend.budget.retries
    for _ in range(8):
        body = await ask(gateway)
        assert body["data"][FIELD_OF[system]] is None
        errors = [e for e in body["errors"] if e["path"] == [FIELD_OF[system]]]
        assert errors, body
        assert errors[0]["extensions"]["code"] in (code, "BACKEND_UNAVAILABLE")
        assert errors[0]["extensions"]["backend"] == BACKEND_NAME[system]
        others_answer(body, system)
    breaker_errors = [e for e in body["errors"] if e["extensions"].get("breaker") == "open"]
    if code != "BACKEND_RATE_LIMITED":  # a 429 says "slow down", not "broken": no breaker
        assert breaker_errors, "the breaker should be open and failing fast"
        readiness = (await gateway.client.get("/readyz")).json()
        assert readiness["ready"] is False
        assert readiness["backends"][BACKEND_NAME[system]]["breaker"] in ("open", "half_open")
    reached = mock.journal.total
    retries = backend.budget.retries - retries_before
    originals = backend.budget.requests - requests_before
    assert retries <= 3 + 0.2 * originals + 1  # the floor, plus a fifth of the traffic
    assert reached <= originals + retries
    assert reached < 8 * 3  # far fewer than every attempt of every request

    for key in fault:
        setattr(mock.faults, key, type(getattr(mock.faults, key))())
    await asyncio.sleep(0.35)  # the breaker's cool-down (0.3 s) passes; the next call probes
    body = await ask(gateway)
    assert "errors" not in body, body
    assert body["data"][FIELD_OF[system]]["totalCount"] > 0
    assert backend.breaker.state.value == "closed"


@pytest.mark.parametrize("system", SYSTEMS)
async def test_flapping_system_gets_no_more_than_its_retry_budget(
    resilient: tuple[Gateway, Any], system: str
) -> None:
    gateway, app = resilient
    await ask(gateway)
    mock = gateway.mocks.apps()[system]
    backend = backend_of(app, system)
    mock.faults.error_rate = 0.3
    gateway.reset_journals()
    before = backend.budget.requests
    answered = 0
    for _ in range(30):
        body = await ask(gateway)
        others_answer(body, system)
        answered += body["data"][FIELD_OF[system]] is not None
    originals = backend.budget.requests - before
    assert answered >= 10
    assert mock.journal.total - originals <= 3 + 0.2 * originals + 1


@pytest.mark.parametrize("system", SYSTEMS)
async def test_a_malformed_answer_fails_only_its_own_fields(
    resilient: tuple[Gateway, Any], system: str
) -> None:
    gateway, _ = resilient
    await ask(gateway)
    gateway.mocks.apps()[system].faults.malformed = True
    body = await ask(gateway)
    assert body["data"][FIELD_OF[system]] is None
    codes = {e["extensions"]["code"] for e in body["errors"] if e["path"] == [FIELD_OF[system]]}
    assert codes <= {"BACKEND_CONTRACT", "BACKEND_ERROR"}
    assert codes
    others_answer(body, system)


async def test_reference_data_is_served_stale_while_its_system_is_down(tmp_path: Path) -> None:
    async with open_gateway(audit_path=str(tmp_path / "a.log"), ttl_departments_s=0.05, **FAST) as (
        gateway,
        _app,
    ):
        fresh = await gateway.query("{ departments { code } }")
        assert "extensions" not in fresh
        gateway.mocks.urban.faults.outage = True
        await asyncio.sleep(0.1)  # the departments' TTL (50 ms) runs out
        stale = await gateway.query("{ departments { code } }")
        assert stale["data"] == fresh["data"]
        assert stale["extensions"] == {"stale": ["departments"]}


async def test_a_write_retried_five_times_after_a_timeout_happens_exactly_once(
    resilient: tuple[Gateway, Any],
) -> None:
    gateway, _ = resilient
    population = gateway.mocks.population
    grid = population.geography.grids[0]
    worker = gateway.as_role(Role.GRID_WORKER, grids=[grid.code])
    await worker.query("{ departments { code } grids(first: 1) { totalCount } }")
    report = (
        """mutation { reportCase(input: {gridCode: "%s", subClassCode: "0102", source: PATROL,
        description: "垃圾桶满溢", address: "北苑路3号", reporterName: "网格员", reporterPhone: "13800000001"}) {
        errors { field } case { number } } }"""
        % grid.code
    )
    # The urban system accepts the write, then answers too late: the gateway times out.
    gateway.mocks.urban.faults.respond_after_ms = 600
    first = (await worker.post(report, key="write-1")).json()
    assert first["data"]["reportCase"] is None
    assert first["errors"][0]["extensions"]["code"] == "BACKEND_TIMEOUT"
    assert first["errors"][0]["extensions"]["outcome"] == "unknown"
    await asyncio.sleep(0.35)  # the late answer is dropped; the breaker cools down
    gateway.mocks.urban.faults.respond_after_ms = 0
    answers = [(await worker.post(report, key="write-1")).json() for _ in range(4)]
    numbers = {a["data"]["reportCase"]["case"]["number"] for a in answers}
    assert len(numbers) == 1
    reported = population.writes.cases_by_grid[grid.ordinal]
    assert [c.number for c in reported] == list(numbers)
    assert gateway.calls()["urban"].get("ReportCase") == 1
    assert answers[-1]["extensions"]["replayed"] is True


async def test_idempotency_key_semantics(resilient: tuple[Gateway, Any]) -> None:
    gateway, _ = resilient
    grid = gateway.mocks.population.geography.grids[1]
    worker = gateway.as_role(Role.GRID_WORKER, grids=[grid.code])

    def report(description: str) -> str:
        return (
            'mutation { reportCase(input: {gridCode: "%s", subClassCode: "0102", source: PATROL, description: "%s", address: "路1号"}) { case { number } } }'
            % (grid.code, description)
        )

    missing = await worker.client.post(
        "/graphql", json={"query": report("a")}, headers=worker.headers
    )
    assert (missing.status_code, missing.json()["errors"][0]["extensions"]["code"]) == (
        400,
        "IDEMPOTENCY_KEY_MISSING",
    )
    done = (await worker.post(report("a"), key="k1")).json()
    again = (await worker.post(report("a"), key="k1")).json()
    assert again["data"] == done["data"]
    reused = await worker.post(report("b"), key="k1")
    assert (reused.status_code, reused.json()["errors"][0]["extensions"]["code"]) == (
        422,
        "IDEMPOTENCY_KEY_REUSED",
    )
    gateway.mocks.urban.faults.latency_ms = 150
    slow, busy = await asyncio.gather(
        worker.post(report("c"), key="k2"), _after(0.05, worker.post(report("c"), key="k2"))
    )
    assert slow.status_code == 200
    assert (busy.status_code, busy.json()["errors"][0]["extensions"]["code"]) == (
        409,
        "IDEMPOTENCY_KEY_IN_PROGRESS",
    )
    other_caller = gateway.as_role(Role.GRID_WORKER, grids=[grid.code], subject="someone-else")
    theirs = (await other_caller.post(report("d"), key="k1")).json()
    assert (
        theirs["data"]["reportCase"]["case"]["number"]
        != done["data"]["reportCase"]["case"]["number"]
    )


async def _after(seconds: float, call: Any) -> Any:
    await asyncio.sleep(seconds)
    return await call


async def test_one_failed_call_fails_only_its_own_key(tmp_path: Path) -> None:
    """Legal aid has no batch look-up: 50 residents are 50 calls; one in 25 failing must blank
    only the residents whose call failed."""
    async with open_gateway(
        audit_path=str(tmp_path / "audit.log"), retry_max_attempts=1, breaker_failures=50
    ) as (gw, _app):
        gateway = gw.as_role(Role.DISTRICT_ADMIN)
        grid = gateway.mocks.population.geography.grids[3]
        legal = gateway.mocks.apps()["legal"]
        await gateway.query(
            '{ legalAidWorkstations(community: "%s") { code } }' % grid.community.code
        )
        legal.faults.error_rate = 0.04
        gateway.reset_journals()
        body = await gateway.query(
            """query($grid: String!) { residents(filter: {grid: $grid}, first: 50) {
                edges { node { registryNumber legalAidCases { number } } } } }""",
            {"grid": grid.code},
        )
        failed = sum(1 for r in legal.journal.recent if r["status"] >= 400)
        edges = body["data"]["residents"]["edges"]
        blank = [i for i, e in enumerate(edges) if e["node"]["legalAidCases"] is None]
        assert len(edges) == 50
        assert 1 <= failed < 50, failed
        assert len(blank) == failed
        errored = {tuple(e["path"][:4]) for e in body["errors"]}
        assert errored == {("residents", "edges", i, "node") for i in blank}
        assert all(e["extensions"]["code"].startswith("BACKEND_") for e in body["errors"])
