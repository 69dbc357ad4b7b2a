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

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import strawberry
from cachetools import LRUCache
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from connectors.errors import AuthError, GovGraphError
from connectors.observe import REQUEST_ID
from connectors.resilience import deadline
from gateway.access.audit import AuditLog, AuditRecord
from gateway.access.auth import Authenticator, Principal
from gateway.access.enforcement import GatewayContext
from gateway.access.lookups import InMemoryMissBudget, MissBudget, RequestLookups
from gateway.access.policy import PURPOSE_REQUIRED
from gateway.access.redact import PurposeError, read_purpose, scrub
from gateway.access.scoped_writes import ScopedData
from gateway.backends.wiring import Backends
from gateway.http.graphql import present, request_id_of
from gateway.http.inputs import control_in_document, control_in_variables, malformed_unicode
from gateway.http.limits import Limits, analyse
from gateway.http.trusted import TrustedDocuments, UntrustedDocumentError
from gateway.observability import Metrics, log_request, request_stats
from gateway.settings import Settings
from gateway.state.caches import noting_stale
from gateway.state.idempotency import IdempotencyStore, KeyState
from gateway.state.ratelimit import RateLimiter

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
SIMPLE_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
PREFLIGHT_HEADERS = (b"x-govgraph-preflight", b"apollo-require-preflight", b"x-requested-with")
SUGGESTION = re.compile(r" Did you mean .*\?$")


