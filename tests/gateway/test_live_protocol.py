"""The live-updates socket's own rules, against a gateway served by uvicorn on a real socket
(the mocks in process): only subscriptions over it, within the document limits; a cap on
sockets per client; the token's expiry closing it; a subscription over HTTP pointed to the
socket. Events between replicas: tests/test_live.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from gateway.access.auth import Role, mint_token
from gateway.http.app import create_app
from gateway.settings import Settings
from mocks import InProcessTransport, build_mocks
from tests.conftest import frozen_population
from tests.gateway.conftest import served_on_a_socket, token

PROTOCOL = [Subprotocol("graphql-transport-ws")]


def serving(**settings: Any) -> Iterator[str]:
    """A gateway on a real socket over the tiny population's mocks, with `settings`."""
    mocks = build_mocks(frozen_population("tiny"), legal_rps=10_000)
    transports = {name: InProcessTransport(app) for name, app in mocks.apps().items()}
    configured = Settings().with_values({"audit_path": "", "case_poll_interval_s": 0, **settings})
    with served_on_a_socket(create_app(configured, transports)) as port:
        yield f"127.0.0.1:{port}"


@pytest.fixture
def served() -> Iterator[str]:
    yield from serving(live_connections_per_client=2)


async def socket(address: str) -> ClientConnection:
    return await connect(f"ws://{address}/graphql", subprotocols=PROTOCOL)


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: ClientConnection) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
    return answer


async def init(ws: ClientConnection, bearer: str) -> dict[str, Any]:
    await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {bearer}"}})
    return await receive(ws)


async def test_only_subscriptions_run_over_the_socket(served: str) -> None:
    async with await socket(served) as ws:
        assert (await init(ws, token(Role.DISTRICT_ADMIN)))["type"] == "connection_ack"
        query = {"query": "{ departments { code } }"}
        await send(ws, {"id": "1", "type": "subscribe", "payload": query})
        refused = await receive(ws)
        assert refused["type"] == "error" and refused["id"] == "1"
        assert refused["payload"][0]["extensions"]["code"] == "SUBSCRIPTIONS_ONLY"
        deep = (
            'subscription { casesInGrid(grid: "320213001001001") { '
            + "grid { community { grids { " * 8
            + "name"
            + " } } }" * 8
            + " } }"
        )
        await send(ws, {"id": "2", "type": "subscribe", "payload": {"query": deep}})
        limited = await receive(ws)
        assert limited["type"] == "error"
        assert limited["payload"][0]["extensions"]["code"] == "DEPTH_LIMIT"


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"v": None}, id="null"),
        pytest.param({"v": 320213001001001}, id="a-number"),
        pytest.param({"v": ["320213001001001"]}, id="a-list"),
        pytest.param({}, id="missing"),
        pytest.param("320213001001001", id="not-an-object"),
        pytest.param(["320213001001001"], id="a-list-of-them"),
    ],
)
async def test_variables_that_do_not_fit_are_refused_as_over_http(
    served: str, variables: object
) -> None:
    """Not INTERNAL (what a variable of the wrong type once gave here) and not silence (what
    variables that are no object once gave): BAD_VARIABLES, without the value."""
    query = "subscription($v: String!) { casesInGrid(grid: $v) { number } }"
    async with await socket(served) as ws:
        assert (await init(ws, token(Role.DISTRICT_ADMIN)))["type"] == "connection_ack"
        payload = {"query": query, "variables": variables}
        await send(ws, {"id": "1", "type": "subscribe", "payload": payload})
        refused = await receive(ws)
        assert (refused["type"], refused["id"]) == ("error", "1")
        assert [e["extensions"]["code"] for e in refused["payload"]] == ["BAD_VARIABLES"]
        assert "320213001001001" not in json.dumps(refused)
        if isinstance(variables, dict):  # which variable, and what the operation declares
            assert "'$v'" in refused["payload"][0]["message"]
            assert "String!" in refused["payload"][0]["message"]
        # the socket is still good for a subscription that fits
        good = {"query": query, "variables": {"v": "320213001001001"}}
        await send(ws, {"id": "2", "type": "subscribe", "payload": good})
        with pytest.raises(TimeoutError):  # nothing until a case changes: it is running
            await asyncio.wait_for(ws.recv(), 0.5)


SUBSCRIPTION = 'subscription { casesInGrid(grid: "320213001001001") { number } }'


