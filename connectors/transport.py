"""The socket transport under every connector's httpx client: aiohttp's pool, driven directly.

httpcore's pool costs more CPU than the gateway's own work on a fan-out of a hundred small legacy
calls (each request checks every pooled socket); aiohttp's pool does not. Its answers are read
whole here and handed to httpx as content: a streaming bridge (httpx-aiohttp) cost a quarter of
each call's transport CPU for bodies that are read whole anyway. Every failure becomes the httpx
error that says what happened, so a dropped connection is never taken for one that was not made.
"""

from __future__ import annotations

import asyncio

import aiohttp
import httpx


def _precise(error: BaseException, request: httpx.Request) -> httpx.TransportError:
    name = type(error).__name__
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(name, request=request)
    if isinstance(error, aiohttp.ServerTimeoutError | asyncio.TimeoutError):
        return httpx.ReadTimeout(name, request=request)
    if isinstance(error, aiohttp.ClientConnectorError):
        return httpx.ConnectError(name, request=request)
    if isinstance(error, aiohttp.ClientPayloadError):
        return httpx.ReadError(name, request=request)
    return httpx.RemoteProtocolError(name, request=request)


class LegacyTransport(httpx.AsyncBaseTransport):
    def __init__(self, max_connections: int, keepalive_expiry_s: float = 5.0) -> None:
        self.max_connections = max_connections
        self.keepalive_expiry_s = keepalive_expiry_s
        self._session: aiohttp.ClientSession | None = None

    def _opened(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self.max_connections,
                keepalive_timeout=self.keepalive_expiry_s,
                ssl=httpx.create_ssl_context(trust_env=False),
            )
            self._session = aiohttp.ClientSession(
                connector=connector, trust_env=False, auto_decompress=False
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._opened()
        timeout = request.extensions.get("timeout", {})
        try:
            body = request.content
        except httpx.RequestNotRead:
            body = await request.aread()
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                compress=False,
                timeout=aiohttp.ClientTimeout(
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                    connect=timeout.get("pool"),
                ),
            ) as answer:
                content = await answer.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise _precise(error, request) from None
        return httpx.Response(
            answer.status,
            headers=answer.raw_headers,
            content=content,
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
