"""An audit trail that cannot be written: what needed a line is withheld (503
AUDIT_UNAVAILABLE), nothing is lost or done twice, and the replica says it is not ready until
the trail takes lines again."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.access.audit import AuditLog
from gateway.access.audit_verify import verify_files
from gateway.access.auth import Role
from gateway.http.app import create_app
from gateway.settings import Settings
from mocks import InProcessTransport, build_mocks
from tests.conftest import frozen_population
from tests.gateway.conftest import Gateway, open_gateway, served_on_a_socket, token
from tests.gateway.test_live_protocol import init, receive, send, socket
from tests.gateway.test_scope_and_input import REPORT, report_input
from tests.gateway.test_uploads import LIMITS, jpeg_with_gps, upload

LIVE_REPORT = """mutation($g: String!) { reportCase(input: {gridCode: $g, subClassCode: "1101",
    source: MINI_PROGRAM, description: "路灯不亮", address: "北苑路1号"}) { case { number } } }"""
ACCEPT = "mutation($n: String!) { acceptCase(input: {caseNumber: $n}) { case { number } } }"
LIVE_GRID = """subscription($g: String!) {
    casesInGrid(grid: $g) { number reporter { resident { name } } } }"""
GRID_RESIDENTS = """{ residents(filter: {grid: "%s"}, first: 3) {
    edges { node { name idNumber phone } } } }"""


class Disk:
    """The trail's writes fail while `full` is set, as on a full or lost volume."""

    def __init__(self, audit: AuditLog) -> None:
        self.full = False
        self.only = ""  # with `full`: only writes that hold this text fail
        self.failed = 0
        self._append = audit._append
        audit._append = self.append  # type: ignore[method-assign]

    def append(self, lines: list[str]) -> None:
        if self.full and self.only in "".join(lines):
            self.failed += 1
            raise OSError(28, "No space left on device")
        self._append(lines)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Gateway, Any, Disk]]:
    async with open_gateway(audit_path=str(tmp_path / "audit.log")) as (gateway, app):
        yield gateway, app, Disk(app.state.audit)


def trail(tmp_path: Path) -> list[dict[str, Any]]:
    text = (tmp_path / "audit.log").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


async def test_personal_data_is_withheld_while_the_trail_cannot_be_written(
    served: tuple[Gateway, Any, Disk], tmp_path: Path
) -> None:
    gateway, _app, disk = served
    person = gateway.mocks.population.person(10)
    civil = gateway.as_role(Role.CIVIL_AFFAIRS)
    disk.full = True
    refused = await civil.post(GRID_RESIDENTS % person.grid.code)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "5"
    body = refused.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"] == {"code": "AUDIT_UNAVAILABLE"}
    assert person.id_number not in refused.text and person.name not in refused.text
    assert disk.failed == 1

    disk.full = False
    answered = await civil.post(GRID_RESIDENTS % person.grid.code)
    assert answered.status_code == 200 and answered.json()["data"]["residents"]["edges"]
    # The withheld request's line was kept and written with the next one, in chain order.
    ids = [line["request_id"] for line in trail(tmp_path)]
    assert ids == [refused.headers["x-request-id"], answered.headers["x-request-id"]]
    assert verify_files([tmp_path / "audit.log"]).ok


async def test_what_needs_no_line_is_answered_meanwhile(served: tuple[Gateway, Any, Disk]) -> None:
    gateway, _app, disk = served
    disk.full = True
    response = await gateway.post("{ departments { code } }")
    assert response.status_code == 200 and response.json()["data"]["departments"]
    assert disk.failed == 0


async def test_a_write_withheld_is_replayed_on_retry_and_done_once(
    served: tuple[Gateway, Any, Disk], tmp_path: Path
) -> None:
    gateway, _app, disk = served
    me = gateway.mocks.population.person(2225)
    resident = gateway.as_role(
        Role.RESIDENT, registry_number=me.registry_number, id_number=me.id_number
    )
    gateway.reset_journals()
    disk.full = True
    first = await resident.post(REPORT, {"input": report_input(me.grid.code)}, key="k1")
    assert first.status_code == 503
    assert first.json()["errors"][0]["extensions"]["code"] == "AUDIT_UNAVAILABLE"
    disk.full = False
    again = await resident.post(REPORT, {"input": report_input(me.grid.code)}, key="k1")
    assert again.status_code == 200
    assert again.json()["extensions"] == {"replayed": True}
    assert again.json()["data"]["reportCase"]["case"]["number"]
    writes = {
        operation: count
        for calls in gateway.calls().values()
        for operation, count in calls.items()
        if "report" in operation.lower() or "submit" in operation.lower()
    }
    assert sum(writes.values()) == 1, writes
    outcomes = [line["outcome"] for line in trail(tmp_path)]
    assert outcomes == ["ok", "replayed"]


