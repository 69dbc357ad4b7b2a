"""Live updates over plain HTTP, against a gateway served by uvicorn on a real socket (the mocks
in process): GraphQL over SSE and Apollo's multipart subscriptions, with the socket's rules:
scope and masking per event, each event on record before it is sent, the token's expiry, the
places per client, and refusals as the protocols expect them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.access.auth import Role
from gateway.http.app import create_app
from gateway.http.live_streams import SHUTTING_DOWN, MultipartFrames, SSEFrames, stream_frames
from gateway.settings import Settings
from gateway.state.case_feed import order
from mocks import InProcessTransport, build_mocks
from tests.conftest import frozen_population
from tests.gateway.conftest import served_on_a_socket, serving, token

SUBSCRIBE = """subscription($g: String!) {
    casesInGrid(grid: $g) { number reporter { resident { phone } } } }"""
REPORT = """mutation($g: String!) { reportCase(input: {gridCode: $g, subClassCode: "1101",
    source: MINI_PROGRAM, description: "路灯不亮", address: "北苑路1号"}) { case { number } } }"""
ACCEPT = "mutation($n: String!) { acceptCase(input: {caseNumber: $n}) { case { number } } }"
SSE_ACCEPT = {"Accept": "text/event-stream"}
APOLLO_ACCEPT = {
    "Accept": 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json'
}

POPULATION = frozen_population("tiny")
REPORTER = POPULATION.person(12)
GRID = REPORTER.grid.code


@pytest.fixture
def app(tmp_path: Path) -> Any:
    mocks = build_mocks(POPULATION, legal_rps=10_000)
    transports = {name: InProcessTransport(app) for name, app in mocks.apps().items()}
    settings = Settings().with_values(
        {
            "audit_path": str(tmp_path / "audit.log"),
            "case_poll_interval_s": 0,
            "live_connections_per_client": 2,
        }
    )
    return create_app(settings, transports)


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    with served_on_a_socket(app) as port:
        yield f"http://127.0.0.1:{port}"


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


ADMIN = bearer(token(Role.COMMUNITY_ADMIN, communities=[GRID[:12]]))


async def reported(client: httpx.AsyncClient, key: str = "") -> str:
    resident = bearer(
        token(Role.RESIDENT, registry_number=REPORTER.registry_number, id_number=REPORTER.id_number)
    )
    answer = await client.post(
        "/graphql",
        json={"query": REPORT, "variables": {"g": GRID}},
        headers={**resident, "Idempotency-Key": key or f"r-{id(client)}"},
    )
    return str(answer.json()["data"]["reportCase"]["case"]["number"])


async def published(client: httpx.AsyncClient) -> str:
    """A case reported and accepted through the gateway: both reach subscribers."""
    number = await reported(client)
    accepted = await client.post(
        "/graphql",
        json={"query": ACCEPT, "variables": {"n": number}},
        headers={**bearer(token(Role.URBAN_MANAGEMENT)), "Idempotency-Key": f"a-{number}"},
    )
    assert accepted.json()["data"]["acceptCase"]["case"]["number"] == number
    return number


async def sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """(event, data) as an EventSource reads them; comments (heartbeats) as ("", ":")."""
    event, data = "", []
    async for line in response.aiter_lines():
        if line.startswith(":"):
            yield "", ":"
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line == "" and event:
            yield event, "\n".join(data)
            event, data = "", []


async def multipart_parts(response: httpx.Response) -> AsyncIterator[dict[str, Any] | None]:
    """Each part's JSON as Apollo Client reads it; None at the closing boundary."""
    buffer = ""
    async for chunk in response.aiter_text():
        buffer += chunk
        while True:
            start = buffer.find("\r\n--graphql")
            end = buffer.find("\r\n--graphql", start + 1)
            if start < 0:
                break
            if buffer[start:].startswith("\r\n--graphql--"):
                yield None
                return
            if end < 0:
                break
            part, buffer = buffer[start:end], buffer[end:]
            yield json.loads(part.split("\r\n\r\n", 1)[1])


