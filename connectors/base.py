"""What every connector shares: one httpx client per backend, a cap on requests in flight that
holds whatever the client load, and the one place transport failures become project errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

import httpx

from gateway.errors import (
    BackendContractError,
    BackendError,
    BackendStatusError,
    BackendTimeoutError,
    BackendUnavailableError,
    ContractError,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BackendSettings:
    base_url: str
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 10.0
    max_in_flight: int = 10
    max_connections: int = 20


def make_client(
    settings: BackendSettings, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    timeout = httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s)
    limits = httpx.Limits(
        max_connections=settings.max_connections, max_keepalive_connections=settings.max_connections
    )
    return httpx.AsyncClient(
        base_url=settings.base_url, timeout=timeout, limits=limits, transport=transport
    )


class Backend:
    """A legacy system's HTTP client with its in-flight cap and error mapping."""

    def __init__(
        self,
        name: str,
        settings: BackendSettings,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.http = make_client(settings, transport)
        self._in_flight = asyncio.Semaphore(settings.max_in_flight)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def send(self, operation: str, request: httpx.Request) -> httpx.Response:
        """Send under the in-flight cap; transport failures become backend errors."""
        async with self._in_flight, self.mapping_errors(operation):
            return await self.http.send(request)

    @asynccontextmanager
    async def mapping_errors(self, operation: str) -> AsyncIterator[None]:
        try:
            yield
        except BackendError:
            raise
        except httpx.TimeoutException as error:
            raise BackendTimeoutError(self.name, operation, type(error).__name__) from None
        except httpx.TransportError as error:
            raise BackendUnavailableError(self.name, operation, type(error).__name__) from None
        except ContractError as error:
            raise BackendContractError(self.name, operation, str(error)) from None
        except (ValueError, KeyError, TypeError) as error:
            # Parsing failures (bad JSON, bad XML, a missing field) are the backend's fault.
            raise BackendContractError(self.name, operation, type(error).__name__) from None


UNAVAILABLE_STATUSES = (502, 503, 504)


def status_error(backend: str, operation: str, status: int) -> BackendError:
    """An HTTP status the system should not have sent: a gateway or proxy saying the system is
    down is 'unavailable', anything else a status error."""
    kind = BackendUnavailableError if status in UNAVAILABLE_STATUSES else BackendStatusError
    return kind(backend, operation, f"HTTP {status}")


class SingleFlight:
    """At most one refresh of a credential at a time; concurrent callers share its result."""

    def __init__(self) -> None:
        self._task: asyncio.Future[str] | None = None

    async def run(self, fetch: Callable[[], Awaitable[str]]) -> str:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(fetch())
        return await asyncio.shield(self._task)


def chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
