"""The socket transport under every connector's httpx client: HTTP/1.1 over a pool of kept-alive
sockets, parsed by httptools (llhttp, the parser of Node and of uvicorn).

Why not a general client: a dashboard makes 120 small legacy calls, and aiohttp's client cost
150 µs of CPU a call on this machine, httpcore's more; this transport cost about 107 µs with
httpx's request and response (its own part about 40), and the connectors now give it their own
`Call` and take an `Answer` (`calls.py`), since a legacy call needs none of what the general
clients carry (cookies, redirects, proxies, streaming uploads, HTTP/2). Other code may still use
it as an httpx transport. What it does need it keeps: a cap on open sockets, a wait for a place
bounded by the pool timeout, connect and read timeouts (the read one an idle timer, as httpx's),
bodies framed by length, by chunks or by the end of the connection, gzip decoded once (by httpx's
response), and every failure raised as the httpx error that says what happened, so a dropped
connection is never taken for one that was not made. A socket is reused only when the answer came
whole and the server allowed it, and a reused socket that the server closed before answering is
tried once more on a fresh one only for methods that are idempotent in HTTP.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque

import httpx

from .calls import Answer, Call
from .wire import Exchange, HttpConnection, Origin, request_head

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# A kept socket is let go before the server would close it: Apache and uvicorn close an idle
# one after 5 s, and a write sent just as the server closes has an unknown outcome.
KEEPALIVE_EXPIRY_S = 4.0
MAX_ANSWER_BYTES = 64 * 1024 * 1024


def trusting(ca_file: str) -> ssl.SSLContext | None:
    """The TLS context that trusts the certificates in `ca_file` (PEM); None for the default."""
    return ssl.create_default_context(cafile=ca_file) if ca_file else None


class LegacyTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        max_connections: int,
        keepalive_expiry_s: float = KEEPALIVE_EXPIRY_S,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.max_connections = max_connections
        self.keepalive_expiry_s = keepalive_expiry_s
        self.max_answer_bytes = max_answer_bytes
        self._places = asyncio.Semaphore(max_connections)
        self._idle: dict[Origin, deque[HttpConnection]] = {}
        self._open: set[HttpConnection] = set()
        # Whom to trust over HTTPS: by default the public roots (certifi), as httpx trusts.
        self._tls = tls
        self.opened = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        try:
            body = request.content
        except httpx.RequestNotRead:
            body = await request.aread()
        head = request_head(request)
        answer = await self._exchange(request.method, request.url, head, body, timeout, request)
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            content=answer.body,
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": answer.reason},
        )

    async def answer(self, call: Call) -> Answer:
        """The connectors' own path: a `Call` in, an `Answer` out, with no httpx request or
        response between. A body with a content coding is decoded by httpx's response, so every
        coding httpx knows is decoded alike on both paths."""
        head = call.head()
        exchange = await self._exchange(
            call.method, call.url, head, call.content, call.timeouts, None
        )
        answer = Answer(exchange.status, exchange.body, exchange.headers)
        if answer.header("content-encoding") is None:
            return answer
        response = httpx.Response(exchange.status, headers=exchange.headers, content=exchange.body)
        return Answer.of(response)

    async def _take_place(self, pool_timeout: float | None, request: httpx.Request | None) -> None:
        if not self._places.locked():
            await self._places.acquire()
            return
        try:
            async with asyncio.timeout(pool_timeout):
                await self._places.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection", request=request) from None

    async def _exchange(
        self,
        method: str,
        url: httpx.URL,
        head: bytes,
        body: bytes,
        timeouts: dict[str, float | None],
        request: httpx.Request | None,
    ) -> Exchange:
        origin: Origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        await self._take_place(timeouts.get("pool"), request)
        try:
            while True:
                connection = self._idle_connection(origin)
                reused = connection is not None
                if connection is None:
                    connection = await self._connect(origin, timeouts.get("connect"), request)
                try:
                    answer = await connection.exchange(
                        method, head, body, timeouts.get("read"), request
                    )
                except httpx.RemoteProtocolError:
                    self._forget(connection)
                    unanswered = reused and not connection.answered_any
                    if unanswered and method in IDEMPOTENT_METHODS:
                        continue
                    raise
                except BaseException:
                    self._forget(connection)
                    raise
                if answer.keep_alive and connection.usable:
                    connection.idle_since = asyncio.get_running_loop().time()
                    self._idle.setdefault(origin, deque()).append(connection)
                else:
                    self._forget(connection)
                return answer
        finally:
            self._places.release()

    def _idle_connection(self, origin: Origin) -> HttpConnection | None:
        idle = self._idle.get(origin)
        if not idle:
            return None
        now = asyncio.get_running_loop().time()
        while idle:
            connection = idle.pop()
            if connection.usable and now - connection.idle_since < self.keepalive_expiry_s:
                return connection
            self._forget(connection)
        return None

    async def _connect(
        self, origin: Origin, connect_timeout: float | None, request: httpx.Request | None
    ) -> HttpConnection:
        self._make_room()
        scheme, host, port = origin
        tls = self._tls_context() if scheme == "https" else None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(connect_timeout):
                _, connection = await loop.create_connection(
                    lambda: HttpConnection(self.max_answer_bytes),
                    host,
                    port,
                    ssl=tls,
                    server_hostname=host if tls else None,
                )
        except TimeoutError:
            raise httpx.ConnectTimeout("connect timed out", request=request) from None
        except (OSError, ssl.SSLError) as error:
            raise httpx.ConnectError(type(error).__name__, request=request) from None
        self._open.add(connection)
        self.opened += 1
        return connection

    def _make_room(self) -> None:
        """Sockets idle for another origin give way, so no more than the cap are ever open."""
        if len(self._open) < self.max_connections:
            return
        for idle in self._idle.values():
            while idle and len(self._open) >= self.max_connections:
                self._forget(idle.popleft())

    def _forget(self, connection: HttpConnection) -> None:
        connection.close()
        self._open.discard(connection)

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = httpx.create_ssl_context(trust_env=False)
        return self._tls

    async def aclose(self) -> None:
        for connection in list(self._open):
            self._forget(connection)
        self._idle.clear()
