"""Trusted documents: an allow-list of operations by SHA-256 hash. In strict mode only listed
operations run; a client may send just the hash (`extensions.persistedQuery.sha256Hash`)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from connectors.errors import GovGraphError


class UntrustedDocumentError(GovGraphError):
    code = "UNTRUSTED_DOCUMENT"


class MissingQueryError(GovGraphError):
    code = "BAD_REQUEST"


def document_hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


class TrustedDocuments:
    def __init__(self, path: str | None, strict: bool) -> None:
        self.strict = strict
        self.by_hash: dict[str, str] = {}
        if path:
            listed = json.loads(Path(path).read_text(encoding="utf-8"))
            documents = listed.values() if isinstance(listed, dict) else listed
            for query in documents:
                if isinstance(query, str):
                    self.by_hash[document_hash(query)] = query

    def resolve(self, query: str | None, extensions: dict[str, Any]) -> str:
        """The document to run; raises when strict mode refuses it or none was sent."""
        persisted = extensions.get("persistedQuery")
        wanted = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if query is None:
            if isinstance(wanted, str) and wanted in self.by_hash:
                return self.by_hash[wanted]
            if wanted is not None:
                raise UntrustedDocumentError("未知的持久化查询 / unknown persisted query")
            raise MissingQueryError("缺少 query / no query")
        if self.strict and document_hash(query) not in self.by_hash:
            raise UntrustedDocumentError(
                "该查询不在允许列表中 / this operation is not on the allow-list"
            )
        return query
