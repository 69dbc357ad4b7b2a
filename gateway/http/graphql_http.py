"""GraphQL over HTTP (the GraphQL-over-HTTP draft), guarded: every check that can refuse a
request runs before any backend is called, cheapest first, each with a stable code.

Order: method and URL length → media types (415, 406) and CSRF → body size (413) → JSON and
parameters (400) → authentication (401) and purpose (403) → trusted documents → query length,
tokens and parse (400) → limits (depth, aliases, directives, repeated and root fields, cost) →
schema validation → rate limit and cost quota (429) → execution.

Status codes: `application/graphql-response+json` clients get 400 for any request error
(parse, validation, limits, variables); legacy `application/json` clients get 200 with errors
for the document-level ones, as the draft prescribes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import OperationType
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from connectors.errors import AuditUnavailableError, AuthError, GovGraphError
from connectors.observe import REQUEST_ID
from connectors.resilience import deadline
from gateway.access.audit import AUDIT_RETRY_AFTER_S, AuditLog, AuditRecord
from gateway.access.auth import Authenticator, Principal, Role
from gateway.access.enforcement import GatewayContext, operation_ends
from gateway.access.lookups import InMemoryMissBudget, MissBudget, RequestLookups
from gateway.access.redact import scrub
from gateway.access.scoped_writes import ScopedData
from gateway.backends.wiring import Backends
from gateway.http.checks import (
    TOO_MANY,
    DocumentRefused,
    RateRefused,
    parse_and_pick,
    within_limits_and_valid,
    within_rate,
)
from gateway.http.documents import Documents
from gateway.http.graphql import execute_checked, present, request_id_of, trace_context
from gateway.http.limits import Limits
from gateway.http.live_streams import LIVE_HOW, LiveStream, respond, stream_frames
from gateway.http.persisted import PersistedDocuments, PersistedQueryNotFoundError
from gateway.http.requests import (
    GRAPHQL_RESPONSE,
    JSON,
    Operation,
    RequestRefused,
    audit_record,
    errors_body,
    negotiate,
    read_operations,
)
from gateway.http.trusted import UntrustedDocumentError
from gateway.http.uploads import is_multipart, read_multipart, require_preflight
from gateway.http.write_keys import WriteKeys
from gateway.observability import Metrics, log_request, request_stats
from gateway.settings import Settings
from gateway.state.caches import noting_stale
from gateway.state.idempotency import IdempotencyStore
from gateway.state.ratelimit import RateLimiter
from gateway.state.shared import SharedState

if TYPE_CHECKING:
    from gateway.http.live import LiveView


class GraphQLHTTP:
    def __init__(
        self,
        schema: strawberry.Schema,
        backends: Backends,
        settings: Settings,
        clock: Callable[[], datetime],
        audit: AuditLog,
        authenticator: Authenticator,
        persisted: PersistedDocuments,
        idempotency: IdempotencyStore,
        metrics: Metrics,
        miss_budget: MissBudget | None = None,
        shared: SharedState | None = None,
    ) -> None:
        self.schema = schema
        self.backends = backends
        self.settings = settings
        self.clock = clock
        self.audit = audit
        self.authenticator = authenticator
        self.persisted = persisted
        self.idempotency = idempotency
        self.keys = WriteKeys(idempotency, clock, audit.pseudonym)
        self.metrics = metrics
        self.miss_budget = miss_budget or InMemoryMissBudget(
            settings.identifier_miss_budget, settings.identifier_miss_window_s
        )
        self.limits = Limits.of(settings)
        self.rate = RateLimiter.of(settings, shared, metrics.state_fallback)
        self.documents = Documents(schema, settings)
        self.purpose_header = settings.purpose_header.lower().encode("latin-1")
        self.live: LiveView | None = None  # the app's: streams take the sockets' places

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_of(scope)
        token = REQUEST_ID.set(request_id)  # forwarded to every legacy system called
        started = time.perf_counter()
        # holds the request's data, to be freed after the answer leaves rather than before it
        kept: list[object] = []
        try:
            with (
                request_stats() as stats,
                self.metrics.span(
                    "graphql request", {"request_id": request_id}, trace_context(scope)
                ),
            ):
                status, payload, media, names, headers = await self._handle(
                    Request(scope, receive), request_id, kept
                )
        finally:
            REQUEST_ID.reset(token)
        seconds = time.perf_counter() - started
        bodies = [] if isinstance(payload, LiveStream) else payload
        bodies = bodies if isinstance(bodies, list) else [bodies]
        extensions = [e.get("extensions", {}) for b in bodies for e in b.get("errors", [])]
        codes = [str(x.get("code", "")) for x in extensions]
        operation = ",".join(names) or "-"
        if status >= 400 and len(codes) == 1 and not names:
            self.metrics.refused(status, codes[0])
        outcome = "refused" if status >= 400 else ("partial" if codes else "ok")
        headers = {"X-Request-ID": request_id, **headers}
        try:
            status = await respond(self, status, payload, media, headers, scope, receive, send)
        finally:
            # Once the answer is on its way: the metrics and the access line are for operators,
            # and need not hold up the caller (0.1-0.2 ms a request).
            self.metrics.request_done(operation, outcome, seconds, extensions)
            log_request(
                {
                    "request_id": request_id,
                    "operation": operation,
                    "status": status,
                    "outcome": outcome,
                    "duration_ms": round(seconds * 1000, 1),
                    "backends": dict(stats.backend_calls),
                    "error_codes": sorted(set(codes)),
                }
            )

    async def _handle(
        self, request: Request, request_id: str, kept: list[object]
    ) -> tuple[int, Any, str, list[str], dict[str, str]]:
        media = JSON
        names: list[str] = []
        try:
            media = negotiate(request.headers.get("accept"))
            if is_multipart(request):
                # Files are read and decoded only for a caller with a token.
                require_preflight(request)
                principal = await self._authenticate(request, request_id)
                if principal.role is Role.PUBLIC:
                    raise RequestRefused(
                        401, "UNAUTHENTICATED", "上传须登录 / uploads need a token"
                    )
                operations, batched = [await read_multipart(request, self.settings)], False
            else:
                operations, batched = await read_operations(request, self.settings)
                principal = await self._authenticate(request, request_id)
            purpose = dict(request.scope["headers"]).get(self.purpose_header, b"")
            record = await audit_record(self.audit, principal, purpose, request_id)
            # One HTTP request, batched or not, makes at most one look-up by a personal value.
            lookups = RequestLookups(
                principal.subject or f"client:{principal.client}",
                self.miss_budget,
                lambda outcome: self._lookup_done(principal, record, outcome),
            )
            results = [
                await self._run(op, request, principal, record, lookups, media, batched, kept)
                for op in operations
            ]
            names = [
                scrub(op.resolved_name or op.operation_name or "anonymous") for op in operations
            ]
        except RequestRefused as refusal:
            body = errors_body(refusal.code, refusal.message)
            return refusal.status, body, media, [], refusal.headers
        except AuditUnavailableError as error:
            # Fail closed: what needed a line on record is not given without one.
            body = errors_body(error.code, error.message)
            return 503, body, media, [], {"Retry-After": AUDIT_RETRY_AFTER_S}
        status = max(status for status, _ in results)
        payload: Any = [body for _, body in results] if batched else results[0][1]
        return status, payload, media, names, {}

    # -- reading -----------------------------------------------------------------------------
    async def _authenticate(self, request: Request, request_id: str) -> Principal:
        client = request.client.host if request.client else ""
        try:
            return self.authenticator.authenticate(request.headers.get("authorization"), client)
        except AuthError as error:
            await self.audit.commit(
                {
                    "request_id": request_id,
                    "client": client,
                    "outcome": "unauthenticated",
                    "reason": error.message,
                }
            )
            raise RequestRefused(
                401,
                error.code,
                error.message,
                {"WWW-Authenticate": 'Bearer realm="govgraph", error="invalid_token"'},
            ) from None

    def scoped_data(
        self, principal: Principal, lookups: RequestLookups | None, record: AuditRecord | None
    ) -> ScopedData:
        """One request's data, seen through the caller's scope (an HTTP request or a live event)."""
        return ScopedData(self.backends, self.settings, self.clock).bind(principal, lookups, record)

    # -- one operation ---------------------------------------------------------------------
    async def _run(
        self,
        op: Operation,
        request: Request,
        principal: Principal,
        record: AuditRecord,
        lookups: RequestLookups,
        media: str,
        batched: bool,
        kept: list[object],
    ) -> tuple[int, dict[str, Any] | LiveStream]:
        method = request.method
        document_error = 400 if media == GRAPHQL_RESPONSE else 200
        try:
            query, register = await self.persisted.resolve(
                op.query, op.extensions, op.document_id, RateLimiter.client_key(principal)
            )
        except UntrustedDocumentError as error:
            raise RequestRefused(403, error.code, error.message) from None
        except PersistedQueryNotFoundError as error:
            return document_error, errors_body(error.code, error.message)
        except GovGraphError as error:
            raise RequestRefused(400, error.code, error.message) from None
        if len(query) > self.settings.max_query_chars:
            return document_error, errors_body(
                "QUERY_TOO_LONG", "查询文本过长 / query text too long"
            )
        try:
            picked = parse_and_pick(self.documents, query, op.operation_name, op.variables)
            operation = picked.operation
            op.resolved_name = operation.name.value if operation.name else None
            subscription = operation.operation == OperationType.SUBSCRIPTION
            frames = stream_frames(request.headers.get("accept")) if subscription else None
            if subscription and (frames is None or self.live is None or batched):
                return document_error, errors_body("SUBSCRIPTIONS_OVER_WEBSOCKET", LIVE_HOW)
            if method == "GET" and operation.operation == OperationType.MUTATION:
                raise RequestRefused(
                    405,
                    "METHOD_NOT_ALLOWED",
                    "修改操作须用 POST / mutations need POST",
                    {"Allow": "POST"},
                )
            analysis = within_limits_and_valid(
                self.documents, self.limits, query, picked, op.operation_name, op.variables
            )
        except DocumentRefused as refused:
            return document_error, refused.body
        if register is not None:  # parsed, within limits and valid: now it may be registered
            await self.persisted.register(RateLimiter.client_key(principal), register, query)
        try:
            await within_rate(self.rate, self.limits, principal, analysis.cost)
        except DocumentRefused as refused:  # dearer than a minute's cost: no wait lets it in
            return document_error, refused.body
        except RateRefused as refused:
            retry = {"Retry-After": str(refused.wait)}
            raise RequestRefused(429, "RATE_LIMITED", TOO_MANY, retry) from None
        if frames is not None:
            after = request.headers.get("last-event-id")  # an EventSource coming back
            return 200, LiveStream(
                frames, principal, picked, query, op.variables, op.operation_name, after
            )
        idempotency: tuple[str, str] | None = None
        reconcile_since = None
        if operation.operation == OperationType.MUTATION:
            idempotency, reconcile_since, replay = await self.keys.claim(
                request, principal, query, op, record
            )
            if replay is not None:
                await self.audit.record(record, "replayed")
                return replay
        data = self.scoped_data(principal, lookups, record)
        data.reconcile_since = reconcile_since
        data.write_key = ":".join(idempotency) if idempotency is not None else None
        context = GatewayContext(
            data=data,
            page_size_cap=self.settings.page_size_cap,
            principal=principal,
            audit=self.audit,
            record=record,
            document=picked.document,
        )
        kept.append(context)
        with deadline(self.settings.request_deadline_s), noting_stale() as stale:
            result = await execute_checked(
                self.schema, context, query, op.variables, op.operation_name
            )
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            # Nothing ran (variables that fail to coerce): a request error, without the values.
            await operation_ends(context, op.operation_name, picked.document, result.errors)
            return document_error, {
                "errors": [Documents.request_error(e, operation) for e in result.errors]
            }
        errors: list[dict[str, Any]] = [dict(present(e).formatted) for e in result.errors or []]
        body: dict[str, Any] = {"data": result.data}
        if errors:
            body["errors"] = errors
        if stale:
            # Reference data served past its TTL because its system is down.
            body["extensions"] = {"stale": sorted(stale)}
        if idempotency is not None:
            await self.keys.settle(idempotency, errors, body, record)
        # On record before the answer leaves. A write's key is settled first: if the line cannot
        # be written (503), a retry with the key gets the answer as a replay, on record then.
        await operation_ends(context, op.operation_name, picked.document, result.errors)
        return 200, body

    def _lookup_done(self, principal: Principal, record: AuditRecord, outcome: str) -> None:
        record.lookups[outcome] = record.lookups.get(outcome, 0) + 1
        self.metrics.identifier_lookups.labels(principal.role.value, outcome).inc()
