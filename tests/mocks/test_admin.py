from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from mocks import MockSet, Population
from mocks.harness import Harness
from tests.conftest import ClientFor
from tests.mocks.wire import civil_call, civil_form, legal_token, soap_call, soap_login

Call = Callable[[], Awaitable[httpx.Response]]
Prepare = Callable[[httpx.AsyncClient], Awaitable[Call]]


async def prepare_urban(client: httpx.AsyncClient) -> Call:
    token = await soap_login(client)
    return lambda: soap_call(client, "GetDepartments", Token=token)


async def prepare_civil(client: httpx.AsyncClient) -> Call:
    form = civil_form({"rkbhs": ["RK32021300000001"]})
    return lambda: client.post("/gateway/api/rk.queryByRkbh", data=form)


async def prepare_legal(client: httpx.AsyncClient) -> Call:
    headers = await legal_token(client)
    return lambda: client.get("/api/v1/law-offices", headers=headers)


def native_error(system: str, response: httpx.Response) -> bool:
    if system == "urban":
        return (
            response.status_code == 500
            and b"<faultcode>soap:Server</faultcode>" in response.content
        )
    if system == "civil":
        return response.status_code == 200 and response.json()["code"] == "99"
    return response.status_code == 503 and response.json()["error"] == "service_unavailable"


def well_formed(system: str, response: httpx.Response) -> bool:
    if system == "urban":
        return response.content.endswith(b"</soap:Envelope>")
    try:
        json.loads(response.content)
    except ValueError:
        return False
    return True


SYSTEMS: list[tuple[str, Prepare]] = [
    ("urban", prepare_urban),
    ("civil", prepare_civil),
    ("legal", prepare_legal),
]
IDS = [s for s, _ in SYSTEMS]


@pytest.fixture
def mocks(demo_mocks: MockSet) -> MockSet:
    return demo_mocks


@pytest.mark.parametrize(("system", "prepare"), SYSTEMS, ids=IDS)
async def test_info_names_system_endpoint_contract_and_credentials(
    mocks: MockSet, client_for: ClientFor, system: str, prepare: Prepare
) -> None:
    client = client_for(mocks.apps()[system])
    info = (await client.get("/__admin/info")).json()
    assert set(info) == {"system", "endpoint", "contract", "credentials"}
    assert info["credentials"]
    contract = await client.get(info["contract"])
    assert contract.status_code == 200


