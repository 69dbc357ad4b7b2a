"""What every connector shares: one httpx client per backend, a cap on requests in flight that
holds whatever the client load, and the one place transport failures become project errors."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import httpx

from .calls import Answer, Call, form_encoded, json_body
from .errors import (
    BackendContractError,
    BackendError,
    BackendRateLimitedError,
    BackendStatusError,
    BackendTimeoutError,
    BackendUnavailableError,
    ContractError,
)
from .observe import REQUEST_ID, BackendObserver, NoObserver
from .resilience import CircuitBreaker, ResiliencePolicy, RetryBudget, backoff, remaining
from .transport import LegacyTransport, trusting

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BackendSettings:
    base_url: str
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 10.0
    max_in_flight: int = 10
    max_connections: int = 20
    policy: ResiliencePolicy = field(default_factory=ResiliencePolicy)
    ca_file: str = ""  # PEM certificates to trust over HTTPS; empty: the public roots


def make_client(
    settings: BackendSettings, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    timeout = httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s)
    return httpx.AsyncClient(
        base_url=settings.base_url,
        timeout=timeout,
        transport=transport
        or LegacyTransport(settings.max_connections, tls=trusting(settings.ca_file)),
    )


RETRYABLE_STATUSES = (429, 502, 503, 504)
URL_CACHE_SIZE = 256
Sleep = Callable[[float], Awaitable[None]]


class Slots(Protocol):
    """Places in flight shared with other processes (a global cap per backend); `acquire`
    returns a token for `release`."""

    async def acquire(self, backend: str) -> str: ...

    async def release(self, backend: str, token: str) -> None: ...


class Backend:
    """A legacy system's HTTP client: its in-flight cap, circuit breaker, retries within a
    budget for idempotent calls, the request deadline, and error mapping."""

    def __init__(
        self,
        name: str,
        settings: BackendSettings,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: ResiliencePolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.policy = policy or settings.policy
        self.http = make_client(settings, transport)
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.breaker = CircuitBreaker(
            self.policy.breaker_failures, self.policy.breaker_cooldown_s, clock
        )
        self.budget = RetryBudget(self.policy.retry_ratio, self.policy.retry_floor)
        self._in_flight = asyncio.Semaphore(settings.max_in_flight)
        self.in_flight = 0
        self.observer: BackendObserver = NoObserver()
        # Awaited before every attempt, first or retry: a system's pace (legal aid's budget)
        # counts every request it receives.
        self.before_attempt: Callable[[], Awaitable[None]] | None = None
        # Set when workers and replicas share one cap: a place there too, beside the local one.
        self.slots: Slots | None = None
        self._urls: dict[str, httpx.URL] = {}
        self._default_headers = {
            name.decode().lower(): (name.decode(), value.decode())
            for name, value in self.http.headers.raw
        }
        self._timeouts = self.http.timeout.as_dict()

    async def aclose(self) -> None:
        await self.http.aclose()

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
        content: bytes | None = None,
        json: object = None,
    ) -> Call:
        """The call `client.build_request` would describe, at a fraction of its CPU: the base
        URL is joined once per path, the client's default headers and timeouts are copied, not
        merged, and a form or JSON body is encoded here, once."""
        url = self._urls.get(path)
        if url is None:
            url = self.http._merge_url(path)
            if len(self._urls) < URL_CACHE_SIZE:
                self._urls[path] = url
        query = ""
        if params is not None:
            # As httpx writes them, without building the URL again: its parameters replace the
            # URL's own query, in urlencode's form, which leaves the URL's quoting nothing to do.
            query = form_encoded(params)
            if url.query:
                url = url.copy_with(query=None)
        merged = dict(self._default_headers)
        for name, value in (headers or {}).items():
            # As httpx merges: a header given replaces the default, in the order given.
            merged.pop(name.lower(), None)
            merged[name.lower()] = (name, value)
        if data is not None:
            content = form_encoded(data).encode("ascii")
            merged.setdefault("content-type", ("Content-Type", "application/x-www-form-urlencoded"))
        elif json is not None:
            content = json_body(json)
            merged.setdefault("content-type", ("Content-Type", "application/json"))
        return Call(method, url, merged, content or b"", self._timeouts, query)

    async def send(self, operation: str, call: Call, idempotent: bool = True) -> Answer:
        """Send under the in-flight cap and the breaker. Idempotent calls are retried on
        timeouts, connection failures, 429 and 502-504, while the retry budget lasts; writes
        are sent once. The last response is returned for the connector to judge."""
        self.budget.requested()
        attempt = 0
        while True:
            attempt += 1
            if not self.breaker.allow():
                raise BackendUnavailableError(self.name, operation, "circuit open", breaker="open")
            if self.before_attempt is not None:
                await self.before_attempt()
            self._apply_deadline(call, operation)
            request_id = REQUEST_ID.get()
            if request_id:
                call.headers["x-request-id"] = ("X-Request-ID", request_id)
            try:
                response = await self._observed_send(operation, call, attempt)
            except httpx.TransportError as error:
                self.breaker.failed()
                if idempotent and self._may_retry(attempt):
                    self.observer.retried(self.name)
                    await self.sleep(backoff(attempt, self.policy, self.rng))
                    continue
                raise self._transport_error(operation, error, idempotent) from None
            if response.status_code not in RETRYABLE_STATUSES:
                self.breaker.succeeded()
                if idempotent and self._in_flight.locked():
                    # This call's place went to one waiting for it: that call leaves first,
                    # and this answer is read on after it (a wave of calls through the cap
                    # otherwise waited, at each place, for the answer before it to be read).
                    await asyncio.sleep(0)
                return response
            if response.status_code != 429:
                self.breaker.failed()
            if not (idempotent and self._may_retry(attempt)):
                return response
            self.observer.retried(self.name)
            wait = self._wait(response, attempt)
            left = remaining(self.clock)
            await self.sleep(
                wait if left is None else max(0.0, min(wait, left - self.policy.base_backoff_s))
            )

    async def _observed_send(self, operation: str, call: Call, attempt: int) -> Answer:
        attributes = {"backend": self.name, "operation": operation, "attempt": str(attempt)}
        with self.observer.span(f"backend {self.name} {operation}", attributes):
            async with self._in_flight:
                token = await self.slots.acquire(self.name) if self.slots is not None else None
                self.in_flight += 1
                self.observer.call_started(self.name)
                started = time.perf_counter()
                outcome = "error"
                try:
                    response = await self._exchange(call)
                    outcome = str(response.status_code)
                    return response
                except httpx.TransportError as error:
                    outcome = type(error).__name__
                    raise
                finally:
                    self.in_flight -= 1
                    if token is not None and self.slots is not None:
                        await self.slots.release(self.name, token)
                    self.observer.call_finished(
                        self.name, operation, outcome, time.perf_counter() - started
                    )

    async def _exchange(self, call: Call) -> Answer:
        # Straight to the transport: the client's auth, redirect, cookie and hook machinery
        # (none of which a legacy system here uses) cost a fifth of each call's CPU. The client
        # still chooses the transport, so mounts and respx keep working; only our own transport
        # is given the call as it is.
        if self.http.is_closed:
            raise httpx.ConnectError("client closed")
        transport = self.http._transport_for_url(call.url)
        if isinstance(transport, LegacyTransport):
            return await transport.answer(call)
        response = await transport.handle_async_request(call.as_httpx())
        try:
            await response.aread()
        finally:
            await response.aclose()
        return Answer.of(response)

    def _apply_deadline(self, call: Call, operation: str) -> None:
        left = remaining(self.clock)
        if left is None:
            return
        if left <= 0:
            raise BackendTimeoutError(self.name, operation, "request deadline passed")
        # What httpx.Timeout(read, connect=...).as_dict() gives, without building one a call.
        read = min(self.settings.read_timeout_s, left)
        connect = min(self.settings.connect_timeout_s, left)
        call.timeouts = {"connect": connect, "read": read, "write": read, "pool": read}

    def _may_retry(self, attempt: int) -> bool:
        if attempt >= self.policy.max_attempts:
            return False
        left = remaining(self.clock)
        if left is not None and left <= self.policy.base_backoff_s:
            return False
        return self.budget.try_spend()

    def _wait(self, response: Answer, attempt: int) -> float:
        retry_after = response.header("retry-after")
        if retry_after is not None:
            try:
                return min(self.policy.max_retry_after_s, max(0.0, float(retry_after)))
            except ValueError:
                pass
        return backoff(attempt, self.policy, self.rng)

    def _transport_error(
        self, operation: str, error: httpx.TransportError, idempotent: bool
    ) -> BackendError:
        # A write that timed out after it was sent may have happened: its outcome is unknown.
        sent = not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
        outcome = {"outcome": "unknown"} if (sent and not idempotent) else {}
        if isinstance(error, httpx.TimeoutException):
            return BackendTimeoutError(self.name, operation, type(error).__name__, **outcome)
        return BackendUnavailableError(self.name, operation, type(error).__name__, **outcome)

    def mapping_errors(self, operation: str) -> ErrorMapping:
        """`with backend.mapping_errors(operation):` around reading an answer maps what goes
        wrong there to the project's errors."""
        return ErrorMapping(self.name, operation)


