"""The transport's pool and framing against hand-written loopback servers: sockets reused only
when the server allows it, never more open than the cap, a bounded wait for a place, bodies
framed every way HTTP/1.1 allows, and nothing that could split a request or flood memory."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.base import Backend, BackendSettings
from connectors.transport import LegacyTransport

from .loopback import Server, read_request

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


async def closes_after_each(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers one request with no word of closing, then closes: a proxy with keep-alive off."""
    await read_request(reader)
    writer.write(OK)
    await writer.drain()
    writer.close()


async def says_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Says `Connection: close` but leaves the socket open: the client must not reuse it."""
    while True:
        try:
            await read_request(reader)
        except asyncio.IncompleteReadError:
            return
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()


async def until_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """An old server: no length, no chunks; the body ends with the connection."""
    await read_request(reader)
    writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<a>")
    await writer.drain()
    writer.write(b"</a>")
    writer.close()


async def slow_but_steady(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Longer in all than the read timeout, but never quiet that long."""
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
    for byte in b"12345":
        await asyncio.sleep(0.12)
        writer.write(bytes([byte]))
        await writer.drain()
    writer.close()


async def continues_first(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n" + OK)
    await writer.drain()
    writer.close()


async def floods(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000)
    await writer.drain()
    writer.close()


class Holding:
    """Answers after a while, on as many sockets as it is given, counting those open at once."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.open_now = 0
        self.most_open = 0

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            while True:
                try:
                    await read_request(reader)
                except asyncio.IncompleteReadError:
                    return
                await asyncio.sleep(self.delay_s)
                writer.write(OK)
                await writer.drain()
        finally:
            self.open_now -= 1


async def test_a_socket_the_server_closed_is_not_reused() -> None:
    transport = LegacyTransport(4)
    async with httpx.AsyncClient(transport=transport) as client, Server(closes_after_each) as s:
        replies = []
        for _ in range(3):
            replies.append(await client.post(s.url, content=b"<x/>"))
            await asyncio.sleep(0.05)  # the server's close arrives
    assert [r.content for r in replies] == [b"ok"] * 3
    assert s.connections == transport.opened == 3


async def test_connection_close_is_honoured_even_when_the_socket_stays_open() -> None:
    transport = LegacyTransport(4)
    async with httpx.AsyncClient(transport=transport) as client, Server(says_close) as s:
        replies = [await client.post(s.url, content=b"<x/>") for _ in range(3)]
    assert [r.content for r in replies] == [b"ok"] * 3
    assert s.connections == 3


async def test_a_body_without_length_ends_with_the_connection() -> None:
    async with httpx.AsyncClient(transport=LegacyTransport(2)) as client, Server(until_close) as s:
        reply = await client.get(s.url)
    assert reply.content == b"<a></a>"


async def test_the_read_timeout_is_for_silence_not_for_the_whole_answer() -> None:
    timeout = httpx.Timeout(0.3)
    async with (
        httpx.AsyncClient(transport=LegacyTransport(2), timeout=timeout) as client,
        Server(slow_but_steady) as s,
    ):
        reply = await client.get(s.url)
    assert reply.content == b"12345"


async def test_an_interim_answer_is_passed_over() -> None:
    async with (
        httpx.AsyncClient(transport=LegacyTransport(2)) as client,
        Server(continues_first) as s,
    ):
        reply = await client.post(s.url, content=b"<x/>")
    assert (reply.status_code, reply.content) == (200, b"ok")


async def test_never_more_sockets_than_the_cap_and_every_call_answered() -> None:
    holding = Holding(0.05)
    async with httpx.AsyncClient(transport=LegacyTransport(2)) as client, Server(holding) as s:
        replies = await asyncio.gather(*(client.post(s.url, content=b"<x/>") for _ in range(8)))
    assert [r.content for r in replies] == [b"ok"] * 8
    assert holding.most_open == 2
    assert s.connections == 2


async def test_waiting_for_a_place_ends_at_the_pool_timeout() -> None:
    timeout = httpx.Timeout(5.0, pool=0.1)
    async with (
        httpx.AsyncClient(transport=LegacyTransport(1), timeout=timeout) as client,
        Server(Holding(0.5)) as s,
    ):
        first = asyncio.ensure_future(client.get(s.url))
        await asyncio.sleep(0.05)
        with pytest.raises(httpx.PoolTimeout):
            await client.get(s.url)
        assert (await first).content == b"ok"


async def test_a_cancelled_call_gives_its_place_and_socket_back() -> None:
    transport = LegacyTransport(1)
    async with httpx.AsyncClient(transport=transport) as client, Server(Holding(0.2)) as s:
        call = asyncio.ensure_future(client.get(s.url))
        await asyncio.sleep(0.05)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        reply = await client.get(s.url)
    assert reply.content == b"ok"
    assert transport.opened == 2  # the cancelled call's socket was half-used: not reused


async def test_an_answer_over_the_size_cap_is_refused() -> None:
    transport = LegacyTransport(2, max_answer_bytes=10_000)
    async with httpx.AsyncClient(transport=transport) as client, Server(floods) as s:
        with pytest.raises(httpx.RemoteProtocolError, match="too large"):
            await client.get(s.url)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Case": "1\r\nX-Injected: yes"},
        {"X-Case": "1\nX-Injected: yes"},
        {"X Case": "1"},
    ],
)
async def test_a_header_that_could_split_the_request_is_refused(headers: dict[str, str]) -> None:
    async with (
        httpx.AsyncClient(transport=LegacyTransport(2)) as client,
        Server(closes_after_each) as s,
    ):
        with pytest.raises(httpx.LocalProtocolError):
            await client.get(s.url, headers=headers)
        assert s.connections == 0


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no public root vouches for."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "legacy.test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_https_is_spoken_to_a_trusted_system_and_refused_to_an_unknown_one(
    tmp_path: Path,
) -> None:
    cert, key = self_signed(tmp_path)
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    server = await asyncio.start_server(
        lambda r, w: closes_after_each(r, w), "127.0.0.1", 0, ssl=served
    )
    url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    trusting = ssl.create_default_context(cafile=str(cert))
    try:
        async with httpx.AsyncClient(transport=LegacyTransport(2, tls=trusting)) as client:
            reply = await client.get(url)
        assert reply.content == b"ok"
        async with httpx.AsyncClient(transport=LegacyTransport(2)) as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(url)
        # what `backend_ca_file` gives every connector
        system = Backend("legacy", BackendSettings(url, ca_file=str(cert)))
        try:
            answer = await system.send("Get", system.request("GET", "/"))
        finally:
            await system.aclose()
        assert answer.content == b"ok"
    finally:
        server.close()
        await server.wait_closed()


async def drops_the_second(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Keeps a socket alive after its first answer, then drops it on the next request unanswered:
    what a server's keep-alive timer does when it fires as a request arrives."""
    await read_request(reader)
    writer.write(OK)
    await writer.drain()
    await read_request(reader)
    writer.close()


@pytest.mark.parametrize(("method", "tried_again"), [("GET", True), ("POST", False)])
async def test_a_kept_socket_dropped_unanswered_is_tried_again_only_where_http_allows(
    method: str, tried_again: bool
) -> None:
    transport = LegacyTransport(2)
    async with httpx.AsyncClient(transport=transport) as client, Server(drops_the_second) as s:
        assert (await client.request(method, s.url, content=b"1")).content == b"ok"
        if tried_again:
            assert (await client.request(method, s.url, content=b"2")).content == b"ok"
        else:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.request(method, s.url, content=b"2")
    assert transport.opened == (2 if tried_again else 1)


async def test_a_socket_idle_past_the_expiry_is_let_go_before_the_server_would() -> None:
    transport = LegacyTransport(2, keepalive_expiry_s=0.1)
    async with httpx.AsyncClient(transport=transport) as client, Server(Holding(0)) as s:
        await client.get(s.url)
        await client.get(s.url)
        assert transport.opened == 1
        await asyncio.sleep(0.15)
        await client.get(s.url)
    assert transport.opened == 2
