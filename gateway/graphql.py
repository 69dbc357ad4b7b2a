"""Strawberry mounted for the gateway: authentication and purpose before anything runs, a
per-request scoped data source and audit record, and errors presented safely.

Known errors carry `extensions.code`; anything else is masked, and logged by type and path only
(never with its message, which might hold a variable's value).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import AddValidationRules
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from schema import Context, build_schema

from .audit import AuditLog, AuditRecord
from .auth import Authenticator, Principal
from .backends import Backends
from .enforcement import GatewayContext, PolicyExtension
from .errors import AuthError, GovGraphError
from .policy import PURPOSE_REQUIRED
from .scope import ScopedData
from .settings import Settings

log = logging.getLogger("govgraph.graphql")
MASKED = "内部错误 / internal error"


def present(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        return error  # parse and validation errors: about the document, not the data
    if isinstance(original, GovGraphError) or (
        isinstance(original, GraphQLError) and original.extensions and "code" in original.extensions
    ):
        extensions = original.extensions
        message = original.message
    else:
        log.error(
            "unexpected %s at %s", type(original).__name__, ".".join(map(str, error.path or []))
        )
        extensions = {"code": "INTERNAL"}
        message = MASKED
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


class GovGraphSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            if isinstance(error.original_error, GovGraphError):
                log.warning(
                    "%s at %s", error.original_error.code, ".".join(map(str, error.path or []))
                )


def build_gateway_schema(settings: Settings) -> strawberry.Schema:
    extensions: list[Any] = [PolicyExtension]
    if settings.production:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return build_schema(GovGraphSchema, extensions=extensions)


def request_id_of(scope: Scope) -> str:
    headers: dict[bytes, bytes] = dict(scope["headers"])
    given = headers.get(b"x-request-id", b"").decode("latin-1")
    if given and len(given) <= 64 and all(c.isalnum() or c in "-_." for c in given):
        return given
    return secrets.token_hex(8)


class GatewayGraphQL(GraphQL[Context, None]):
    def __init__(
        self,
        schema: strawberry.Schema,
        backends: Backends,
        settings: Settings,
        clock: Callable[[], datetime],
        audit: AuditLog,
    ) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self.backends = backends
        self.settings = settings
        self.clock = clock
        self.audit = audit

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        principal: Principal = request.scope["state"]["principal"]
        record: AuditRecord = request.scope["state"]["audit_record"]
        data = ScopedData(self.backends, self.settings, self.clock).bind(principal)
        return GatewayContext(
            data=data,
            page_size_cap=self.settings.page_size_cap,
            principal=principal,
            audit=self.audit,
            record=record,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = [present(e) for e in result.errors]
        return await super().process_result(request, result)


class Guard:
    """Authenticates and checks the stated purpose before the GraphQL layer sees the request."""

    def __init__(
        self, app: GatewayGraphQL, authenticator: Authenticator, audit: AuditLog, settings: Settings
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.audit = audit
        self.purpose_header = settings.purpose_header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])
        client = scope["client"][0] if scope.get("client") else ""
        request_id = request_id_of(scope)
        authorization = headers.get(b"authorization", b"").decode("latin-1") or None
        try:
            principal = self.authenticator.authenticate(authorization, client)
        except AuthError as error:
            self.audit.write(
                {
                    "request_id": request_id,
                    "client": client,
                    "outcome": "unauthenticated",
                    "reason": error.message,
                }
            )
            response = JSONResponse(
                {"errors": [{"message": error.message, "extensions": {"code": error.code}}]},
                401,
                headers={
                    "WWW-Authenticate": 'Bearer realm="govgraph", error="invalid_token"',
                    "X-Request-ID": request_id,
                },
            )
            await response(scope, receive, send)
            return
        # HTTP headers are Latin-1: a Chinese purpose arrives percent-encoded UTF-8.
        stated = unquote(headers.get(self.purpose_header, b"").decode("latin-1"), errors="replace")
        purpose = "".join(ch for ch in stated if ch.isprintable()).strip()[:200] or None
        record = AuditRecord(
            request_id=request_id,
            subject=self.audit.pseudonym(principal.subject) if principal.subject else "",
            role=principal.role.value,
            client=principal.client,
            purpose=purpose,
        )
        if principal.role in PURPOSE_REQUIRED and purpose is None:
            record.denied.add("purpose")
            self.audit.record(record, "purpose_required")
            response = JSONResponse(
                {
                    "errors": [
                        {
                            "message": "该角色须说明用途 / this role must state a purpose",
                            "extensions": {"code": "PURPOSE_REQUIRED"},
                        }
                    ]
                },
                403,
                headers={"X-Request-ID": request_id},
            )
            await response(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["principal"] = principal
        state["audit_record"] = record
        await self.app(scope, receive, send)
