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
    OperationDefinitionNode,
    parse,
    print_ast,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from gateway.http.graphql import present
from gateway.settings import Settings
from schema.moments import FIRST_YEAR, LAST_YEAR

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

    def validation_error(self, error: GraphQLError) -> dict[str, Any]:
        message = error.message
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
            expected = f"（应为 {declared}）" if declared else ""
            expected_en = f" (expected {declared})" if declared else ""
            if declared and declared.rstrip("!").strip("[]!") in ("DateTime", "Date"):
                expected_en = f" (expected {declared}, years {FIRST_YEAR}-{LAST_YEAR})"
            return {
                "message": f"变量 {name} 的值无效{expected} / invalid value for variable {name}"
                + expected_en,
                "extensions": {"code": "BAD_VARIABLES"},
            }
        return dict(present(error).formatted)


def _declared_type(operation: OperationDefinitionNode | None, name: str) -> str | None:
    for definition in (operation.variable_definitions or ()) if operation is not None else ():
        if definition.variable.name.value == name:
            return print_ast(definition.type)
    return None
