"""Strawberry mounted for the gateway: per-request context, and errors presented safely.

Known errors carry `extensions.code`; anything else is masked, and logged by type and path only
(never with its message, which might hold a variable's value).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from schema import Context, build_schema

from .backends import Backends
from .data import RequestData
from .errors import GovGraphError
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
            original = error.original_error
            if original is not None and not isinstance(original, GovGraphError | GraphQLError):
                continue  # logged once, without values, by present()
            if isinstance(original, GovGraphError):
                log.warning("%s at %s", original.code, ".".join(map(str, error.path or [])))


def build_gateway_schema() -> strawberry.Schema:
    return build_schema(GovGraphSchema)


class GatewayGraphQL(GraphQL[Context, None]):
    def __init__(
        self,
        schema: strawberry.Schema,
        backends: Backends,
        settings: Settings,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self.backends = backends
        self.settings = settings
        self.clock = clock

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        data = RequestData(self.backends, self.settings, self.clock)
        return Context(data=data, page_size_cap=self.settings.page_size_cap)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = [present(e) for e in result.errors]
        return await super().process_result(request, result)
