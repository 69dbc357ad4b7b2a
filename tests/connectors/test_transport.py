"""The socket transport against real loopback servers that misbehave the ways legacy systems and
their proxies do: each failure must arrive as the httpx error that says what happened, so that
the backend maps it to the right code and knows whether a write may have arrived."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator

import httpx
import pytest

from connectors.base import Backend, BackendSettings
from connectors.errors import BackendTimeoutError, BackendUnavailableError
from connectors.resilience import ResiliencePolicy
from connectors.transport import LegacyTransport

from .loopback import Handler, Server, read_request

GBK_BODY = "<名称>双井社区</名称>".encode("gbk")


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
            request = system.request("POST", "/", content=b"<ReportCase/>")
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
        request = system.request("POST", "/", content=b"<ReportCase/>")
        with pytest.raises(BackendUnavailableError) as raised:
            await system.send("ReportCase", request, idempotent=False)
    finally:
        await system.aclose()
    assert "outcome" not in raised.value.extensions


async def test_a_stalled_read_is_a_backend_timeout() -> None:
    async with Server(stalls) as server:
        system = backend(server.url)
        try:
            request = system.request("POST", "/", content=b"<GetGrids/>")
            with pytest.raises(BackendTimeoutError):
                await system.send("GetGrids", request)
        finally:
            await system.aclose()
