"""One HTTP/1.1 socket to a legacy system: a request written whole, its answer parsed by httptools
as it arrives, one exchange at a time. The pool around it is `transport.LegacyTransport`."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import cast

import httptools
import httpx

Origin = tuple[str, str, int]
MAX_HEAD_BYTES = 64 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
FRAMING = frozenset({b"content-length", b"transfer-encoding"})
TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
NOT_IN_A_VALUE = re.compile(rb"[\r\n\x00]")


def request_head(request: httpx.Request) -> bytes:
    """The request line and headers. The body's length is always stated by us: the body is sent
    whole, so a header a streamed body brought (chunked) would be false. A header that could
    split the message (a line break in a value, a name that is not a token) is refused."""
    body_length = len(request.content)
    parts = [request.method.encode("ascii"), b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        if TOKEN.fullmatch(name) is None or NOT_IN_A_VALUE.search(value) is not None:
            raise httpx.LocalProtocolError("a header that is not HTTP", request=request)
        if name.lower() in FRAMING:
            continue
        parts += (name, b": ", value, b"\r\n")
    if body_length or request.method in BODY_METHODS:
        parts.append(b"Content-Length: %d\r\n" % body_length)
    parts.append(b"\r\n")
    return b"".join(parts)


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
        if name.lower() in FRAMING:
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