@pytest.mark.parametrize(
    "message",
    [
        pytest.param([1, 2], id="an-array"),
        pytest.param({"type": 5}, id="a-number-for-type"),
        pytest.param({"id": 5, "type": "subscribe", "payload": {"query": SUBSCRIPTION}}, id="id"),
        pytest.param({"id": "x" * 129, "type": "subscribe", "payload": {}}, id="long-id"),
        pytest.param({"id": "1", "type": "subscribe", "payload": "query"}, id="payload"),
        pytest.param({"id": "1", "type": "subscribe", "payload": {"query": 5}}, id="query"),
        pytest.param(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIPTION, "operationName": 1},
            },
            id="operation-name",
        ),
        pytest.param({"id": ["1"], "type": "complete"}, id="complete-id"),
        pytest.param({"type": "ping", "payload": "x"}, id="ping-payload"),
    ],
)
async def test_a_message_of_the_wrong_shape_closes_the_socket_with_4400(
    served: str, message: object, caplog: pytest.LogCaptureFixture
) -> None:
    """As the protocol says, with the reason; it once dropped the socket with no code (an array,
    a payload that is a string) or killed the operation and told the client nothing."""
    async with await socket(served) as ws:
        assert (await init(ws, token(Role.DISTRICT_ADMIN)))["type"] == "connection_ack"
        await ws.send(json.dumps(message))
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
    assert closed.value.rcvd.reason.startswith("invalid message: ")
    assert not [r for r in caplog.records if r.exc_info], "a traceback in the log"


async def test_a_client_holds_few_sockets(served: str) -> None:
    bearer = token(Role.GRID_WORKER, grids=["320213001001001"])
    async with await socket(served) as one, await socket(served) as two:
        assert (await init(one, bearer))["type"] == "connection_ack"
        assert (await init(two, bearer))["type"] == "connection_ack"
        async with await socket(served) as three:
            with pytest.raises(ConnectionClosed) as closed:
                await init(three, bearer)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
    await asyncio.sleep(0.2)  # the server sees the first two go
    async with await socket(served) as again:  # closed sockets are given back
        assert (await init(again, bearer))["type"] == "connection_ack"


async def test_the_socket_closes_when_the_token_expires(served: str) -> None:
    settings = Settings()
    short = mint_token(
        settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        role=Role.DISTRICT_ADMIN,
        subject="short-lived",
        lifetime_s=1,
    )
    async with await socket(served) as ws:
        assert (await init(ws, short))["type"] == "connection_ack"
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)  # nothing comes but the close, at the token's expiry
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "token expired")


async def test_a_department_claim_is_required_and_checked(served: str) -> None:
    settings = Settings()
    async with httpx.AsyncClient(base_url=f"http://{served}") as client:
        for claims in ({}, {"department": "../x"}):
            department = claims.get("department")
            bearer = mint_token(
                settings.jwt_secret,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                role=Role.DEPARTMENT,
                subject="dept",
                department=department,
            )
            response = await client.post(
                "/graphql",
                json={"query": "{ departments { code } }"},
                headers={"Authorization": f"Bearer {bearer}"},
            )
            assert response.status_code == 401
        over_http = await client.post(
            "/graphql",
            json={"query": 'subscription { caseUpdated(number: "2026110100000001") { number } }'},
        )
        code = over_http.json()["errors"][0]["extensions"]["code"]
        assert code == "SUBSCRIPTIONS_OVER_WEBSOCKET"


