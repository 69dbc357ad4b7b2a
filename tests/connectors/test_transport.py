"""The socket transport against real loopback servers that misbehave the ways legacy systems and
their proxies do: each failure must arrive as the httpx error that says what happened, so that
the backend maps it to the right code and knows whether a write may have arrived."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from connectors.base import Backend, BackendSettings
from connectors.errors import BackendTimeoutError, BackendUnavailableError
from connectors.resilience import ResiliencePolicy
from connectors.transport import LegacyTransport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
GBK_BODY = "<名称>双井社区</名称>".encode("gbk")


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + (await reader.readexactly(length) if length else b"")


async def answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        try:
            request = await read_request(reader)
        except asyncio.IncompleteReadError:
            break
        echoed = b"yes" if b'soapaction: "op"' in request.lower() else b"no"
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=GBK\r\n"
            + b"X-Saw-Action: "
            + echoed
            + b"\r\n"
            + f"Content-Length: {len(GBK_BODY)}\r\n\r\n".encode()
            + GBK_BODY
        )
        await writer.drain()
    writer.close()


async def gzips(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A proxy in front of a legacy system compresses what it passes on, chunked."""
    await read_request(reader)
    packed = gzip.compress(GBK_BODY)
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        + f"{len(packed):x}\r\n".encode()
        + packed
        + b"\r\n0\r\n\r\n"
    )
    await writer.drain()
    writer.close()


async def hangs_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.close()


async def stalls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12")
    await writer.drain()
    await asyncio.sleep(5)
    writer.close()


async def cuts_the_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf")
    await writer.drain()
    writer.close()


async def speaks_garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"<html>proxy error</html>\r\n\r\n")
    await writer.drain()
    writer.close()


class Server:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.url = ""
        self._server: asyncio.Server | None = None
        self._open: list[tuple[asyncio.Task[None], asyncio.StreamWriter]] = []

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._open.append((task, writer))  # type: ignore[arg-type]
        try:
            await self.handler(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task, writer in self._open:
            task.cancel()
            writer.close()
        await asyncio.gather(*(task for task, _ in self._open), return_exceptions=True)
        await self._server.wait_closed()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=LegacyTransport(4), timeout=httpx.Timeout(0.3)) as c:
        yield c


async def test_answers_arrive_whole_and_connections_are_kept_alive(
    client: httpx.AsyncClient,
) -> None:
    async with Server(answers) as server:
        replies = [
            await client.post(server.url, content=b"<x/>", headers={"SOAPAction": '"op"'})
            for _ in range(5)
        ]
    assert [r.status_code for r in replies] == [200] * 5
    assert all(r.content == GBK_BODY for r in replies)
    assert replies[0].content.decode("gbk") == "<名称>双井社区</名称>"
    assert replies[0].headers["x-saw-action"] == "yes"
    assert server.connections == 1


async def test_a_compressed_chunked_answer_arrives_decoded(client: httpx.AsyncClient) -> None:
    async with Server(gzips) as server:
        reply = await client.post(server.url, content=b"<x/>")
    assert reply.content == GBK_BODY
    assert reply.content.decode("gbk") == "<名称>双井社区</名称>"


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        (hangs_up, httpx.RemoteProtocolError),
        (stalls, httpx.ReadTimeout),
        (cuts_the_body, httpx.ReadError),
        (speaks_garbage, httpx.RemoteProtocolError),
    ],
)
async def test_each_failure_becomes_the_httpx_error_that_says_what_happened(
    client: httpx.AsyncClient, handler: Handler, expected: type[Exception]
) -> None:
    async with Server(handler) as server:
        with pytest.raises(expected) as raised:
            await client.post(server.url, content=b"<x/>")
    assert type(raised.value) is expected


async def test_a_closed_port_is_a_connect_error(client: httpx.AsyncClient) -> None:
    async with Server(answers) as server:
        url = server.url
    with pytest.raises(httpx.ConnectError):
        await client.get(url)


def backend(url: str) -> Backend:
    policy = ResiliencePolicy(max_attempts=1)
    return Backend("urban-management", BackendSettings(url, read_timeout_s=0.3), policy=policy)


async def test_a_write_whose_connection_dropped_may_have_happened() -> None:
    async with Server(hangs_up) as server:
        system = backend(server.url)
        try:
            request = system.http.build_request("POST", "/", content=b"<ReportCase/>")
            with pytest.raises(BackendUnavailableError) as raised:
                await system.send("ReportCase", request, idempotent=False)
        finally:
            await system.aclose()
    assert raised.value.extensions["outcome"] == "unknown"


async def test_a_write_that_never_connected_did_not_happen() -> None:
    async with Server(answers) as server:
        url = server.url
    system = backend(url)
    try:
        request = system.http.build_request("POST", "/", content=b"<ReportCase/>")
        with pytest.raises(BackendUnavailableError) as raised:
            await system.send("ReportCase", request, idempotent=False)
    finally:
        await system.aclose()
    assert "outcome" not in raised.value.extensions


async def test_a_stalled_read_is_a_backend_timeout() -> None:
    async with Server(stalls) as server:
        system = backend(server.url)
        try:
            request = system.http.build_request("POST", "/", content=b"<GetGrids/>")
            with pytest.raises(BackendTimeoutError):
                await system.send("GetGrids", request)
        finally:
            await system.aclose()
