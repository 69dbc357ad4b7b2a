"""What a connector tells an observer about its calls (for metrics, logs and traces), and the
request id it forwards to the legacy systems. Connectors know nothing of Prometheus or
OpenTelemetry; the gateway plugs them in."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from typing import Protocol

REQUEST_ID: ContextVar[str | None] = ContextVar("govgraph_request_id", default=None)


class BackendObserver(Protocol):
    def call_started(self, backend: str) -> None: ...

    def call_finished(self, backend: str, operation: str, outcome: str, seconds: float) -> None:
        """`outcome` is the HTTP status, or the transport failure's name."""

    def retried(self, backend: str) -> None: ...

    def span(self, name: str, attributes: dict[str, str]) -> AbstractContextManager[object]: ...


class NoObserver:
    def call_started(self, backend: str) -> None:
        return None

    def call_finished(self, backend: str, operation: str, outcome: str, seconds: float) -> None:
        return None

    def retried(self, backend: str) -> None:
        return None

    def span(self, name: str, attributes: dict[str, str]) -> AbstractContextManager[object]:
        return nullcontext()