async def test_a_subscription_over_sse_sends_each_event_masked_and_on_record(
    served: str, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        body = {"query": SUBSCRIBE, "variables": {"g": GRID}}
        headers = {**ADMIN, **SSE_ACCEPT}
        async with client.stream("POST", "/graphql", json=body, headers=headers) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            await asyncio.sleep(0.2)
            number = await published(client)
            events = sse_events(stream)
            async for event, data in events:
                if event == "next" and json.loads(data)["data"]["casesInGrid"]["number"] == number:
                    break
            case = json.loads(data)["data"]["casesInGrid"]
            phone = case["reporter"]["resident"]["phone"]
            assert phone == f"{REPORTER.phone[:3]}****{REPORTER.phone[-4:]}"  # as the role sees it
            lines = (tmp_path / "audit.log").read_text(encoding="utf-8").splitlines()
            assert [json.loads(x) for x in lines if '"outcome":"event"' in x]  # on record already


async def test_apollo_clients_get_multipart_parts_with_heartbeats(served: str) -> None:
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        body = {"query": SUBSCRIBE, "variables": {"g": GRID}}
        headers = {**ADMIN, **APOLLO_ACCEPT}
        async with client.stream("POST", "/graphql", json=body, headers=headers) as stream:
            assert stream.status_code == 200
            kind = stream.headers["content-type"]
            assert kind.startswith("multipart/mixed") and 'boundary="graphql"' in kind
            parts = multipart_parts(stream)
            assert await anext(parts) == {}  # a heartbeat first: the client hears at once
            number = await published(client)
            part = await anext(parts)
            while (
                part is None
                or part == {}
                or part["payload"]["data"]["casesInGrid"]["number"] != number
            ):
                part = await anext(parts)
            assert part is not None and set(part) == {"payload"}


async def test_refusals_come_as_each_protocol_expects(served: str, tmp_path: Path) -> None:
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        other = bearer(token(Role.GRID_WORKER, grids=["320213001099001"]))
        body = {"query": SUBSCRIBE, "variables": {"g": GRID}}
        refused = await client.post("/graphql", json=body, headers={**other, **SSE_ACCEPT})
        assert refused.status_code == 200 and refused.text.endswith("event: complete\ndata: \n\n")
        [next_data] = [x[5:].strip() for x in refused.text.splitlines() if x.startswith("data:")][
            :1
        ]
        assert json.loads(next_data)["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        lines = (tmp_path / "audit.log").read_text(encoding="utf-8").splitlines()
        [denied] = [json.loads(x) for x in lines if "Subscription.casesInGrid" in x]
        assert denied["outcome"] == "denied" and denied["role"] == "grid_worker"

        unsigned = await client.post(
            "/graphql", json=body, headers={**bearer("not-a-token"), **SSE_ACCEPT}
        )
        assert unsigned.status_code == 401 and "WWW-Authenticate" in unsigned.headers
        # a refusal before any stream is a JSON body, and says so (not text/event-stream)
        assert unsigned.headers["content-type"].startswith("application/json")
        assert unsigned.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        put = await client.put("/graphql", json=body, headers={**ADMIN, **APOLLO_ACCEPT})
        assert put.status_code == 405 and put.headers["content-type"].startswith("application/json")

        plain = await client.post("/graphql", json=body, headers=ADMIN)
        code = plain.json()["errors"][0]["extensions"]["code"]
        assert code == "SUBSCRIPTIONS_OVER_WEBSOCKET"

        query = {"query": "{ departments { code } }"}
        answered = await client.post("/graphql", json=query, headers=SSE_ACCEPT)
        events = [x for x in answered.text.splitlines() if x.startswith("event:")]
        assert events == ["event: next", "event: complete"]
        assert '"departments"' in answered.text


async def test_a_client_holds_few_streams_and_a_closed_one_frees_its_place(served: str) -> None:
    body = {"query": SUBSCRIBE, "variables": {"g": GRID}}
    headers = {**ADMIN, **SSE_ACCEPT}
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        async with (
            client.stream("POST", "/graphql", json=body, headers=headers) as first,
            client.stream("POST", "/graphql", json=body, headers=headers) as second,
        ):
            assert (first.status_code, second.status_code) == (200, 200)
            third = await client.post("/graphql", json=body, headers=headers)
            assert third.status_code == 429
            assert third.json()["errors"][0]["extensions"]["code"] == "LIVE_LIMIT"
        for _ in range(50):  # the server sees the streams go
            await asyncio.sleep(0.05)
            async with client.stream("POST", "/graphql", json=body, headers=headers) as again:
                if again.status_code == 200:
                    break
        assert again.status_code == 200


async def test_a_stream_ends_when_its_token_expires(
    served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SSEFrames, "heartbeat_s", 0.2)
    short = token(
        Role.COMMUNITY_ADMIN, subject="short-lived", communities=[GRID[:12]], lifetime_s=2
    )
    body = {"query": SUBSCRIBE, "variables": {"g": GRID}}
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        headers = {**bearer(short), **SSE_ACCEPT}
        async with client.stream("POST", "/graphql", json=body, headers=headers) as stream:
            seen = [(event, data) async for event, data in sse_events(stream)]
    assert ("", ":") in seen  # heartbeats while nothing happened
    kinds = [event for event, _ in seen if event]
    assert kinds == ["next", "complete"]
    expired = json.loads(next(data for event, data in seen if event == "next"))
    assert expired["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_the_multipart_heartbeat_is_a_part_of_its_own() -> None:
    frames = MultipartFrames()
    assert frames.opening() == frames.heartbeat()
    assert frames.heartbeat() == "\r\n--graphql\r\nContent-Type: application/json\r\n\r\n{}"
    assert frames.complete() == "\r\n--graphql--\r\n"


async def test_an_event_source_subscribes_by_get(served: str) -> None:
    """The browser's own EventSource sends a GET with the operation in the URL (and no
    Authorization header: a public subscription, refused as any other)."""
    params = {"query": SUBSCRIBE, "variables": json.dumps({"g": GRID})}
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        answer = await client.get("/graphql", params=params, headers=SSE_ACCEPT)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        SSE_ACCEPT["Accept"]
    )
    data = [x[5:].strip() for x in answer.text.splitlines() if x.startswith("data:")]
    assert json.loads(data[0])["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert answer.text.endswith("event: complete\ndata: \n\n")


async def test_a_new_report_reaches_the_grids_subscribers_at_once(served: str) -> None:
    """With the poller off, only the gateway's own publishing can tell them."""
    body = {"query": SUBSCRIBE.replace("number", "number status", 1), "variables": {"g": GRID}}
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        headers = {**ADMIN, **SSE_ACCEPT}
        async with client.stream("POST", "/graphql", json=body, headers=headers) as stream:
            await asyncio.sleep(0.2)
            number = await reported(client)
            async for event, data in sse_events(stream):
                if event == "next":
                    case = json.loads(data)["data"]["casesInGrid"]
                    break
    assert (case["number"], case["status"]) == (number, "RECEIVED")


async def test_a_client_gone_away_leaves_the_feed(served: str, app: Any) -> None:
    """Closing the connection mid-stream winds the subscription up: it stops listening to the
    feed, and its place is given back."""
    body = {"query": SUBSCRIBE, "variables": {"g": GRID}}
    headers = {**ADMIN, **SSE_ACCEPT}
    feed = app.state.feed
    async with (
        httpx.AsyncClient(base_url=served, timeout=10) as client,
        client.stream("POST", "/graphql", json=body, headers=headers) as stream,
    ):
        assert stream.status_code == 200
        for _ in range(50):
            if feed._queues:
                break
            await asyncio.sleep(0.02)
        assert len(feed._queues) == 1  # listening
    for _ in range(100):
        if not feed._queues:
            break
        await asyncio.sleep(0.05)
    assert not feed._queues


@pytest.mark.parametrize(
    ("accept", "frames"),
    [
        ("text/event-stream", SSEFrames),
        ("TEXT/EVENT-STREAM;charset=utf-8", SSEFrames),
        (
            'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json',
            MultipartFrames,
        ),
        ('multipart/mixed;subscriptionSpec="1.0"', MultipartFrames),  # as Hive's docs send it
        ("text/event-stream;q=0, application/json", None),  # refused by its own weight
        ("multipart/mixed;deferSpec=20220824, application/json", None),  # @defer, not ours
        ("multipart/mixed;subscriptionSpec=0.9", None),
        ("application/json", None),
        (";;;,,,", None),
    ],
)
def test_the_stream_is_chosen_by_the_accept_header(accept: str, frames: type | None) -> None:
    chosen = stream_frames(accept)
    assert (type(chosen) if chosen is not None else None) is frames


async def test_a_multipart_only_accept_gets_its_stream(served: str) -> None:
    """`Accept: multipart/mixed;subscriptionSpec=1.0` with no JSON beside it (curl, as the
    routers' docs show it) was refused with 406 before the subscription was looked at."""
    body = {"query": SUBSCRIBE, "variables": {"g": GRID}}
    headers = {**ADMIN, "Accept": "multipart/mixed;subscriptionSpec=1.0"}
    async with (
        httpx.AsyncClient(base_url=served, timeout=10) as client,
        client.stream("POST", "/graphql", json=body, headers=headers) as stream,
    ):
        assert stream.status_code == 200
        assert await anext(multipart_parts(stream)) == {}


async def test_streams_end_cleanly_when_the_server_shuts_down(app: Any) -> None:
    """A stream never ends by itself: on SIGTERM it held the server for its whole grace period
    (here there is none, so for ever) and was then cut off mid-body. Now each ends at once, so
    that its client connects again, to a replica that is up: SSE without `complete` (a broken
    connection to graphql-sse's client and to EventSource, which reconnect), multipart with a
    `SHUTTING_DOWN` error and its closing boundary. Each subscription is wound up."""
    body = {"query": SUBSCRIBE, "variables": {"g": GRID}}
    with serving(app) as server:
        base = f"http://127.0.0.1:{server.config.port}"
        async with (
            httpx.AsyncClient(base_url=base, timeout=10) as client,
            client.stream("POST", "/graphql", json=body, headers={**ADMIN, **SSE_ACCEPT}) as sse,
            client.stream("POST", "/graphql", json=body, headers={**ADMIN, **APOLLO_ACCEPT}) as mp,
        ):
            parts = multipart_parts(mp)
            assert await anext(parts) == {}
            for _ in range(100):
                if len(app.state.feed._queues) == 2:
                    break
                await asyncio.sleep(0.02)
            assert len(app.state.feed._queues) == 2  # both listening
            server.should_exit = True  # as uvicorn's SIGTERM handler does
            sse_lines = [line async for line in sse.aiter_lines()]  # to the body's clean end
            rest = [part async for part in parts]
    assert sse_lines[-2:] == [": the gateway is restarting", ""]
    assert not [x for x in sse_lines if x.startswith("event:")]  # no `complete`: connect again
    assert rest[-1] is None and rest[-2] == {"payload": None, "errors": [SHUTTING_DOWN]}
    assert not app.state.feed._queues  # both subscriptions wound up


async def test_an_event_source_that_comes_back_hears_what_it_missed(served: str) -> None:
    """Each SSE event carries its change's position as its id; a client that connects again
    with it (an EventSource's Last-Event-ID) first hears what it missed, then what comes."""
    params = {"query": SUBSCRIBE, "variables": json.dumps({"g": GRID})}
    headers = {**ADMIN, **SSE_ACCEPT}

    async def next_event(lines: AsyncIterator[str]) -> tuple[str, str]:
        """The next event's id and case number, its fields in any order (as SSE allows)."""
        fields: dict[str, str] = {}
        async for line in lines:
            if line:
                name, _, value = line.partition(":")
                fields[name] = value.strip()
            elif "id" in fields and "data" in fields:
                return fields["id"], json.loads(fields["data"])["data"]["casesInGrid"]["number"]
            else:
                fields = {}
        raise AssertionError("the stream ended")

    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        async with client.stream("GET", "/graphql", params=params, headers=headers) as stream:
            await asyncio.sleep(0.2)
            first = await reported(client, "first")
            position, number = await next_event(stream.aiter_lines())
            assert number == first
        missed = await reported(client, "missed")  # while it was away
        again = {**headers, "Last-Event-ID": position}
        async with client.stream("GET", "/graphql", params=params, headers=again) as stream:
            lines = stream.aiter_lines()
            later, number = await next_event(lines)
            assert number == missed and order(later) > order(position)
            after = await reported(client, "after")
            assert (await next_event(lines))[1] == after
