"""Which document a request runs: its text, a trusted document by id (`documentId`, the
GraphQL-over-HTTP persisted-documents proposal, `sha256:<hex>`), or a query registered by hash
with Apollo's automatic persisted queries (`extensions.persistedQuery.sha256Hash`).

APQ as Apollo's link expects it: a hash alone that nobody registered answers
`PERSISTED_QUERY_NOT_FOUND`, so the client sends the query with its hash; that registers it once
it has passed parsing, limits and validation like any query; a hash that is not the query's is
refused (`PERSISTED_QUERY_HASH_MISMATCH`). Registered queries live in the shared store when there
is one (every replica knows them), else in a bounded in-process cache; with strict trusted
documents nothing is registered. Both stores are bounded in count and in query size.

Registrations belong to the caller who made them: a shared list would tell anyone, by a hash
hit, that someone else ran a given document, and a document may hold a literal (an ID number
typed into a query), which would make the cache an oracle for it.
"""

from __future__ import annotations

from typing import Any, Protocol

from cachetools import LRUCache

from connectors.errors import GovGraphError, StateUnavailableError
from gateway.http.trusted import (
    MissingQueryError,
    TrustedDocuments,
    UntrustedDocumentError,
    bare,
    document_hash,
)
from gateway.state.shared import SharedState


class PersistedQueryNotFoundError(GovGraphError):
    code = "PERSISTED_QUERY_NOT_FOUND"


class PersistedQueryMismatchError(GovGraphError):
    code = "PERSISTED_QUERY_HASH_MISMATCH"


class QueryStore(Protocol):
    async def get(self, digest: str) -> str | None: ...

    async def put(self, digest: str, query: str) -> None: ...


class InMemoryQueryStore:
    def __init__(self, max_entries: int) -> None:
        self._queries: LRUCache[str, str] = LRUCache(maxsize=max_entries)

    async def get(self, digest: str) -> str | None:
        return self._queries.get(digest)

    async def put(self, digest: str, query: str) -> None:
        self._queries[digest] = query


class SharedQueryStore:
    """On the shared store, each query kept `ttl_s` after its last registration; if the store
    is away, a lookup misses (the client then sends the query) and nothing is registered."""

    def __init__(self, state: SharedState, ttl_s: float) -> None:
        self.state = state
        self.ttl_s = int(ttl_s)

    async def get(self, digest: str) -> str | None:
        try:
            found = await self.state.run(self.state.redis.get(self.state.key("apq", digest)))
        except StateUnavailableError:
            return None
        return found.decode() if isinstance(found, bytes) else None

    async def put(self, digest: str, query: str) -> None:
        try:
            await self.state.run(
                self.state.redis.set(self.state.key("apq", digest), query, ex=self.ttl_s)
            )
        except StateUnavailableError:
            return


class PersistedDocuments:
    def __init__(self, trusted: TrustedDocuments, store: QueryStore | None, max_chars: int):
        self.trusted = trusted
        self.store = None if trusted.strict else store
        self.max_chars = max_chars

    async def _known(self, owner: str, digest: str) -> str | None:
        found = self.trusted.find(digest)
        if found is None and self.store is not None:
            found = await self.store.get(f"{owner}:{bare(digest).lower()}")
        return found

    async def resolve(
        self,
        query: str | None,
        extensions: dict[str, Any],
        document_id: str | None,
        owner: str,
    ) -> tuple[str, str | None]:
        """(the document to run, a hash to register once it has passed validation)."""
        persisted = extensions.get("persistedQuery")
        wanted = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if wanted is not None and not isinstance(wanted, str):
            raise MissingQueryError("sha256Hash 应为字符串 / sha256Hash must be a string")
        if query is None:
            digest = document_id if document_id is not None else wanted
            if digest is None:
                raise MissingQueryError("缺少 query / no query")
            found = await self._known(owner, digest)
            if found is None:
                raise PersistedQueryNotFoundError("PersistedQueryNotFound")
            return found, None
        if wanted is not None and document_hash(query) != wanted.lower():
            raise PersistedQueryMismatchError("sha256Hash 与查询不符 / the hash is not the query's")
        if self.trusted.strict and not self.trusted.allows(query):
            raise UntrustedDocumentError(
                "该查询不在允许列表中 / this operation is not on the allow-list"
            )
        register = wanted if wanted and self.store is not None else None
        return query, register

    async def register(self, owner: str, digest: str, query: str) -> None:
        if self.store is not None and len(query) <= self.max_chars:
            await self.store.put(f"{owner}:{digest.lower()}", query)
