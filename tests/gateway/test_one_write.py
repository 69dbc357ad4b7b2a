"""A response's head and body leave in one write: the transport that holds the head, then uvicorn
serving over it on a real socket (plain answers, streams, keep-alive, WebSocket upgrades)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import websockets
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from gateway.http.one_write import HeadHeldTransport, OneWriteHttpProtocol
from gateway.testing.servers import BackgroundServers

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


class Recorded:
    """The transport underneath: what was written, in order, and whether it was closed."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.events: list[str] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self.events.append("write")

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True
        self.events.append("close")

    def abort(self) -> None:
        self.closing = True
        self.events.append("abort")

    def write_eof(self) -> None:
        self.events.append("eof")

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str) -> str:
        return f"extra:{name}"


def held_over(recorded: Recorded) -> HeadHeldTransport:
    return HeadHeldTransport(recorded, asyncio.get_running_loop())  # type: ignore[arg-type]


async def turn() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_a_head_and_its_body_in_one_turn_leave_as_one_write() -> None:
    recorded = Recorded()
    transport = held_over(recorded)
    transport.write(HEAD)
    assert recorded.writes == []
    assert transport.get_write_buffer_size() == len(HEAD)
    transport.write(b"{}")
    assert recorded.writes == [HEAD + b"{}"]
    await turn()
    assert recorded.writes == [HEAD + b"{}"]  # the end of the turn sends nothing more


async def test_a_head_alone_leaves_at_the_end_of_the_turn_and_is_never_joined_late() -> None:
    recorded = Recorded()
    transport = held_over(recorded)
    transport.write(HEAD)
    await turn()
    assert recorded.writes == [HEAD]
    transport.write(b"{}")
    assert recorded.writes == [HEAD, b"{}"]


async def test_what_is_not_a_head_is_written_at_once() -> None:
    recorded = Recorded()
    transport = held_over(recorded)
    for data in (b"5\r\nhello\r\n", b"HTTP/1.1 but no end of head", b"\r\n\r\n"):
        transport.write(data)
    assert recorded.writes == [b"5\r\nhello\r\n", b"HTTP/1.1 but no end of head", b"\r\n\r\n"]
    transport.writelines([b"a", b"b"])
    assert recorded.writes[-1] == b"ab"


async def test_closing_sends_a_held_head_first_and_aborting_drops_it() -> None:
    closed, aborted, ended = Recorded(), Recorded(), Recorded()
    for recorded, finish in ((closed, "close"), (aborted, "abort"), (ended, "write_eof")):
        transport = held_over(recorded)
        transport.write(HEAD)
        getattr(transport, finish)()
    assert closed.events == ["write", "close"] and closed.writes == [HEAD]
    assert aborted.events == ["abort"] and aborted.writes == []
    assert ended.events == ["write", "eof"] and ended.writes == [HEAD]
    await turn()
    assert aborted.writes == [] and closed.writes == [HEAD]  # nothing sent after the end


async def test_a_head_held_past_a_lost_connection_is_dropped() -> None:
    recorded = Recorded()
    transport = held_over(recorded)
    transport.write(HEAD)
    recorded.closing = True
    await turn()
    assert recorded.writes == []


async def test_everything_else_is_the_wrapped_transports() -> None:
    transport = held_over(Recorded())
    assert transport.get_extra_info("peername") == "extra:peername"


# -- served by uvicorn over a real socket ------------------------------------------------------

SENDS: list[int] = []


class CountingTransport:
    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport

    def write(self, data: bytes) -> None:
        SENDS.append(len(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CountedProtocol(OneWriteHttpProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CountingTransport(transport))  # type: ignore[arg-type]


async def answer(request: Request) -> JSONResponse:
    return JSONResponse({"echo": request.query_params.get("n", "")})


async def stream(request: Request) -> StreamingResponse:
    async def pieces() -> AsyncIterator[bytes]:
        for piece in (b"one\n", b"two\n", b"three\n"):
            await asyncio.sleep(0.01)
            yield piece

    return StreamingResponse(pieces(), media_type="text/plain")


async def nothing(request: Request) -> Response:
    return Response(status_code=204)


async def echo(socket: WebSocket) -> None:
    await socket.accept()
    await socket.send_text(await socket.receive_text())
    await socket.close()


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    app = Starlette(
        routes=[
            Route("/answer", answer),
            Route("/stream", stream),
            Route("/nothing", nothing),
            WebSocketRoute("/echo", echo),
        ]
    )
    servers = BackgroundServers({"app": app}, http=CountedProtocol).start()
    try:
        yield servers.urls["app"]
    finally:
        servers.stop()


def test_each_answer_on_a_kept_alive_connection_is_one_send(served: str) -> None:
    with httpx.Client(base_url=served) as client:
        SENDS.clear()
        for n in range(5):
            response = client.get("/answer", params={"n": str(n)})
            assert response.json() == {"echo": str(n)}
    assert len(SENDS) == 5


def test_a_stream_still_arrives_piece_by_piece(served: str) -> None:
    with httpx.Client(base_url=served) as client:
        SENDS.clear()
        with client.stream("GET", "/stream") as response:
            assert list(response.iter_lines()) == ["one", "two", "three"]
    # the head alone at the end of its turn, a write per piece, and the stream's end
    assert len(SENDS) == 5


async def test_a_websocket_upgrade_still_works(served: str) -> None:
    url = served.replace("http://", "ws://") + "/echo"
    async with websockets.connect(url) as socket:
        await socket.send(json.dumps({"hello": "网格"}))
        assert json.loads(await socket.recv()) == {"hello": "网格"}


def test_heads_without_a_body_still_leave_whole(served: str) -> None:
    with httpx.Client(base_url=served) as client:
        SENDS.clear()
        head = client.head("/answer")
        empty = client.get("/nothing")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(b'{"echo":""}'))
    assert empty.status_code == 204 and empty.content == b""
    assert len(SENDS) == 2


def test_pipelined_requests_are_answered_in_order(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    requests = b"".join(
        f"GET /answer?n={n} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode() for n in (1, 2, 3)
    )
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(requests)
        received = b""
        while received.count(b'{"echo":') < 3 or not received.endswith(b"}"):
            chunk = conn.recv(65536)
            assert chunk, "the connection closed early"
            received += chunk
    assert received.count(b"HTTP/1.1 200 OK") == 3
    assert [received.index(f'"echo":"{n}"'.encode()) for n in (1, 2, 3)] == sorted(
        received.index(f'"echo":"{n}"'.encode()) for n in (1, 2, 3)
    )
