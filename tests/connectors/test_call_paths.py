"""A call takes one of two paths: to the connectors' own transport as a `Call`, or to any other
transport (respx, a mount) as the `httpx.Request` it stands for, whose response is read into an
`Answer`. Over a real socket both paths must put the same bytes on the wire and give the
connector the same answer, whatever the system sends back."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from typing import Any

import httpx
import pytest

from connectors.base import Backend, BackendSettings
from connectors.calls import Answer
from connectors.errors import BackendUnavailableError
from connectors.observe import REQUEST_ID
from connectors.resilience import ResiliencePolicy
from connectors.transport import LegacyTransport

from .loopback import Server, read_request

BODY = "<名称>双井社区</名称>".encode("gbk")


def answer_with(head: bytes, body: bytes) -> bytes:
    return head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


ANSWERS = {
    "plain": answer_with(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=GBK\r\n", BODY),
    "gzip": answer_with(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n", gzip.compress(BODY)),
    "deflate": answer_with(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n", zlib.compress(BODY)
    ),
    "chunked": b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
    + f"{len(BODY):x}\r\n".encode()
    + BODY
    + b"\r\n0\r\n\r\n",
    "until close": b"HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n" + BODY,
    "two retry-afters": answer_with(
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nretry-after: 2\r\n", b""
    ),
}

CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/UrbanService.asmx", {"content": "<x>名</x>".encode("gbk")}),
    ("POST", "/api/gateway/rk.queryBySfzh", {"data": {"data": "{}", "sign": "ab"}}),
    ("GET", "/api/v1/applications", {"params": {"applicant": "a b&c", "cursor": "零"}}),
    ("POST", "/wxa/cases", {"json": {"名字": "x", "n": 1}, "params": {"access_token": "t"}}),
    ("DELETE", "/api/v1/applications/FY2026", {"headers": {"Accept": "text/xml"}}),
]


class ThroughHttpx(httpx.AsyncBaseTransport):
    """Our transport behind another type: the backend gives it `httpx.Request`s."""

    def __init__(self) -> None:
        self.inner = LegacyTransport(2)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def sent_and_answered(
    transport: httpx.AsyncBaseTransport | None, answer: bytes, call: tuple[str, str, dict[str, Any]]
) -> tuple[bytes, Answer]:
    received: list[bytes] = []

    async def system(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await read_request(reader))
        writer.write(answer)
        await writer.drain()
        writer.close()

    method, path, arguments = call
    async with Server(system) as server:
        policy = ResiliencePolicy(max_attempts=1)
        backend = Backend("legacy", BackendSettings(server.url), transport, policy=policy)
        token = REQUEST_ID.set("req-1")
        try:
            answered = await backend.send("Op", backend.request(method, path, **arguments))
        finally:
            REQUEST_ID.reset(token)
            await backend.aclose()
    # Each run has its own port: the Host header is compared without it.
    return received[0].replace(server.url.removeprefix("http://").encode(), b"system"), answered


@pytest.mark.parametrize("answer", list(ANSWERS.values()), ids=list(ANSWERS))
@pytest.mark.parametrize("call", CALLS, ids=[f"{m} {p}" for m, p, _ in CALLS])
async def test_both_paths_send_the_same_bytes_and_read_the_same_answer(
    answer: bytes, call: tuple[str, str, dict[str, Any]]
) -> None:
    assert isinstance(Backend("x", BackendSettings("http://x")).http._transport, LegacyTransport)
    sent_own, answer_own = await sent_and_answered(None, answer, call)
    sent_httpx, answer_httpx = await sent_and_answered(ThroughHttpx(), answer, call)
    assert sent_own == sent_httpx
    assert b"X-Request-ID: req-1\r\n" in sent_own
    assert answer_own.status_code == answer_httpx.status_code
    assert answer_own.content == answer_httpx.content
    for name in ("retry-after", "content-type", "x-absent"):
        assert answer_own.header(name) == answer_httpx.header(name)


async def test_the_answer_is_what_httpx_reads() -> None:
    _, answered = await sent_and_answered(None, ANSWERS["gzip"], CALLS[0])
    assert answered.content == BODY
    _, answered = await sent_and_answered(None, ANSWERS["two retry-afters"], CALLS[2])
    expected = httpx.Response(429, headers=[("Retry-After", "1"), ("retry-after", "2")])
    assert answered.header("Retry-After") == expected.headers.get("retry-after") == "1, 2"


@pytest.mark.parametrize("transport", [None, ThroughHttpx], ids=["own", "httpx"])
async def test_a_header_that_could_split_the_message_is_never_sent(
    transport: type[ThroughHttpx] | None,
) -> None:
    async def system(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async with Server(system) as server:
        policy = ResiliencePolicy(max_attempts=1)
        given = transport() if transport else None
        backend = Backend("legacy", BackendSettings(server.url), given, policy=policy)
        forged = {"SOAPAction": 'op"\r\nX-Admin: 1'}
        try:
            with pytest.raises(BackendUnavailableError) as raised:
                await backend.send("Op", backend.request("POST", "/", headers=forged))
        finally:
            await backend.aclose()
    assert str(raised.value).endswith("LocalProtocolError")
    assert server.connections == 0
