"""Reading a GraphQL-over-HTTP request: method, URL length, media types and CSRF, body size,
JSON and its parameters, the caller's purpose, each refusal with its status and stable code; and
the response body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import DocumentNode, OperationDefinitionNode
from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.access.audit import AuditLog, AuditRecord
from gateway.access.auth import Principal
from gateway.access.policy import PURPOSE_REQUIRED
from gateway.access.redact import PurposeError, read_purpose
from gateway.http.inputs import MAX_NESTING, malformed_unicode, nested_deeper_than
from gateway.settings import Settings

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
SSE = "text/event-stream"
SIMPLE_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
PREFLIGHT_HEADERS = (b"x-govgraph-preflight", b"apollo-require-preflight", b"x-requested-with")


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
    document_id: str | None = None  # a persisted document's id, sent instead of the query


def media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def negotiate(accept: str | None) -> str:
    """The response media type for an Accept header, or RequestRefused(406)."""
    if not accept:
        return JSON
    offered = [media_type(part) for part in accept.split(",")]
    if GRAPHQL_RESPONSE in offered:
        return GRAPHQL_RESPONSE
    if any(t in (JSON, "application/*", "*/*") for t in offered):
        return JSON
    if SSE in offered:  # GraphQL over SSE: any operation, answered as a stream of one
        return SSE
    if "multipart/mixed" in offered:  # a multipart subscription; its refusals are JSON
        return JSON
    raise RequestRefused(
        406,
        "NOT_ACCEPTABLE",
        "只能返回 application/graphql-response+json、application/json 或 text/event-stream / unacceptable Accept",
    )


def operation_of(payload: object) -> Operation:
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
    document_id = payload.get("documentId")
    if document_id is not None and not isinstance(document_id, str):
        raise RequestRefused(
            400, "BAD_REQUEST", "documentId 应为字符串 / documentId must be a string"
        )
    return Operation(query, variables or {}, name, extensions or {}, document_id=document_id)


def _json_parameter(params: Mapping[str, str], name: str) -> Any:
    """A GET request's `variables` or `extensions`: JSON in the URL, refused by its own name."""
    text = params.get(name)
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        if name == "variables":
            message = "variables 不是合法 JSON / variables are not JSON"
            raise RequestRefused(400, "BAD_VARIABLES", message) from None
        message = f"{name} 不是合法 JSON / {name} is not JSON"
        raise RequestRefused(400, "BAD_REQUEST", message) from None


async def read_operations(request: Request, settings: Settings) -> tuple[list[Operation], bool]:
    """The operations a request carries, and whether they came as a batch; RequestRefused for
    anything that is not a well-formed GraphQL-over-HTTP request."""
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
        # CSRF needs a credential the browser adds by itself: a cookie. A Bearer token in a
        # header is never sent cross-site unbidden, so a GET without cookies needs no preflight.
        cookies = bool(request.headers.get("cookie"))
        if cookies and not any(request.headers.get(h.decode()) for h in PREFLIGHT_HEADERS):
            raise RequestRefused(
                400,
                "CSRF_PREFLIGHT_REQUIRED",
                "带 Cookie 的 GET 请求须带 X-GovGraph-Preflight 头 / a GET with cookies needs a preflight header",
            )
        params = request.query_params
        variables, extensions = (
            _json_parameter(params, "variables"),
            _json_parameter(params, "extensions"),
        )
        payload = {
            "query": params.get("query"),
            "variables": variables,
            "operationName": params.get("operationName"),
            "extensions": extensions,
            "documentId": params.get("documentId"),
        }
        refuse_malformed(payload)
        return [operation_of(payload)], False
    content_type = media_type(request.headers.get("content-type", ""))
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
            raise RequestRefused(413, "PAYLOAD_TOO_LARGE", "请求体过大 / request body too large")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise RequestRefused(
            400, "BAD_REQUEST_JSON", "请求体不是合法 JSON / the body is not JSON"
        ) from None
    refuse_malformed(payload)
    if isinstance(payload, list):
        if not settings.batching_enabled:
            raise RequestRefused(
                400, "BATCHING_DISABLED", "不支持批量请求 / batched operations are off"
            )
        if not payload or len(payload) > settings.max_batch_operations:
            raise RequestRefused(
                400, "BATCH_LIMIT", "批量请求数量超出限制 / too many batched operations"
            )
        return [operation_of(p) for p in payload], True
    return [operation_of(payload)], False


def pick(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def refuse_malformed(payload: Any) -> None:
    if nested_deeper_than(payload):
        raise RequestRefused(
            400,
            "BAD_REQUEST_JSON",
            f"JSON 嵌套超过{MAX_NESTING}层 / JSON nested more than {MAX_NESTING} deep",
        )
    if malformed_unicode(payload):
        raise RequestRefused(
            400,
            "BAD_REQUEST_JSON",
            "请求含无法编码的字符（孤立代理项）/ the request holds a lone surrogate",
        )


def errors_body(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


async def audit_record(
    audit: AuditLog, principal: Principal, purpose_header: bytes, request_id: str
) -> AuditRecord:
    """The request's audit record, begun with the purpose its caller states; a role that must
    state one and did not is refused (403), on record."""
    # HTTP headers are Latin-1: a Chinese purpose arrives percent-encoded UTF-8.
    try:
        purpose = read_purpose(purpose_header)
    except PurposeError as error:
        raise RequestRefused(400, "PURPOSE_INVALID", str(error)) from None
    record = audit.begun(principal, request_id, purpose)
    if principal.role in PURPOSE_REQUIRED and purpose is None:
        record.denied.add("purpose")
        await audit.record(record, "purpose_required")
        raise RequestRefused(
            403, "PURPOSE_REQUIRED", "该角色须说明用途 / this role must state a purpose"
        )
    return record