class ErrorMapping:
    """A plain context manager, not a generator's: it is entered once per legacy answer, and an
    `asynccontextmanager` cost an async generator, its first step and its close each time."""

    __slots__ = ("backend", "operation")

    def __init__(self, backend: str, operation: str) -> None:
        self.backend = backend
        self.operation = operation

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _trace: object
    ) -> None:
        if error is None or isinstance(error, BackendError):
            return
        name, operation = self.backend, self.operation
        if isinstance(error, httpx.TimeoutException):
            raise BackendTimeoutError(name, operation, type(error).__name__) from None
        if isinstance(error, httpx.TransportError):
            raise BackendUnavailableError(name, operation, type(error).__name__) from None
        if isinstance(error, ContractError):
            raise BackendContractError(name, operation, str(error)) from None
        if isinstance(error, ValueError | KeyError | TypeError):
            # Parsing failures (bad JSON, bad XML, a missing field) are the backend's fault.
            raise BackendContractError(name, operation, type(error).__name__) from None


UNAVAILABLE_STATUSES = (502, 503, 504)


def status_error(backend: str, operation: str, status: int) -> BackendError:
    """An HTTP status the system should not have sent: a gateway or proxy saying the system is
    down is 'unavailable', anything else a status error."""
    if status == 429:
        return BackendRateLimitedError(backend, operation, "HTTP 429")
    kind = BackendUnavailableError if status in UNAVAILABLE_STATUSES else BackendStatusError
    return kind(backend, operation, f"HTTP {status}")


def chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
