"""The socket transport under every connector's httpx client: aiohttp, through httpx-aiohttp.

httpcore's pool costs more CPU than the gateway's own work on a fan-out of a hundred small legacy
calls (each request checks every pooled socket); aiohttp's pool does not. The library maps a
dropped connection to `ConnectTimeout`, which would hide that a write may have reached the
system, and lets some aiohttp errors through unmapped: here every failure becomes the httpx error
that says what happened, and the body is read whole before the response is handed on.
"""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport


def _precise(error: BaseException, request: httpx.Request) -> httpx.TransportError:
    cause = error.__cause__ if isinstance(error, httpx.TransportError) else error
    name = type(cause or error).__name__
    if isinstance(cause, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(name, request=request)
    if isinstance(cause, aiohttp.ServerTimeoutError | asyncio.TimeoutError):
        return httpx.ReadTimeout(name, request=request)
    if isinstance(cause, aiohttp.ClientConnectorError):
        return httpx.ConnectError(name, request=request)
    if isinstance(cause, aiohttp.ClientPayloadError):
        return httpx.ReadError(name, request=request)
    if isinstance(cause, aiohttp.ClientError | OSError):
        return httpx.RemoteProtocolError(name, request=request)
    if isinstance(error, httpx.TransportError):
        return error
    return httpx.RemoteProtocolError(name, request=request)


class LegacyTransport(httpx.AsyncBaseTransport):
    def __init__(self, max_connections: int, keepalive_expiry_s: float = 5.0) -> None:
        self._inner = AiohttpTransport(
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
                keepalive_expiry=keepalive_expiry_s,
            ),
            trust_env=False,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response: httpx.Response | None = None
        try:
            response = await self._inner.handle_async_request(request)
            await response.aread()
        except (TimeoutError, httpx.TransportError, aiohttp.ClientError, OSError) as error:
            if response is not None:
                with contextlib.suppress(Exception):
                    await response.aclose()
            raise _precise(error, request) from None
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