async def test_readiness_follows_the_trail(served: tuple[Gateway, Any, Disk]) -> None:
    gateway, _app, disk = served
    civil = gateway.as_role(Role.CIVIL_AFFAIRS)
    code = gateway.mocks.population.person(10).grid.code
    disk.full = True
    assert (await civil.post(GRID_RESIDENTS % code)).status_code == 503
    down = await gateway.client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["audit"] == {"writable": False}
    metrics = (await gateway.client.get("/metrics")).text
    assert "govgraph_audit_write_failures_total 2.0" in metrics  # the request, then the probe
    disk.full = False
    up = await gateway.client.get("/readyz")
    assert up.json()["audit"] == {"writable": True}
    assert up.status_code == 200, up.json()


@pytest.fixture
def served_live(tmp_path: Path) -> Iterator[tuple[str, Disk]]:
    mocks = build_mocks(frozen_population("tiny"), legal_rps=10_000)
    transports = {name: InProcessTransport(app) for name, app in mocks.apps().items()}
    settings = Settings().with_values(
        {"audit_path": str(tmp_path / "audit.log"), "case_poll_interval_s": 0}
    )
    app = create_app(settings, transports)
    disk = Disk(app.state.audit)
    with served_on_a_socket(app) as port:
        yield f"127.0.0.1:{port}", disk


async def test_a_live_event_is_on_record_before_it_is_sent_and_withheld_without(
    served_live: tuple[str, Disk], tmp_path: Path
) -> None:
    address, disk = served_live
    reporter = frozen_population("tiny").person(12)
    grid = reporter.grid.code
    resident = token(
        Role.RESIDENT, registry_number=reporter.registry_number, id_number=reporter.id_number
    )
    urban = token(Role.URBAN_MANAGEMENT)

    async def post(client: httpx.AsyncClient, bearer: str, body: dict[str, Any], key: str) -> Any:
        headers = {"Authorization": f"Bearer {bearer}", "Idempotency-Key": key}
        return (await client.post("/graphql", json=body, headers=headers)).json()

    async def reported(client: httpx.AsyncClient, key: str) -> str:
        body = {"query": LIVE_REPORT, "variables": {"g": grid}}
        return str(
            (await post(client, resident, body, key))["data"]["reportCase"]["case"]["number"]
        )

    async def accept(client: httpx.AsyncClient, number: str) -> None:
        """A step taken through the gateway is published to the grid's subscribers."""
        body = {"query": ACCEPT, "variables": {"n": number}}
        answer = await post(client, urban, body, f"accept-{number}")
        assert answer["data"]["acceptCase"]["case"]["number"] == number

    subscribe = {"query": LIVE_GRID, "variables": {"g": grid}}
    async with (
        await socket(address) as ws,
        httpx.AsyncClient(base_url=f"http://{address}") as client,
    ):
        admin = token(Role.COMMUNITY_ADMIN, communities=[grid[:12]])
        assert (await init(ws, admin))["type"] == "connection_ack"
        await send(ws, {"id": "1", "type": "subscribe", "payload": subscribe})
        await asyncio.sleep(0.2)
        number = await reported(client, "live-a")
        await accept(client, number)
        event = await receive(ws)
        while event["payload"]["data"]["casesInGrid"]["number"] != number:
            event = await receive(ws)
        # Its line is on disk by the time the client has the event, not at the next one.
        events = [line for line in trail(tmp_path) if line["outcome"] == "event"]
        assert events and "Resident.name" in events[-1]["fields"], events

        number = await reported(client, "live-b")
        event = await receive(ws)  # the report itself reaches the grid's subscribers
        while event["payload"]["data"]["casesInGrid"]["number"] != number:
            event = await receive(ws)
        disk.full, disk.only = True, '"outcome":"event"'
        await accept(client, number)
        withheld = await receive(ws)
        assert withheld["type"] == "error", withheld
        assert withheld["payload"][0]["extensions"] == {"code": "AUDIT_UNAVAILABLE"}
        assert "data" not in withheld["payload"][0]


async def test_an_attachment_is_not_given_while_its_fetch_cannot_be_on_record(
    tmp_path: Path,
) -> None:
    async with open_gateway(audit_path=str(tmp_path / "audit.log"), **LIMITS) as (gateway, app):
        disk = Disk(app.state.audit)
        person = gateway.mocks.population.person(1234)
        resident = token(
            Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
        )
        picture = ("IMG_0001.jpg", jpeg_with_gps("JPEG"), "image/jpeg")
        uploaded = await upload(gateway.client, resident, {"grid": person.grid.code}, [picture])
        [attachment] = uploaded.json()["data"]["reportCase"]["case"]["attachments"]
        owner = {"Authorization": f"Bearer {resident}"}
        disk.full = True
        withheld = await gateway.client.get(attachment["url"], headers=owner)
        assert (withheld.status_code, withheld.headers["retry-after"]) == (503, "5")
        assert withheld.json()["errors"][0]["extensions"]["code"] == "AUDIT_UNAVAILABLE"
        disk.full = False
        fetched = await gateway.client.get(attachment["url"], headers=owner)
        assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/jpeg"
        fetches = [line for line in trail(tmp_path) if line["outcome"] == "attachment"]
        assert len(fetches) == 2  # the withheld fetch's line was kept, and written with the next
