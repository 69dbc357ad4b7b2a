"""An in-process httpx transport to a mock that keeps httpx's timeouts, as a socket would:
httpx's own ASGI transport ignores them, so a slow mock would never time out in tests."""

from __future__ import annotations

import asyncio

import httpx
from starlette.types import ASGIApp


class InProcessTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        read = timeouts.get("read")
        try:
            response = await asyncio.wait_for(self._inner.handle_async_request(request), read)
        except TimeoutError:
            raise httpx.ReadTimeout("no answer in time", request=request) from None
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