class GraphQLBody(JSONResponse):
    """orjson encodes a large result about ten times faster than the standard library; anything
    it cannot encode (no GraphQL value should be one) goes the standard way."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:
            return super().render(content)


class RequestRefused(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


@dataclass(slots=True)
class Operation:
    query: str | None
    variables: dict[str, Any]
    operation_name: str | None
    extensions: dict[str, Any]
    resolved_name: str | None = None  # the operation's name in the document, once parsed


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def negotiate(accept: str | None) -> str:
    """The response media type for an Accept header, or RequestRefused(406)."""
    if not accept:
        return JSON
    offered = [_media_type(part) for part in accept.split(",")]
    if GRAPHQL_RESPONSE in offered:
        return GRAPHQL_RESPONSE
    if any(t in (JSON, "application/*", "*/*") for t in offered):
        return JSON
    raise RequestRefused(
        406,
        "NOT_ACCEPTABLE",
        "只能返回 application/graphql-response+json 或 application/json / unacceptable Accept",
    )


def _operation(payload: object) -> Operation:
    if not isinstance(payload, dict):
        raise RequestRefused(
            400, "BAD_REQUEST", "请求体应为 JSON 对象 / the body must be a JSON object"
        )
    query, variables = payload.get("query"), payload.get("variables")
    name, extensions = payload.get("operationName"), payload.get("extensions")
    if query is not None and not isinstance(query, str):
        raise RequestRefused(400, "BAD_REQUEST", "query 应为字符串 / query must be a string")
    if variables is not None and not isinstance(variables, dict):
        raise RequestRefused(
            400, "BAD_VARIABLES", "variables 应为对象 / variables must be an object"
        )
    if name is not None and not isinstance(name, str):
        raise RequestRefused(
            400, "BAD_REQUEST", "operationName 应为字符串 / operationName must be a string"
        )
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestRefused(
            400, "BAD_REQUEST", "extensions 应为对象 / extensions must be an object"
        )
    return Operation(query, variables or {}, name, extensions or {})


class GraphQLHTTP:
    def __init__(
        self,
        schema: strawberry.Schema,
        backends: Backends,
        settings: Settings,
        clock: Callable[[], datetime],
        audit: AuditLog,
        authenticator: Authenticator,
        trusted: TrustedDocuments,
        idempotency: IdempotencyStore,
        metrics: Metrics,
        miss_budget: MissBudget | None = None,
    ) -> None:
        self.schema = schema
        self.backends = backends
        self.settings = settings
        self.clock = clock
        self.audit = audit
        self.authenticator = authenticator
        self.trusted = trusted
        self.idempotency = idempotency
        self.metrics = metrics
        self.miss_budget = miss_budget or InMemoryMissBudget(
            settings.identifier_miss_budget, settings.identifier_miss_window_s
        )
        self.limits = Limits(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_directives=settings.max_directives,
            max_repeated_fields=settings.max_repeated_fields,
            max_root_fields=settings.max_root_fields,
            max_cost=settings.max_cost,
            max_page_size=settings.page_size_cap,
            reveal=not settings.production,
        )
        self.rate = RateLimiter(
            settings.rate_public_requests_per_minute,
            settings.rate_public_cost_per_minute,
            settings.rate_user_requests_per_minute,
            settings.rate_user_cost_per_minute,
        )
        rules = list(specified_rules)
        if settings.production:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = rules
        self.purpose_header = settings.purpose_header.lower().encode("latin-1")
        self._parsed: LRUCache[str, DocumentNode] = LRUCache(maxsize=settings.document_cache_size)
        self._validated: LRUCache[str, list[GraphQLError]] = LRUCache(
            maxsize=settings.document_cache_size
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_of(scope)
        token = REQUEST_ID.set(request_id)  # forwarded to every legacy system called
        started = time.perf_counter()
        try:
            with (
                request_stats() as stats,
                self.metrics.span("graphql request", {"request_id": request_id}),
            ):
                status, payload, media, names, headers = await self._handle(
                    Request(scope, receive), request_id
                )
        finally:
            REQUEST_ID.reset(token)
        seconds = time.perf_counter() - started
        bodies = payload if isinstance(payload, list) else [payload]
        extensions = [e.get("extensions", {}) for b in bodies for e in b.get("errors", [])]
        codes = [str(x.get("code", "")) for x in extensions]
        operation = ",".join(names) or "-"
        if status >= 400 and len(codes) == 1 and not names:
            self.metrics.refused(status, codes[0])
        outcome = "refused" if status >= 400 else ("partial" if codes else "ok")
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
        response = GraphQLBody(
            payload, status, media_type=media, headers={"X-Request-ID": request_id, **headers}
        )
        await response(scope, receive, send)

    async def _handle(
        self, request: Request, request_id: str
    ) -> tuple[int, Any, str, list[str], dict[str, str]]:
        media = JSON
        names: list[str] = []
        try:
            media = negotiate(request.headers.get("accept"))
            operations, batched = await self._read(request)
            principal = await self._authenticate(request, request_id)
            record = await self._record(request, principal, request_id)
            results = [await self._run(op, request, principal, record, media) for op in operations]
            names = [
                scrub(op.resolved_name or op.operation_name or "anonymous") for op in operations
            ]
        except RequestRefused as refusal:
            body = {"errors": [{"message": refusal.message, "extensions": {"code": refusal.code}}]}
            return refusal.status, body, media, [], refusal.headers
        status = max(status for status, _ in results)
        payload: Any = [body for _, body in results] if batched else results[0][1]
        return status, payload, media, names, {}

    # -- reading -----------------------------------------------------------------------------
    async def _read(self, request: Request) -> tuple[list[Operation], bool]:
        settings = self.settings
        if request.method not in ("GET", "POST"):
            raise RequestRefused(
                405,
                "METHOD_NOT_ALLOWED",
                "只支持 GET 和 POST / only GET and POST",
                {"Allow": "GET, POST"},
            )
        url = request.scope.get("raw_path", b"") + b"?" + request.scope.get("query_string", b"")
        if len(url) > settings.max_url_length:
            raise RequestRefused(414, "URI_TOO_LONG", "请求地址过长 / URI too long")
        if request.method == "GET":
            if not any(request.headers.get(h.decode()) for h in PREFLIGHT_HEADERS):
                raise RequestRefused(
                    400,
                    "CSRF_PREFLIGHT_REQUIRED",
                    "GET 请求须带 X-GovGraph-Preflight 头 / GET needs a preflight header",
                )
            params = request.query_params
            try:
                variables = json.loads(params["variables"]) if params.get("variables") else None
                extensions = json.loads(params["extensions"]) if params.get("extensions") else None
            except ValueError:
                raise RequestRefused(
                    400, "BAD_VARIABLES", "variables 不是合法 JSON / variables are not JSON"
                ) from None
            payload = {
                "query": params.get("query"),
                "variables": variables,
                "operationName": params.get("operationName"),
                "extensions": extensions,
            }
            _refuse_malformed(payload)
            return [_operation(payload)], False
        content_type = _media_type(request.headers.get("content-type", ""))
        if content_type in SIMPLE_TYPES:
            raise RequestRefused(
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                "请使用 application/json（防跨站请求伪造）/ use application/json (CSRF protection)",
            )
        if content_type not in (JSON, GRAPHQL_RESPONSE):
            raise RequestRefused(
                415, "UNSUPPORTED_MEDIA_TYPE", "请使用 application/json / use application/json"
            )
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
            raise RequestRefused(413, "PAYLOAD_TOO_LARGE", "请求体过大 / request body too large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > settings.max_body_bytes:
                raise RequestRefused(
                    413, "PAYLOAD_TOO_LARGE", "请求体过大 / request body too large"
                )
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            raise RequestRefused(
                400, "BAD_REQUEST_JSON", "请求体不是合法 JSON / the body is not JSON"
            ) from None
        _refuse_malformed(payload)
        if isinstance(payload, list):
            if not settings.batching_enabled:
                raise RequestRefused(
                    400, "BATCHING_DISABLED", "不支持批量请求 / batched operations are off"
                )
            if not payload or len(payload) > settings.max_batch_operations:
                raise RequestRefused(
                    400, "BATCH_LIMIT", "批量请求数量超出限制 / too many batched operations"
                )
            return [_operation(p) for p in payload], True
        return [_operation(payload)], False

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

    async def _record(self, request: Request, principal: Principal, request_id: str) -> AuditRecord:
        # HTTP headers are Latin-1: a Chinese purpose arrives percent-encoded UTF-8.
        try:
            purpose = read_purpose(dict(request.scope["headers"]).get(self.purpose_header, b""))
        except PurposeError as error:
            raise RequestRefused(400, "PURPOSE_INVALID", str(error)) from None
        record = AuditRecord(
            request_id=request_id,
            subject=self.audit.pseudonym(principal.subject) if principal.subject else "",
            role=principal.role.value,
            client=principal.client,
            purpose=purpose,
        )
        if principal.role in PURPOSE_REQUIRED and purpose is None:
            record.denied.add("purpose")
            await self.audit.record(record, "purpose_required")
            raise RequestRefused(
                403, "PURPOSE_REQUIRED", "该角色须说明用途 / this role must state a purpose"
            )
        return record

    # -- one operation ---------------------------------------------------------------------
    async def _run(
        self, op: Operation, request: Request, principal: Principal, record: AuditRecord, media: str
    ) -> tuple[int, dict[str, Any]]:
        method = request.method
        document_error = 400 if media == GRAPHQL_RESPONSE else 200
        try:
            query = self.trusted.resolve(op.query, op.extensions)
        except UntrustedDocumentError as error:
            raise RequestRefused(403, error.code, error.message) from None
        except GovGraphError as error:
            raise RequestRefused(400, error.code, error.message) from None
        if len(query) > self.settings.max_query_chars:
            return document_error, _errors("QUERY_TOO_LONG", "查询文本过长 / query text too long")
        try:
            document = self._parse(query)
        except GraphQLSyntaxError as error:
            code = (
                "TOKEN_LIMIT"
                if "more than" in error.message and "tokens" in error.message
                else "GRAPHQL_PARSE_FAILED"
            )
            message = "查询的记号过多 / too many tokens" if code == "TOKEN_LIMIT" else error.message
            return document_error, _errors(code, message)
        operation = _pick(document, op.operation_name)
        if operation is None:
            return document_error, _errors(
                "OPERATION_NOT_FOUND", "找不到要执行的操作 / no such operation"
            )
        op.resolved_name = operation.name.value if operation.name else None
        where = control_in_variables(op.variables)
        if where is not None or control_in_document(query, document):
            return document_error, {
                "errors": [
                    {
                        "message": "文本含控制字符 / text holds a control character",
                        "extensions": {"code": "BAD_USER_INPUT", "argument": where or "query"},
                    }
                ]
            }
        if method == "GET" and operation.operation != OperationType.QUERY:
            raise RequestRefused(
                405,
                "METHOD_NOT_ALLOWED",
                "修改操作须用 POST / mutations need POST",
                {"Allow": "POST"},
            )
        try:
            analysis = analyse(document, op.operation_name, self.limits, op.variables)
        except GovGraphError as error:
            return document_error, {
                "errors": [{"message": error.message, "extensions": error.extensions}]
            }
        problems = self._validate(query, document)
        if problems:
            return document_error, {"errors": [self._validation_error(e) for e in problems]}
        wait = await self.rate.admit(principal, analysis.cost)
        if wait:
            raise RequestRefused(
                429, "RATE_LIMITED", "请求过于频繁 / too many requests", {"Retry-After": str(wait)}
            )
        idempotency: tuple[str, str] | None = None
        reconcile_since = None
        if operation.operation == OperationType.MUTATION:
            idempotency, reconcile_since, replay = await self._claim_key(
                request, principal, query, op, record
            )
            if replay is not None:
                await self.audit.record(record, "replayed")
                return replay
        lookups = RequestLookups(
            principal.subject or f"client:{principal.client}",
            self.miss_budget,
            lambda outcome: self._lookup_done(principal, record, outcome),
        )
        data = ScopedData(self.backends, self.settings, self.clock).bind(principal, lookups)
        data.reconcile_since = reconcile_since
        context = GatewayContext(
            data=data,
            page_size_cap=self.settings.page_size_cap,
            principal=principal,
            audit=self.audit,
            record=record,
        )
        with deadline(self.settings.request_deadline_s), noting_stale() as stale:
            result = await self.schema.execute(
                query,
                variable_values=op.variables,
                context_value=context,
                operation_name=op.operation_name,
            )
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            # Nothing ran (variables that fail to coerce): a request error, without the values.
            return document_error, {"errors": [self._request_error(e) for e in result.errors]}
        errors: list[dict[str, Any]] = [dict(present(e).formatted) for e in result.errors or []]
        body: dict[str, Any] = {"data": result.data}
        if errors:
            body["errors"] = errors
        if stale:
            # Reference data served past its TTL because its system is down.
            body["extensions"] = {"stale": sorted(stale)}
        if idempotency is not None:
            await self._settle_key(idempotency, errors, body, record)
        return 200, body

    def _lookup_done(self, principal: Principal, record: AuditRecord, outcome: str) -> None:
        record.lookups[outcome] = record.lookups.get(outcome, 0) + 1
        self.metrics.identifier_lookups.labels(principal.role.value, outcome).inc()

    async def _claim_key(
        self,
        request: Request,
        principal: Principal,
        query: str,
        op: Operation,
        record: AuditRecord,
    ) -> tuple[tuple[str, str], datetime | None, tuple[int, dict[str, Any]] | None]:
        key = request.headers.get("idempotency-key", "").strip()
        if not key:
            raise RequestRefused(
                400,
                "IDEMPOTENCY_KEY_MISSING",
                "修改操作须带 Idempotency-Key 头 / mutations need an Idempotency-Key header",
            )
        if len(key) > 255 or not key.isprintable():
            raise RequestRefused(
                400, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key 无效 / invalid Idempotency-Key"
            )
        owner = RateLimiter.client_key(principal)
        fingerprint = hashlib.sha256(
            json.dumps(
                [query, op.variables, op.operation_name], sort_keys=True, ensure_ascii=False
            ).encode()
        ).hexdigest()
        existing = await self.idempotency.claim(owner, key, fingerprint, self.clock())
        if existing is None:
            return (owner, key), None, None
        if existing.fingerprint != fingerprint:
            raise RequestRefused(
                422,
                "IDEMPOTENCY_KEY_REUSED",
                "该 Idempotency-Key 已用于另一个请求 / this key was used for a different request",
            )
        if existing.state is KeyState.IN_PROGRESS:
            raise RequestRefused(
                409,
                "IDEMPOTENCY_KEY_IN_PROGRESS",
                "同一请求仍在处理 / the same request is still in progress",
            )
        if existing.state is KeyState.COMPLETED and existing.body is not None:
            # A stored answer sent again is an access too: on record with what it first showed.
            stored = existing.body
            response: dict[str, Any] = stored["response"]
            record.fields.update(stored.get("fields", {}))
            record.residents.update(stored.get("residents", []))
            return (
                (owner, key),
                None,
                (
                    existing.status,
                    {
                        **response,
                        "extensions": {**response.get("extensions", {}), "replayed": True},
                    },
                ),
            )
        await self.idempotency.resume(owner, key)
        return (owner, key), existing.first_attempt_at, None

    async def _settle_key(
        self,
        idempotency: tuple[str, str],
        errors: list[dict[str, Any]],
        body: dict[str, Any],
        record: AuditRecord,
    ) -> None:
        owner, key = idempotency
        codes = [e.get("extensions", {}) for e in errors]
        if any(c.get("outcome") == "unknown" for c in codes):
            await self.idempotency.mark_unknown(owner, key)
        elif any(
            str(c.get("code", "")).startswith("BACKEND_") or c.get("code") == "INTERNAL"
            for c in codes
        ):
            await self.idempotency.release(owner, key)  # nothing was written: try afresh
        else:
            stored = {
                "response": body,
                "fields": dict(record.fields),
                "residents": sorted(record.residents),
            }
            await self.idempotency.complete(owner, key, 200, stored)

    def _parse(self, query: str) -> DocumentNode:
        """Parsing is cached by document text (bounded): clients send the same few documents."""
        cached = self._parsed.get(query)
        if cached is None:
            cached = parse(query, max_tokens=self.settings.max_tokens, no_location=False)
            self._parsed[query] = cached
        return cached

    def _validate(self, query: str, document: DocumentNode) -> list[GraphQLError]:
        cached = self._validated.get(query)
        if cached is None:
            cached = validate(self.schema._schema, document, self.rules, max_errors=20)
            self._validated[query] = cached
        return cached

    def _validation_error(self, error: GraphQLError) -> dict[str, Any]:
        message = error.message
        if self.settings.production:
            message = SUGGESTION.sub("", message)
        formatted: dict[str, Any] = dict(error.formatted)
        formatted["message"] = message
        formatted["extensions"] = {"code": "GRAPHQL_VALIDATION_FAILED"}
        return formatted

    @staticmethod
    def _request_error(error: GraphQLError) -> dict[str, Any]:
        if error.message.startswith("Variable "):
            # graphql-core quotes the offending value; keep only which variable it was.
            name = error.message.split(" ", 2)[1]
            return {
                "message": f"变量 {name} 的值无效 / invalid value for variable {name}",
                "extensions": {"code": "BAD_VARIABLES"},
            }
        return dict(present(error).formatted)


def _pick(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _refuse_malformed(payload: Any) -> None:
    if malformed_unicode(payload):
        raise RequestRefused(
            400,
            "BAD_REQUEST_JSON",
            "请求含无法编码的字符（孤立代理项）/ the request holds a lone surrogate",
        )


def _errors(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
