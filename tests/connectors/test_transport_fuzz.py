"""Whatever bytes a legacy system or a proxy sends back, the transport ends with an answer or an
httpx transport error, in bounded time, and a socket that sent nonsense is never used again."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.transport import LegacyTransport

from .loopback import Server, read_request

HEADS = st.sampled_from(
    [
        b"",
        b"HTTP/1.1 200 OK\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"HTTP/1.0 500 Internal Server Error\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\n",
    ]
)


async def exchange(reply: bytes) -> tuple[object, int]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(reply)
        await writer.drain()
        writer.close()

    transport = LegacyTransport(1)
    timeout = httpx.Timeout(0.5)
    async with (
        httpx.AsyncClient(transport=transport, timeout=timeout) as client,
        Server(answer) as s,
    ):
        outcome: object
        try:
            outcome = await client.get(s.url)
        except httpx.TransportError as error:
            outcome = error
        with contextlib.suppress(httpx.TransportError):
            await client.get(s.url)  # the next call: on a fresh socket
    return outcome, transport.opened


@settings(max_examples=120, deadline=None)
@given(head=HEADS, tail=st.binary(max_size=200))
def test_any_reply_ends_in_an_answer_or_a_transport_error(head: bytes, tail: bytes) -> None:
    outcome, opened = asyncio.run(asyncio.wait_for(exchange(head + tail), timeout=5))
    assert isinstance(outcome, httpx.Response | httpx.TransportError)
    # The server closes after each reply, so no socket can be used twice.
    assert opened == 2
