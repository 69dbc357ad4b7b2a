"""The checks every GraphQL document passes before it runs, over HTTP or WebSocket: parsed
within the token limit, the operation picked, no control characters, within the depth, cost and
alias limits, and valid against the schema; then within the client's rate. A refusal carries the
GraphQL errors to answer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLSyntaxError, OperationDefinitionNode

from connectors.errors import GovGraphError
from gateway.access.auth import Principal
from gateway.access.redact import without_values
from gateway.http.documents import Documents
from gateway.http.inputs import (
    MAX_NESTING,
    control_in_document,
    control_in_variables,
    nested_deeper_than,
)
from gateway.http.limits import Analysis, LimitExceededError, Limits
from gateway.http.requests import errors_body, pick
from gateway.state.ratelimit import RateLimiter

TOO_MANY = "请求过于频繁 / too many requests"


class DocumentRefused(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body["errors"][0]["message"])
        self.body = body


class RateRefused(Exception):
    """The client's rate is spent for now: `wait` whole seconds (Retry-After)."""

    def __init__(self, wait: int) -> None:
        super().__init__(TOO_MANY)
        self.wait = wait


@dataclass(frozen=True, slots=True)
class Picked:
    document: DocumentNode
    operation: OperationDefinitionNode


def parse_and_pick(
    documents: Documents, query: str, operation_name: str | None, variables: dict[str, Any]
) -> Picked:
    try:
        document = documents.parse(query)
    except GraphQLSyntaxError as error:
        code = (
            "TOKEN_LIMIT"
            if "more than" in error.message and "tokens" in error.message
            else "GRAPHQL_PARSE_FAILED"
        )
        message = (
            "查询的记号过多 / too many tokens"
            if code == "TOKEN_LIMIT"
            else without_values(error.message)
        )
        raise DocumentRefused(errors_body(code, message)) from None
    operation = pick(document, operation_name)
    if operation is None:
        raise DocumentRefused(
            errors_body("OPERATION_NOT_FOUND", "找不到要执行的操作 / no such operation")
        )
    if nested_deeper_than(variables):  # over HTTP the body was refused before; a socket's not
        raise DocumentRefused(
            errors_body(
                "BAD_VARIABLES",
                f"变量嵌套超过{MAX_NESTING}层 / variables nested more than {MAX_NESTING} deep",
            )
        )
    where = control_in_variables(variables)
    if where is not None or control_in_document(query, document):
        raise DocumentRefused(
            {
                "errors": [
                    {
                        "message": "文本含控制字符 / text holds a control character",
                        "extensions": {"code": "BAD_USER_INPUT", "argument": where or "query"},
                    }
                ]
            }
        )
    return Picked(document, operation)


def within_limits_and_valid(
    documents: Documents,
    limits: Limits,
    query: str,
    picked: Picked,
    operation_name: str | None,
    variables: dict[str, Any],
) -> Analysis:
    try:
        analysis = documents.analyse(query, picked.document, operation_name, limits, variables)
    except GovGraphError as error:
        raise DocumentRefused(
            {"errors": [{"message": error.message, "extensions": error.extensions}]}
        ) from None
    problems = documents.validate(query, picked.document)
    if problems:
        raise DocumentRefused({"errors": [documents.validation_error(e) for e in problems]})
    return analysis


async def within_rate(rate: RateLimiter, limits: Limits, principal: Principal, cost: float) -> None:
    """Takes the operation's request and cost from the client's allowance. DocumentRefused
    (COST_LIMIT) for an operation dearer than a whole minute's cost, which no wait would let
    in; RateRefused when the allowance is spent for now."""
    weight, budget = math.ceil(cost), rate.cost_budget(principal)
    if weight > budget:
        over = LimitExceededError("COST_LIMIT", "cost a minute", weight, budget, limits.reveal)
        raise DocumentRefused(errors_body(str(over.extensions["code"]), over.message))
    wait = await rate.admit(principal, cost)
    if wait:
        raise RateRefused(wait)
