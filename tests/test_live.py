"""Live updates over real WebSockets, with a real client (gql's websockets transport speaking
graphql-transport-ws), against two gateway processes on one Redis and the mocks in a third:

- a resident subscribed to their case on one replica hears of a change made through the other
  replica, and of one made in the legacy system directly (found by the one poller), each once;
- a grid worker cannot follow another grid: refused, and on the audit trail;
- a bad token is refused with a close code and a reason.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportConnectionFailed, TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import ConnectionClosed

from bench.processes import running_stack
from connectors.base import BackendSettings
from connectors.urban import UrbanConnector
from gateway.access.auth import Role
from mocks.population import Population
from tests.gateway.conftest import token
from tests.redis_server import RedisServer

POLL_S = 0.3
FOLLOW = """subscription($n: String!) {
    caseUpdated(number: $n) { number statusLabel status reportedBy { phone } } }"""
REPORT = """mutation($grid: String!) { reportCase(input: {gridCode: $grid, subClassCode: "0102",
    source: MINI_PROGRAM, description: "楼道堆放杂物", address: "北苑路1号"}) { case { number } } }"""


def request(document: str, **variables: Any) -> GraphQLRequest:
    found = gql(document)
    found.variable_values = variables
    return found


def ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://") + "/graphql"


def transport(url: str, bearer: str) -> WebsocketsTransport:
    return WebsocketsTransport(
        url=ws_url(url),
        init_payload={"authorization": f"Bearer {bearer}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )


async def post(
    client: httpx.AsyncClient, url: str, bearer: str, query: str, **variables: Any
) -> Any:
    response = await client.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {bearer}", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.mark.heavy
async def test_a_change_reaches_a_subscriber_on_another_replica_once(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    env = {
        "GOVGRAPH_STATE_URL": redis_server.url,
        "GOVGRAPH_STATE_NAMESPACE": f"live-{uuid.uuid4().hex[:6]}",
        "GOVGRAPH_CASE_POLL_INTERVAL_S": str(POLL_S),
        "GOVGRAPH_LEGAL_RATE_LIMIT_RPS": "1000",
    }
    person = Population(seed=1, preset="demo").person(1234)
    resident = token(
        Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
    )
    dispatcher = token(Role.URBAN_MANAGEMENT, subject="dispatcher-1")
    with running_stack(tmp_path, gateway_env=env, gateways=2) as stack:
        one, other = stack.gateway_urls
        async with httpx.AsyncClient(timeout=30) as client:
            for url in stack.gateway_urls:  # as a load balancer would: ready, breakers closed
                await wait_ready(client, url)
            number = (await post(client, one, resident, REPORT, grid=person.grid.code))[
                "reportCase"
            ]["case"]["number"]
            heard: list[str] = []
            async with Client(transport=transport(other, resident)) as session:

                async def listen() -> None:
                    async for event in session.subscribe(request(FOLLOW, n=number)):
                        heard.append(event["caseUpdated"]["statusLabel"])

                listening = asyncio.create_task(listen())
                await asyncio.sleep(0.5)  # the subscription is in place
                # Through the first replica: published at once.
                step = "mutation($n: String!) { acceptCase(input: {caseNumber: $n}) { case { statusLabel } } }"
                await post(client, one, dispatcher, step, n=number)
                await wait_for(lambda: heard == ["受理"])
                # In the legacy system directly, by another of its clients: found by the poller.
                other_client = UrbanConnector(
                    BackendSettings(base_url=stack.mock_urls["urban"]), "gateway", "Urban@2026"
                )
                try:
                    await other_client.step("RegisterCase", number, operator="desk-2", unit="12345")
                finally:
                    await other_client.aclose()
                await wait_for(lambda: heard == ["受理", "立案"])
                await asyncio.sleep(8 * POLL_S)  # several more polls, by whichever replica leads
                assert heard == ["受理", "立案"]
                listening.cancel()

            # A grid worker cannot follow another grid: refused, and on the trail.
            worker = token(Role.GRID_WORKER, grids=[person.grid.code], subject="gw-live")
            elsewhere = (
                "320213001001009" if person.grid.code != "320213001001009" else "320213001001008"
            )
            async with Client(transport=transport(one, worker)) as session:
                with pytest.raises(TransportQueryError) as refused:
                    async for _ in session.subscribe(
                        request(
                            "subscription($g: String!) { casesInGrid(grid: $g) { number } }",
                            g=elsewhere,
                        )
                    ):
                        pass
            assert refused.value.errors is not None
            assert refused.value.errors[0]["extensions"]["code"] == "FORBIDDEN"

            # A bad token: the socket is closed with 4401 and a reason.
            with pytest.raises(TransportConnectionFailed) as failed:
                async with Client(transport=transport(other, "not-a-token")) as session:
                    await session.execute(
                        gql('subscription { caseUpdated(number: "1") { number } }')
                    )
            closed = failed.value.__cause__
            assert isinstance(closed, ConnectionClosed) and closed.rcvd is not None
            assert (closed.rcvd.code, closed.rcvd.reason) == (4401, "invalid token")

    lines = [json.loads(line) for line in (tmp_path / "audit.log").read_text().splitlines()]
    denied = [line for line in lines if "Subscription.casesInGrid" in line.get("denied", [])]
    assert len(denied) == 1 and denied[0]["role"] == "grid_worker"
    events = [line for line in lines if line.get("outcome") == "event"]
    assert len(events) == 2  # each event delivered, with the personal field it showed
    assert all(e["fields"]["CaseReporter.phone"] == "whole" for e in events)


async def wait_ready(client: httpx.AsyncClient, url: str) -> None:
    for _ in range(300):
        if (await client.get(f"{url}/readyz")).status_code == 200:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{url} never ready")


async def wait_for(condition: Any, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    assert condition()
