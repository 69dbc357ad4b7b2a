"""Idempotency keys at the HTTP edge: a mutation claims its key before it runs and settles it
after (stored answer, released, or outcome unknown); a key already done answers again, marked
`replayed`, and the replay is on record with what the answer first showed."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request

from connectors.errors import StateUnavailableError
from gateway.access.audit import PSEUDONYM, AuditRecord
from gateway.access.auth import Principal
from gateway.http.requests import Operation, RequestRefused
from gateway.state.idempotency import IdempotencyStore, KeyState
from gateway.state.ratelimit import RateLimiter
from schema import CheckedFile

LOG = logging.getLogger("govgraph.state")
STATE_DOWN = "共享状态存储不可用，写操作暂停，未执行 / the shared state store is unavailable: the write was not made"


def state_down() -> RequestRefused:
    return RequestRefused(503, "STATE_UNAVAILABLE", STATE_DOWN, {"Retry-After": "1"})


class WriteKeys:
    def __init__(
        self, store: IdempotencyStore, clock: Any, pseudonym: Callable[[str], str]
    ) -> None:
        self.store = store
        self.clock = clock
        self.pseudonym = pseudonym

    async def claim(
        self,
        request: Request,
        principal: Principal,
        query: str,
        op: Operation,
        record: AuditRecord,
    ) -> tuple[tuple[str, str], datetime | None, tuple[int, dict[str, Any]] | None]:
        key = request.headers.get("idempotency-key", "").strip()
        if not key:
            raise RequestRefused(
                400,
                "IDEMPOTENCY_KEY_MISSING",
                "修改操作须带 Idempotency-Key 头 / mutations need an Idempotency-Key header",
            )
        if len(key) > 255 or not key.isprintable():
            raise RequestRefused(
                400, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key 无效 / invalid Idempotency-Key"
            )
        owner = RateLimiter.client_key(principal)
        fingerprint = hashlib.sha256(
            json.dumps(
                [query, op.variables, op.operation_name],
                sort_keys=True,
                ensure_ascii=False,
                default=_file_digest,
            ).encode()
        ).hexdigest()
        try:
            existing = await self.store.claim(owner, key, fingerprint, self.clock())
        except StateUnavailableError:
            # Without the key's record a retry could write twice: nothing is written.
            raise state_down() from None
        if existing is None:
            return (owner, key), None, None
        if existing.fingerprint != fingerprint:
            raise RequestRefused(
                422,
                "IDEMPOTENCY_KEY_REUSED",
                "该 Idempotency-Key 已用于另一个请求 / this key was used for a different request",
            )
        if existing.state is KeyState.IN_PROGRESS:
            raise RequestRefused(
                409,
                "IDEMPOTENCY_KEY_IN_PROGRESS",
                "同一请求仍在处理 / the same request is still in progress",
            )
        if existing.state is KeyState.COMPLETED and existing.body is not None:
            # A stored answer sent again is an access too: on record with what it first showed.
            stored = existing.body
            response: dict[str, Any] = stored["response"]
            record.fields.update(stored.get("fields", {}))
            # an answer stored by a gateway from before pseudonyms were kept holds numbers
            record.residents.update(
                value if PSEUDONYM.fullmatch(value) else self.pseudonym(value)
                for value in stored.get("residents", [])
            )
            return (
                (owner, key),
                None,
                (
                    existing.status,
                    {
                        **response,
                        "extensions": {**response.get("extensions", {}), "replayed": True},
                    },
                ),
            )
        try:
            await self.store.resume(owner, key)
        except StateUnavailableError:
            raise state_down() from None
        return (owner, key), existing.first_attempt_at, None

    async def settle(
        self,
        idempotency: tuple[str, str],
        errors: list[dict[str, Any]],
        body: dict[str, Any],
        record: AuditRecord,
    ) -> None:
        """The write is done either way; if the store fails now, the key keeps its lease and a
        retry after it finds the write at the backend (reconciliation), so nothing is doubled."""
        owner, key = idempotency
        codes = [e.get("extensions", {}) for e in errors]
        try:
            if any(c.get("outcome") == "unknown" for c in codes):
                await self.store.mark_unknown(owner, key)
            elif any(
                str(c.get("code", "")).startswith("BACKEND_") or c.get("code") == "INTERNAL"
                for c in codes
            ):
                await self.store.release(owner, key)  # nothing was written: try afresh
            else:
                stored = {
                    "response": body,
                    "fields": dict(record.fields),
                    "residents": sorted(record.residents),
                }
                await self.store.complete(owner, key, 200, stored)
        except StateUnavailableError:
            LOG.warning("idempotency: the shared store failed while settling a key")


def _file_digest(value: object) -> str:
    """An uploaded file in the variables stands in the fingerprint by its digest."""
    if isinstance(value, CheckedFile):
        return f"file:{value.kind}:{hashlib.sha256(value.content).hexdigest()}"
    raise TypeError(type(value).__name__)
