"""Trusted documents: an allow-list of operations, in the files the tools write.

- GraphQL Code Generator's client preset (`persisted-documents.json`): `{"<sha256>": "<document>"}`;
  its ids may be sent as `sha256:<hex>`;
- Apollo's persisted query manifest (`generate-persisted-query-manifest`):
  `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "body", …}]}`;
- a plain map of any key (a name, a hash) to a document, or a list of documents.

A document is known by its id in the file, by the SHA-256 of its text, and by the SHA-256 of its
normalised print (`graphql.print_ast`), so the same operation as written in the source, with
other spacing or comments, is recognised. A file that cannot be read, or holds no operation,
stops the gateway at start with a message that says which.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from graphql import GraphQLError, parse, print_ast

from connectors.errors import GovGraphError


class UntrustedDocumentError(GovGraphError):
    code = "UNTRUSTED_DOCUMENT"


class MissingQueryError(GovGraphError):
    code = "BAD_REQUEST"


def document_hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def normalised_hash(query: str) -> str | None:
    try:
        return document_hash(print_ast(parse(query, no_location=True)))
    except GraphQLError:
        return None


def bare(document_id: str) -> str:
    """`sha256:<hex>` (the persisted-documents proposal) or `<hex>`: the hex."""
    return document_id.split(":", 1)[1] if document_id.startswith("sha256:") else document_id


def listed_documents(raw: Any) -> list[tuple[str | None, str]]:
    """(id, document) pairs from any of the three formats."""
    if isinstance(raw, dict) and raw.get("format") == "apollo-persisted-query-manifest":
        operations = raw.get("operations")
        if not isinstance(operations, list):
            raise ValueError("Apollo manifest without an operations list")
        return [
            (str(op.get("id")) if op.get("id") else None, op["body"])
            for op in operations
            if isinstance(op, dict) and isinstance(op.get("body"), str)
        ]
    if isinstance(raw, dict):
        return [(str(key), value) for key, value in raw.items() if isinstance(value, str)]
    if isinstance(raw, list):
        return [(None, value) for value in raw if isinstance(value, str)]
    raise ValueError("neither a map of documents, a list, nor an Apollo manifest")


class TrustedDocuments:
    def __init__(self, path: str | None, strict: bool) -> None:
        self.strict = strict
        self.by_hash: dict[str, str] = {}
        self._normalised: set[str] = set()
        if not path:
            return
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
            documents = listed_documents(raw)
        except (OSError, ValueError) as error:
            raise ValueError(f"trusted documents {path}: cannot be read ({error})") from None
        if not documents:
            raise ValueError(f"trusted documents {path}: no operation in it")
        for document_id, query in documents:
            self.by_hash[document_hash(query)] = query
            if document_id is not None:
                self.by_hash[bare(document_id)] = query
            normalised = normalised_hash(query)
            if normalised is not None:
                self.by_hash.setdefault(normalised, query)
                self._normalised.add(normalised)

    def __len__(self) -> int:
        return len(set(self.by_hash.values()))

    def find(self, document_id: str) -> str | None:
        return self.by_hash.get(bare(document_id))

    def allows(self, query: str) -> bool:
        if document_hash(query) in self.by_hash:
            return True
        normalised = normalised_hash(query)
        return normalised is not None and normalised in self._normalised
