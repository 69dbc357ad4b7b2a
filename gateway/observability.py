"""What operators see: Prometheus metrics (all named `govgraph_…`), one JSON log line per
request, and optional OpenTelemetry spans. Nothing personal reaches any of them: labels are
operation names, backends, codes and caches; the log line carries no variables or values."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import Counter as Tally
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

if TYPE_CHECKING:
    from gateway.backends.wiring import Backends

access_log = logging.getLogger("govgraph.access")
BREAKER_VALUES = {"closed": 0, "half_open": 1, "open": 2}


@dataclass
class RequestStats:
    backend_calls: Tally[str] = field(default_factory=Tally)
    cache_hits: int = 0


_STATS: ContextVar[RequestStats | None] = ContextVar("govgraph_request_stats", default=None)


@contextmanager
def request_stats() -> Iterator[RequestStats]:
    stats = RequestStats()
    token = _STATS.set(stats)
    try:
        yield stats
    finally:
        _STATS.reset(token)


# Operation names are the callers' to choose: past this many a worker counts the rest as
# "other", so that a client sending a new name each request cannot grow the series without end.
MAX_OPERATION_LABELS = 200


class Metrics:
    """The gateway's metrics; also the connectors' `BackendObserver`."""

    def __init__(self, tracer: Any = None) -> None:
        self.registry = CollectorRegistry()
        self.tracer = tracer
        self._operations: set[str] = set()
        r = self.registry
        self.requests = Counter(
            "govgraph_requests",
            "GraphQL requests by operation and outcome",
            ["operation", "outcome"],
            registry=r,
        )
        self.request_latency = Histogram(
            "govgraph_request_duration_seconds",
            "GraphQL request latency",
            ["operation"],
            registry=r,
        )
        self.backend_requests = Counter(
            "govgraph_backend_requests",
            "Calls to legacy systems",
            ["backend", "operation", "status"],
            registry=r,
        )
        self.backend_latency = Histogram(
            "govgraph_backend_latency_seconds",
            "Latency of calls to legacy systems",
            ["backend", "operation"],
            registry=r,
        )
        self.backend_errors = Counter(
            "govgraph_backend_errors",
            "Errors from legacy systems by code",
            ["backend", "code"],
            registry=r,
        )
        self.backend_retries = Counter(
            "govgraph_backend_retries", "Retries sent to legacy systems", ["backend"], registry=r
        )
        self.loader_batch = Histogram(
            "govgraph_loader_batch_size",
            "Keys per DataLoader batch",
            ["loader"],
            buckets=(1, 2, 5, 10, 20, 50, 100, 200),
            registry=r,
        )
        self.rejections = Counter(
            "govgraph_rejections",
            "Requests or fields refused, by kind and code",
            ["kind", "code"],
            registry=r,
        )
        self.identifier_lookups = Counter(
            "govgraph_identifier_lookups",
            "Look-ups by ID number or phone from roles that see them masked: hit, miss, refused",
            ["role", "outcome"],
            registry=r,
        )
        self.cors_refused = Counter(
            "govgraph_cors_refused",
            "Requests from another origin that CORS does not allow",
            registry=r,
        )
        self.state_fallbacks = Counter(
            "govgraph_state_fallbacks",
            "Times the shared state store failed and a worker's own state stood in",
            ["what"],
            registry=r,
        )
        self.audit_write_failures = Counter(
            "govgraph_audit_write_failures",
            "Writes of the audit trail that failed (answers withheld: 503 AUDIT_UNAVAILABLE)",
            registry=r,
        )
        self._backends: Backends | None = None
        self._call_children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}
        r.register(_StateCollector(self))

    def state_fallback(self, what: str) -> None:
        self.state_fallbacks.labels(what).inc()

    def watch(self, backends: Backends) -> None:
        self._backends = backends
        for connector in backends.connectors.values():
            connector.backend.observer = self

    # -- BackendObserver --------------------------------------------------------------
    def call_started(self, backend: str) -> None:
        stats = _STATS.get()
        if stats is not None:
            stats.backend_calls[backend] += 1

    def call_finished(self, backend: str, operation: str, outcome: str, seconds: float) -> None:
        key = (backend, operation, outcome)
        children = self._call_children.get(key)
        if children is None:
            # A dashboard makes 120 calls: each label lookup checked and joined its labels.
            # The set is bounded (systems × operations × statuses and transport errors).
            children = self._call_children[key] = (
                self.backend_requests.labels(backend, operation, outcome),
                self.backend_latency.labels(backend, operation),
            )
        children[0].inc()
        children[1].observe(seconds)

    def retried(self, backend: str) -> None:
        self.backend_retries.labels(backend).inc()

    def span(
        self, name: str, attributes: dict[str, str], carrier: dict[str, str] | None = None
    ) -> AbstractContextManager[object]:
        """A span; with `carrier` (a request's W3C `traceparent`, say, from a router or a
        client) it continues the caller's trace instead of starting one."""
        if self.tracer is None:
            return nullcontext()
        parent = None
        if carrier:
            from opentelemetry.propagate import extract

            parent = extract(carrier)
        result: AbstractContextManager[object] = self.tracer.start_as_current_span(
            name, context=parent, attributes=attributes
        )
        return result

    # -- the gateway's own events -------------------------------------------------------
    def loader_batch_size(self, loader: str, size: int) -> None:
        self.loader_batch.labels(loader).observe(size)

    def request_done(
        self, operation: str, outcome: str, seconds: float, errors: list[dict[str, Any]]
    ) -> None:
        if operation not in self._operations:
            if len(self._operations) >= MAX_OPERATION_LABELS:
                operation = "other"
            else:
                self._operations.add(operation)
        self.requests.labels(operation, outcome).inc()
        self.request_latency.labels(operation).observe(seconds)
        for extensions in errors:
            code = str(extensions.get("code", ""))
            if code.startswith("BACKEND_"):
                self.backend_errors.labels(str(extensions.get("backend", "unknown")), code).inc()
            elif code in ("FORBIDDEN",):
                self.rejections.labels("authorization", code).inc()
            elif code.endswith("_LIMIT"):
                self.rejections.labels("limit", code).inc()

    def refused(self, status: int, code: str) -> None:
        kind = "authentication" if status == 401 else ("rate" if status == 429 else "request")
        self.rejections.labels(kind, code).inc()

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # Several worker processes: add up what each wrote (prometheus-client multiprocess mode).
            # Breakers, calls in flight and caches are read from the answering worker, by its pid.
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            registry.register(_StateCollector(self, worker=str(os.getpid())))
            return generate_latest(registry)
        return generate_latest(self.registry)