@pytest.mark.parametrize(("system", "prepare"), SYSTEMS, ids=IDS)
async def test_each_fault_switches_on_and_off(
    mocks: MockSet,
    client_for: ClientFor,
    system: str,
    prepare: Prepare,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = client_for(mocks.apps()[system])
    call = await prepare(client)
    healthy = await call()
    assert well_formed(system, healthy)
    assert not native_error(system, healthy)

    await client.post("/__admin/faults", json={"error_rate": 1.0})
    assert native_error(system, await call())

    await client.post("/__admin/faults", json={"outage": True})
    down = await call()
    assert down.status_code == 503
    assert b"503 Service Temporarily Unavailable" in down.content

    await client.post("/__admin/faults", json={"malformed": True})
    cut = await call()
    assert not well_formed(system, cut)
    assert 0 < len(cut.content) < len(healthy.content)

    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float) -> None:
        slept.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr("mocks.harness.asyncio.sleep", recording_sleep)
    await client.post("/__admin/faults", json={"latency_ms": 250, "jitter_ms": 0})
    assert well_formed(system, await call())
    assert len(slept) == 1 and 0.2 < slept[0] <= 0.25  # less the time the mock's work took

    slept.clear()
    await client.post("/__admin/faults", json={"slow_drip": 5})
    dripped = await call()
    assert dripped.content == healthy.content or well_formed(system, dripped)
    assert len(slept) == -(-len(dripped.content) // 16)

    await client.delete("/__admin/faults")
    assert (await client.get("/__admin/faults")).json() == {
        "latency_ms": 0.0,
        "jitter_ms": 0.0,
        "error_rate": 0.0,
        "outage": False,
        "malformed": False,
        "slow_drip": 0.0,
        "respond_after_ms": 0.0,
        "too_many_requests": False,
    }
    slept.clear()
    after = await call()
    assert well_formed(system, after)
    assert not native_error(system, after)
    assert not slept


@pytest.mark.parametrize(
    "payload",
    [{"error_rate": 2}, {"latency_ms": -1}, {"outage": "yes"}, {"unknown": 1}, [1]],
    ids=["rate>1", "negative", "not-bool", "unknown", "not-object"],
)
async def test_bad_fault_settings_are_refused(
    mocks: MockSet, client_for: ClientFor, payload: object
) -> None:
    response = await client_for(mocks.urban).post("/__admin/faults", json=payload)
    assert response.status_code == 400


@pytest.mark.parametrize(("system", "prepare"), SYSTEMS, ids=IDS)
async def test_journal_counts_requests_and_peak_in_flight(
    mocks: MockSet, client_for: ClientFor, system: str, prepare: Prepare
) -> None:
    app: Harness = mocks.apps()[system]
    client = client_for(app)
    call = await prepare(client)
    await client.post("/__admin/reset")
    await call()
    journal = (await client.get("/__admin/requests")).json()
    assert journal["total"] == 1
    assert sum(journal["by_operation"].values()) == 1
    assert journal["peak_in_flight"] == 1

    release = asyncio.Event()
    entered = 0
    real_app = app.app
    assert real_app is not None

    async def held(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal entered
        entered += 1
        if entered == 8:
            release.set()
        await release.wait()
        await real_app(scope, receive, send)

    await client.post("/__admin/reset")
    app.app = held
    try:
        await asyncio.gather(*(client.get("/openapi.json") for _ in range(8)))
    finally:
        app.app = real_app
    journal = (await client.get("/__admin/requests")).json()
    assert journal["total"] == 8
    assert journal["peak_in_flight"] == 8
    assert journal["in_flight"] == 0
    await client.post("/__admin/reset")
    assert (await client.get("/__admin/requests")).json()["total"] == 0


async def test_request_id_is_journaled(mocks: MockSet, client_for: ClientFor) -> None:
    client = client_for(mocks.legal)
    await client.get("/api/v1/lawyers", headers={"X-Request-ID": "req-123"})
    recent = (await client.get("/__admin/requests")).json()["recent"]
    assert recent[-1]["request_id"] == "req-123"
    assert recent[-1]["status"] == 401


async def test_one_person_is_found_in_all_three_systems(
    demo_population: Population, demo_mocks: MockSet, client_for: ClientFor
) -> None:
    application = next(
        a
        for a in demo_population.legal.applications
        if demo_population.registry.index_of_id(a.applicant.id_number) is not None
    )
    id_number = application.applicant.id_number
    index = demo_population.registry.index_of_id(id_number)
    assert index is not None
    person = demo_population.person(index)

    civil = client_for(demo_mocks.civil)
    resident = (await civil_call(civil, "rk.queryBySfzh", {"sfzhs": [id_number]}))["data"][0]
    assert (resident["xm"], resident["wgbm"]) == (person.name, person.grid.code)

    legal = client_for(demo_mocks.legal)
    headers = await legal_token(legal)
    listed = (
        await legal.get(
            "/api/v1/applications", params={"apply_identity_no": id_number}, headers=headers
        )
    ).json()
    assert {i["apply_name"] for i in listed["items"]} == {resident["xm"]}
    assert {i["case_area_id"] for i in listed["items"]} == {resident["wgbm"][:12]}

    urban = client_for(demo_mocks.urban)
    token = await soap_login(urban)
    grid = (
        await soap_call(urban, "GetGridsByCodes", Token=token, Codes=[resident["wgbm"]])
    ).content.decode("gbk")
    assert f"<SQBM>{resident['wgbm'][:12]}</SQBM>" in grid


class SteppedClock:
    """perf_counter for the harness: moves only when the app works or the harness sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


@pytest.mark.parametrize(
    ("work_s", "latency_ms", "held_s"),
    [(0.030, 100, 0.070), (0.0, 100, 0.100), (0.150, 100, None)],
    ids=["work-inside-latency", "no-work", "work-longer-than-latency"],
)
async def test_latency_is_the_calls_whole_time_with_the_mocks_work_inside_it(
    mocks: MockSet,
    client_for: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
    work_s: float,
    latency_ms: float,
    held_s: float | None,
) -> None:
    """A real system's response time includes its own work; the mock's Python time is not
    added on top of the set latency, and an answer is never sent before it."""
    clock = SteppedClock()
    harness = mocks.legal
    client = client_for(mocks.apps()["legal"])
    headers = await legal_token(client)
    real_app = harness.app
    assert real_app is not None

    async def working_app(scope: Scope, receive: Receive, send: Send) -> None:
        clock.now += work_s  # the system's own work
        await real_app(scope, receive, send)

    monkeypatch.setattr("mocks.harness.time.perf_counter", clock)
    monkeypatch.setattr("mocks.harness.asyncio.sleep", clock.sleep)
    monkeypatch.setattr(harness, "app", working_app)
    harness.faults.latency_ms = latency_ms
    arrived = clock.now
    answer = await client.get("/api/v1/law-offices", headers=headers)
    assert answer.status_code == 200
    assert clock.slept == ([] if held_s is None else [pytest.approx(held_s)])
    # the clock moves only by the work and the hold: the answer left at the later of the two
    assert clock.now - arrived == pytest.approx(max(work_s, latency_ms / 1000))
