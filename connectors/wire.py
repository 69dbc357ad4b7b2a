"""One HTTP/1.1 socket to a legacy system: a request written whole, its answer parsed by httptools
as it arrives, one exchange at a time. The pool around it is `transport.LegacyTransport`."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import httptools
import httpx

Origin = tuple[str, str, int]
MAX_HEAD_BYTES = 64 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
FRAMING = frozenset({"content-length", "transfer-encoding"})
FRAMING_BYTES = frozenset(name.encode() for name in FRAMING)  # as httptools gives an answer's
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
NOT_IN_A_VALUE = re.compile(r"[\r\n\x00]")


def message_head(
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body_length: int,
    host: str | None = None,
    encoding: str = "ascii",
    request: httpx.Request | None = None,
) -> bytes:
    """The request line, `host` (when given, first, as httpx puts it) and the headers. The body's
    length is always stated by us: the body is sent whole, so a header a streamed body brought
    (chunked) would be false. A header that could split the message (a line break in a value, a
    name that is not a token) is refused."""
    parts = [method, " ", target, " HTTP/1.1\r\n"]
    if host is not None:
        parts += ("Host: ", host, "\r\n")
    for name, value in headers:
        if TOKEN.fullmatch(name) is None or NOT_IN_A_VALUE.search(value) is not None:
            raise httpx.LocalProtocolError("a header that is not HTTP", request=request)
        if name.lower() in FRAMING:
            continue
        parts += (name, ": ", value, "\r\n")
    if body_length or method in BODY_METHODS:
        parts.append(f"Content-Length: {body_length}\r\n")
    parts.append("\r\n")
    return "".join(parts).encode(encoding)


def request_head(request: httpx.Request) -> bytes:
    """The head of an `httpx.Request`, whose headers (Host first) httpx has already put
    together as bytes: read and written back as Latin-1, so every byte stays as it was."""
    headers = [
        (name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw
    ]
    target = request.url.raw_path.decode("latin-1")
    return message_head(
        request.method, target, headers, len(request.content), None, "latin-1", request
    )


@dataclass(slots=True)
class Exchange:
    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    keep_alive: bool


class HttpConnection(asyncio.Protocol):
    """httptools calls the `on_*` methods while it parses; each exchange gets a fresh parser."""

    def __init__(self, max_answer_bytes: int) -> None:
        self.max_answer_bytes = max_answer_bytes
        self.idle_since = 0.0
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[Exchange] | None = None
        self._last_data = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._broken = False
        self._begin("", None)

    @property
    def usable(self) -> bool:
        transport = self._transport
        return not self._broken and transport is not None and not transport.is_closing()

    async def exchange(
        self,
        method: str,
        head: bytes,
        body: bytes,
        read_timeout: float | None,
        request: httpx.Request | None,
    ) -> Exchange:
        transport = self._transport
        if transport is None or not self.usable:
            raise httpx.RemoteProtocolError("connection closed", request=request)
        loop = asyncio.get_running_loop()
        self._begin(method, request)
        waiter: asyncio.Future[Exchange] = loop.create_future()
        self._waiter = waiter
        transport.write(head + body)
        if read_timeout is not None:
            self._last_data = loop.time()
            self._timer = loop.call_later(read_timeout, self._check_idle, read_timeout)
        try:
            return await waiter
        finally:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._waiter = None

    def _begin(self, method: str, request: httpx.Request | None) -> None:
        """A fresh parser and an empty answer for the next exchange. `request`, when the call
        came as one, is named in the errors, as httpx's transports name it."""
        self._request = request
        self._head_only = method == "HEAD"
        self._parser = httptools.HttpResponseParser(self)
        self._body: list[bytes] = []
        self._body_bytes = 0
        self.answered_any = False
        self._new_head()

    def _new_head(self) -> None:
        """No status line or headers yet: before an answer, and after an interim one."""
        self._reason = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._head_bytes = 0
        self._framed = False
        self._headers_done = False

    def close(self) -> None:
        self._broken = True
        if self._transport is not None:
            self._transport.close()

    def _fail(self, error: httpx.TransportError) -> None:
        self._broken = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        if self._transport is not None:
            self._transport.abort()

    def _check_idle(self, read_timeout: float) -> None:
        loop = asyncio.get_running_loop()
        quiet = loop.time() - self._last_data
        if quiet >= read_timeout * 0.999:
            self._fail(
                httpx.ReadTimeout("no answer within the read timeout", request=self._request)
            )
        else:
            self._timer = loop.call_later(read_timeout - quiet, self._check_idle, read_timeout)

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self._waiter.done():
            # Bytes nobody asked for: the socket cannot be trusted with the next exchange.
            self._broken = True
            return
        self.answered_any = True
        self._last_data = asyncio.get_running_loop().time()
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail(httpx.RemoteProtocolError("not an HTTP answer", request=self._request))

    def eof_received(self) -> bool | None:
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._broken = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        request = self._request
        if self._headers_done and not self._framed:
            # No length and no chunks: the body is all that came before the end of the connection.
            self._complete(keep_alive=False)
        elif self._headers_done:
            waiter.set_exception(httpx.ReadError("connection closed mid-answer", request=request))
        elif self.answered_any:
            waiter.set_exception(
                httpx.RemoteProtocolError("connection closed mid-headers", request=request)
            )
        else:
            waiter.set_exception(
                httpx.RemoteProtocolError("disconnected without answering", request=request)
            )

    # httptools callbacks

    def on_message_begin(self) -> None:
        if self._waiter is None or self._waiter.done():
            self._broken = True  # a second answer to one request: pipelined or forged

    def on_status(self, reason: bytes) -> None:
        self._reason += reason

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value)
        if self._head_bytes > MAX_HEAD_BYTES:
            self._fail(httpx.RemoteProtocolError("answer headers too large", request=self._request))
            return
        if name.lower() in FRAMING_BYTES:
            self._framed = True
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._headers_done = True
        if self._head_only:
            # An answer to HEAD has no body, whatever its length says; the parser cannot be told
            # so, hence the socket is not reused after it.
            self._complete(keep_alive=False)
            self._broken = True

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self._body_bytes > self.max_answer_bytes:
            self._fail(httpx.RemoteProtocolError("answer too large", request=self._request))
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:
            # An interim answer (100 Continue, 103 Early Hints): the real one follows.
            self._new_head()
            return
        self._complete(keep_alive=self._parser.should_keep_alive())

    def _complete(self, keep_alive: bool) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        waiter.set_result(
            Exchange(
                self._parser.get_status_code(),
                self._reason,
                self._headers,
                b"".join(self._body),
                keep_alive and not self._broken,
            )
        )
        self._headers = []
        self._body = []