class _StateCollector:
    """Read at scrape time: breakers, in-flight calls and caches."""

    def __init__(self, metrics: Metrics, worker: str | None = None) -> None:
        self.metrics = metrics
        self.worker = [worker] if worker else []
        self.labels = ["worker"] if worker else []

    def _family(self, name: str, help_text: str, label: str) -> GaugeMetricFamily:
        return GaugeMetricFamily(name, help_text, labels=[label, *self.labels])

    def collect(self) -> Iterator[GaugeMetricFamily]:
        backends = self.metrics._backends
        if backends is None:
            return
        breaker = self._family(
            "govgraph_breaker_state", "Circuit breaker: 0 closed, 1 half-open, 2 open", "backend"
        )
        in_flight = self._family(
            "govgraph_backend_in_flight", "Calls in flight to each legacy system", "backend"
        )
        for connector in backends.connectors.values():
            backend = connector.backend
            value = BREAKER_VALUES[backend.breaker.state.value]
            breaker.add_metric([backend.name, *self.worker], value)
            in_flight.add_metric([backend.name, *self.worker], backend.in_flight)
        yield breaker
        yield in_flight
        families = {
            name: self._family(f"govgraph_cache_{name}", help_text, "cache")
            for name, help_text in (
                ("hits", "Reference-cache hits (counted since start)"),
                ("misses", "Reference-cache misses (counted since start)"),
                ("evictions", "Entries evicted from a full reference cache"),
                ("stale_served", "Values served past their TTL while the backend was down"),
                ("refreshes", "Entries loaded again in the background before their TTL"),
                ("refresh_failures", "Background loads that failed (the entry kept to its TTL)"),
                ("size", "Entries in each reference cache"),
            )
        }
        for cache in backends.caches():
            labels = [cache.name, *self.worker]
            families["hits"].add_metric(labels, cache.hits)
            families["misses"].add_metric(labels, cache.misses)
            families["evictions"].add_metric(labels, cache.evictions)
            families["stale_served"].add_metric(labels, cache.stale_served)
            families["refreshes"].add_metric(labels, cache.refreshes)
            families["refresh_failures"].add_metric(labels, cache.refresh_failures)
            families["size"].add_metric(labels, len(cache))
        yield from families.values()


class AccessLines(logging.StreamHandler[TextIO]):
    """The access log's lines on stdout."""


def log_access_to_stdout() -> None:
    """One JSON line per request on stdout (govgraph.access); warnings of other loggers too.
    Called again in the same process, it replaces its handler: two would write every line
    twice, and one left on a stream since closed reports an error for every line."""
    for earlier in [h for h in access_log.handlers if isinstance(h, AccessLines)]:
        access_log.removeHandler(earlier)
    handler = AccessLines(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.setLevel(logging.INFO)
    access_log.addHandler(handler)
    access_log.propagate = False
    logging.basicConfig(level=logging.WARNING)


def log_request(record: dict[str, Any]) -> None:
    if access_log.isEnabledFor(logging.INFO):
        access_log.info(orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode())


def make_tracer(endpoint: str, provider: Any = None, service: str = "govgraph") -> Any:
    """An OpenTelemetry tracer when tracing is configured (the `tracing` extra), else None;
    its spans name `service` (a subgraph's is `govgraph-<subgraph>`)."""
    if provider is None and not endpoint:
        return None
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if provider is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource

        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider.get_tracer("govgraph")


def now() -> float:
    return time.perf_counter()
