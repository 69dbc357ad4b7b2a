"""Strawberry mounted for the gateway: authentication and purpose before anything runs, a
per-request scoped data source and audit record, and errors presented safely.

Known errors carry `extensions.code`; anything else is masked, and logged by type and path only
(never with its message, which might hold a variable's value).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Iterator
from typing import Any

import strawberry
from graphql import ExecutionResult, GraphQLError, execute
from starlette.types import Scope
from strawberry.extensions import SchemaExtension
from strawberry.federation.schema import FederationAny

from connectors.errors import GovGraphError, InputError, LimitError
from gateway.access import free_text
from gateway.access.enforcement import GatewayContext, PolicyExtension, operation_begins, police
from schema import build_schema
from schema.entities import ENTITY_KEYS

MAX_REPRESENTATIONS = 500  # a router's batch for one fetch: 50 cases' reporters, and more

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


class GovGraphSchema(strawberry.federation.Schema):
    def entities_resolver(
        self, info: strawberry.Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """A router's references, checked before any is resolved: each names an entity type
        and gives exactly its key, a short string (nothing else is ever looked up by)."""
        if len(representations) > MAX_REPRESENTATIONS:
            raise LimitError(
                f"一次最多{MAX_REPRESENTATIONS}个引用 / at most {MAX_REPRESENTATIONS} representations"
            )
        for index, given in enumerate(representations):
            fields: dict[str, Any] = given if isinstance(given, dict) else {}
            kind = fields.get("__typename")
            key = ENTITY_KEYS.get(kind) if isinstance(kind, str) else None
            if key is None or set(fields) != {"__typename", key}:
                raise InputError(
                    f"representations.{index}",
                    "引用应为实体类型及其键 / a representation is an entity type and its key",
                )
        return super().entities_resolver(info, representations)

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            if isinstance(error.original_error, GovGraphError):
                log.warning(
                    "%s at %s", error.original_error.code, ".".join(map(str, error.path or []))
                )


class CheckedDocument(SchemaExtension):
    """Hands Strawberry the document that the WebSocket layer has parsed and validated (both
    cached by its text), so it is parsed and validated once (HTTP runs it on graphql-core's
    executor itself: `execute_checked`). Strawberry's own validation
    cache is keyed by the parsed document, whose hash walks every node of the tree on every
    request. A schema executed without one (directly, in tests) parses and validates as usual."""

    def on_parse(self) -> Iterator[None]:
        document = getattr(self.execution_context.context, "document", None)
        if document is not None:
            self.execution_context.graphql_document = document
        yield

    def on_validate(self) -> Iterator[None]:
        if getattr(self.execution_context.context, "document", None) is not None:
            self.execution_context.pre_execution_errors = []
        yield


def build_gateway_schema(subgraph: str = "") -> strawberry.Schema:
    schema = build_schema(
        GovGraphSchema, extensions=[PolicyExtension, CheckedDocument], subgraph=subgraph
    )
    police(schema._schema)
    return schema


async def execute_checked(
    schema: strawberry.Schema,
    context: GatewayContext,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> ExecutionResult:
    """Runs a document the HTTP layer has parsed, limited and validated (`context.document`) on
    graphql-core's executor, as Strawberry's `execute` would; the caller writes the audit line
    (`operation_ends`) once the answer is ready. Strawberry's own path would be told not to
    parse and validate again, and set up its extension hooks on every request: about 35 µs of
    a small request's CPU, for hooks that have nothing else to do here."""
    assert context.document is not None  # noqa: S101
    operation_begins(context, query)
    outcome = execute(
        schema._schema,
        context.document,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        executor_class=schema.execution_context_class,
    )
    result = await outcome if isinstance(outcome, Awaitable) else outcome
    if result.errors:
        schema.process_errors(result.errors)
        forget_tracebacks(result.errors)
    return result


def forget_tracebacks(errors: list[GraphQLError]) -> None:
    """An error's traceback holds the frames it passed, and a frame the executor that keeps the
    error: a cycle that kept the whole request alive until the garbage collector came by. No
    traceback is shown or logged, so none is kept once the errors are reported."""
    seen: set[int] = set()
    for error in errors:
        # with the exceptions it was raised from or while handling (a transport's, say)
        chained: BaseException | None = error
        while chained is not None and id(chained) not in seen:
            seen.add(id(chained))
            chained.__traceback__ = None
            if isinstance(chained, GraphQLError) and chained.original_error is not None:
                chained = chained.original_error
            else:
                chained = chained.__cause__ or chained.__context__


def request_id_of(scope: Scope) -> str:
    headers: dict[bytes, bytes] = dict(scope["headers"])
    given = headers.get(b"x-request-id", b"").decode("latin-1")
    # ASCII only: it goes on to every legacy system in a header (é is alphanumeric too). Nor a
    # phone or an ID number: the id is written in every log, the trail and the systems' own.
    if (
        given
        and len(given) <= 64
        and given.isascii()
        and all(c.isalnum() or c in "-_." for c in given)
        and not free_text.find(given)
    ):
        return given
    return secrets.token_hex(8)


def trace_context(scope: Scope) -> dict[str, str]:
    """The caller's W3C trace context, so a router's trace and ours are one."""
    headers = dict(scope["headers"])
    return {
        name: headers[key].decode("latin-1")
        for name in ("traceparent", "tracestate")
        if (key := name.encode()) in headers
    }
