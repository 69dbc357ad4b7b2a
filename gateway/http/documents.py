"""GraphQL documents: parsed and validated once per distinct text (bounded caches: clients send
the same few documents), and their request errors presented without the values they quote."""

from __future__ import annotations

import re
from typing import Any

import strawberry
from cachetools import LRUCache
from graphql import (
    DocumentNode,
    GraphQLError,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    parse,
    print_ast,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from gateway.access.redact import without_values
from gateway.http.graphql import present
from gateway.http.limits import Analysis, Limits, analyse
from gateway.settings import Settings
from schema.moments import YEARS

SUGGESTION = re.compile(r" Did you mean .*\?$")


class Documents:
    def __init__(self, schema: strawberry.Schema, settings: Settings) -> None:
        self.schema = schema
        self.settings = settings
        rules = list(specified_rules)
        if settings.production:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = rules
        self._parsed: LRUCache[str, DocumentNode] = LRUCache(maxsize=settings.document_cache_size)
        self._validated: LRUCache[str, list[GraphQLError]] = LRUCache(
            maxsize=settings.document_cache_size
        )
        self._analysed: LRUCache[tuple[object, ...], Analysis] = LRUCache(
            maxsize=settings.document_cache_size
        )

    def parse(self, query: str) -> DocumentNode:
        """Parsing is cached by document text (bounded): clients send the same few documents."""
        cached = self._parsed.get(query)
        if cached is None:
            cached = parse(query, max_tokens=self.settings.max_tokens, no_location=False)
            self._parsed[query] = cached
        return cached

    def validate(self, query: str, document: DocumentNode) -> list[GraphQLError]:
        cached = self._validated.get(query)
        if cached is None:
            cached = validate(self.schema._schema, document, self.rules, max_errors=20)
            self._validated[query] = cached
        return cached

    def analyse(
        self,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        limits: Limits,
        variables: dict[str, Any],
    ) -> Analysis:
        """The limits' analysis, cached by what it reads: the text, the operation, the limits and
        the whole numbers among the variables (page sizes). A refusal is not cached."""
        numbers = tuple((k, v) for k, v in variables.items() if type(v) is int)
        key = (query, operation_name, limits, numbers)
        cached = self._analysed.get(key)
        if cached is None:
            cached = analyse(document, operation_name, limits, variables)
            self._analysed[key] = cached
        return cached

    def validation_error(self, error: GraphQLError) -> dict[str, Any]:
        message = without_values(error.message)
        if self.settings.production:
            message = SUGGESTION.sub("", message)
        formatted: dict[str, Any] = dict(error.formatted)
        formatted["message"] = message
        formatted["extensions"] = {"code": "GRAPHQL_VALIDATION_FAILED"}
        return formatted

    @staticmethod
    def request_error(
        error: GraphQLError, operation: OperationDefinitionNode | None = None
    ) -> dict[str, Any]:
        if error.message.startswith("Variable "):
            # graphql-core quotes the offending value; keep only which variable it was, and
            # what the operation declares it to be (and, for times, the years taken).
            name = error.message.split(" ", 2)[1]
            declared = _declared_type(operation, name.strip("'$"))
            chinese = english = ""
            if declared is not None:
                written = print_ast(declared)
                years = f", {YEARS}" if _named(declared) in ("DateTime", "Date") else ""
                chinese, english = f"（应为 {written}）", f" (expected {written}{years})"
            return {
                "message": f"变量 {name} 的值无效{chinese} / invalid value for variable {name}"
                + english,
                "extensions": {"code": "BAD_VARIABLES"},
            }
        return dict(present(error).formatted)


def _declared_type(operation: OperationDefinitionNode | None, name: str) -> TypeNode | None:
    definitions = operation.variable_definitions or () if operation is not None else ()
    return next((d.type for d in definitions if d.variable.name.value == name), None)


def _named(written: TypeNode) -> str:
    while isinstance(written, ListTypeNode | NonNullTypeNode):
        written = written.type
    assert isinstance(written, NamedTypeNode)  # noqa: S101
    return written.name.value