async def test_a_phone_typed_into_a_report_reaches_a_subscriber_as_its_role_sees_it(
    served: str,
) -> None:
    population = frozen_population("tiny")
    reporter, neighbour = population.person(12), population.person(40)
    grid = reporter.grid.code
    resident = token(
        Role.RESIDENT,
        registry_number=reporter.registry_number,
        id_number=reporter.id_number,
    )
    async with await socket(served) as ws:
        admin = token(Role.COMMUNITY_ADMIN, communities=[grid[:12]])
        assert (await init(ws, admin))["type"] == "connection_ack"
        query = "subscription($g: String!) { casesInGrid(grid: $g) { number description } }"
        payload = {"query": query, "variables": {"g": grid}}
        await send(ws, {"id": "1", "type": "subscribe", "payload": payload})
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=f"http://{served}") as client:
            reported = await client.post(
                "/graphql",
                json={
                    "query": 'mutation($g: String!, $d: String!) { reportCase(input: {gridCode: $g, subClassCode: "1101", source: MINI_PROGRAM, description: $d, address: "北苑路1号"}) { case { number } } }',
                    "variables": {"g": grid, "d": f"邻居电话{neighbour.phone}"},
                },
                headers={"Authorization": f"Bearer {resident}", "Idempotency-Key": "live-1"},
            )
            number = reported.json()["data"]["reportCase"]["case"]["number"]
            accepted = await client.post(  # a step taken through the gateway is published
                "/graphql",
                json={
                    "query": "mutation($n: String!) { acceptCase(input: {caseNumber: $n}) { case { number } } }",
                    "variables": {"n": number},
                },
                headers={
                    "Authorization": f"Bearer {token(Role.URBAN_MANAGEMENT)}",
                    "Idempotency-Key": "live-2",
                },
            )
            assert accepted.json()["data"]["acceptCase"]["case"]["number"] == number
        event = await receive(ws)
        while event["payload"]["data"]["casesInGrid"]["number"] != number:
            event = await receive(ws)
    shown = event["payload"]["data"]["casesInGrid"]["description"]
    assert shown == f"邻居电话{neighbour.phone[:3]}****{neighbour.phone[-4:]}"


async def test_variables_nested_past_any_input_are_refused_and_the_socket_stays(
    served: str, caplog: pytest.LogCaptureFixture
) -> None:
    query = "subscription($v: String!) { casesInGrid(grid: $v) { number } }"
    async with await socket(served) as ws:
        assert (await init(ws, token(Role.DISTRICT_ADMIN)))["type"] == "connection_ack"
        # as deep as the JSON parser reads (past it, see below), written out by hand
        deep = "[" * 960 + '"320213001001001"' + "]" * 960
        payload = json.dumps({"query": query, "variables": {"v": "DEEP"}}).replace('"DEEP"', deep)
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe"})[:-1] + f', "payload": {payload}}}'
        )
        refused = await receive(ws)
        assert (refused["type"], refused["id"]) == ("error", "1")
        assert [e["extensions"]["code"] for e in refused["payload"]] == ["BAD_VARIABLES"]
        assert "nested more than 64 deep" in refused["payload"][0]["message"]  # before any walk
        await send(ws, {"type": "ping"})
        assert (await receive(ws))["type"] == "pong"
    assert not [r for r in caplog.records if r.exc_info], "a traceback in the log"


async def test_a_message_nested_past_what_json_reads_closes_the_socket_with_4400(
    served: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with await socket(served) as ws:
        assert (await init(ws, token(Role.DISTRICT_ADMIN)))["type"] == "connection_ack"
        await ws.send(
            '{"id": "1", "type": "subscribe", "payload": ' + "[" * 5000 + "]" * 5000 + "}"
        )
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
    assert not [r for r in caplog.records if r.exc_info], "a traceback in the log"


@pytest.fixture
def served_slowly() -> Iterator[str]:
    """A gateway whose signed-in clients may make four requests a minute."""
    yield from serving(rate_user_requests_per_minute=4)


async def test_each_subscription_takes_from_the_clients_rate_as_over_http(
    served_slowly: str,
) -> None:
    grid = frozen_population("tiny").person(12).grid.code
    admin = token(Role.COMMUNITY_ADMIN, communities=[grid[:12]], subject="churner")
    payload = {"query": f'subscription {{ casesInGrid(grid: "{grid}") {{ number }} }}'}
    async with await socket(served_slowly) as ws:
        assert (await init(ws, admin))["type"] == "connection_ack"  # the first request
        for number in range(3):
            await send(ws, {"id": str(number), "type": "subscribe", "payload": payload})
        await asyncio.sleep(0.3)  # the three are running
        await send(ws, {"id": "3", "type": "subscribe", "payload": payload})
        refused = await receive(ws)  # the fourth's, unless a slow machine ran it before another
        assert refused["type"] == "error" and refused["id"] in ("0", "1", "2", "3")
        extensions = refused["payload"][0]["extensions"]
        assert extensions["code"] == "RATE_LIMITED" and 1 <= extensions["retryAfter"] <= 121
    # the same allowance over HTTP: spent
    async with httpx.AsyncClient(base_url=f"http://{served_slowly}") as client:
        answer = await client.post(
            "/graphql",
            json={"query": "{ departments { code } }"},
            headers={"Authorization": f"Bearer {admin}", "X-Purpose": "check"},
        )
    assert answer.status_code == 429
    # nor may it open another socket
    async with await socket(served_slowly) as ws:
        await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {admin}"}})
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
