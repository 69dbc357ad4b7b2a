"""The audit trail (等保 2.0): one JSON line per operation that touched personal data, and one
per denial or authentication failure. Lines are hash-chained per writer: every worker of every
replica is a writer with its own id and chain (`writer`, `seq`, `prev`, `hash` in each line),
so many processes can append to one file in any interleaving, and an edited, removed, reordered
or inserted line of any writer breaks its chain, which `govgraph audit verify` (in
`gateway.access.audit_verify`) detects and names by writer and line.

A line never holds a raw ID number, phone, name, token or variable: people appear as keyed-HMAC
pseudonyms, which link a person's accesses together without naming them.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connectors.errors import AuditUnavailableError

if TYPE_CHECKING:
    from gateway.access.auth import Principal

GENESIS = "0" * 64
# what `AuditLog.pseudonym` makes
PSEUDONYM = re.compile(r"[0-9a-f]{24}")
AUDIT_DOWN = (
    "审计记录暂时无法写入，未返回数据 / the audit trail cannot be written: nothing was returned"
)
# A trail that cannot be written is a disk or a volume to see to: clients wait, then retry.
AUDIT_RETRY_AFTER_S = "5"
LOG = logging.getLogger("govgraph.audit")


def _canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(previous: str, entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k not in ("hash", "seal")}
    return hashlib.sha256((previous + _canonical(body)).encode()).hexdigest()


def seal(key: bytes, line_hash: str) -> str:
    """The line's hash under the audit key: whoever can write the file but lacks the key cannot
    forge a line, or a whole writer's chain, that verifies with the key."""
    return hmac.new(key, line_hash.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass
class AuditRecord:
    """What one request did with personal data, filled in while it runs."""

    request_id: str
    subject: str
    role: str
    client: str
    purpose: str | None
    operation: str | None = None
    query_hash: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    denied: set[str] = field(default_factory=set)
    # the pseudonyms of the residents whose records were read, made as each was first read
    # rather than all at the end, where they held up the answer (0.3 ms for a dashboard's 200)
    residents: set[str] = field(default_factory=set)
    # their registry numbers, to make each pseudonym once; kept for the request only
    read: set[str] = field(default_factory=set)
    # look-ups by a personal value: hit, miss, refused
    lookups: dict[str, int] = field(default_factory=dict)
    # workflow steps taken: case, step, and the reason given (long numbers scrubbed)
    actions: list[dict[str, str]] = field(default_factory=list)
    committed: bool = False  # a record goes on the trail once

    def read_resident(self, number: str, pseudonym: Callable[[str], str]) -> None:
        if number not in self.read:
            self.read.add(number)
            self.residents.add(pseudonym(number))

    def touched(self) -> bool:
        return bool(self.fields or self.denied or self.residents or self.lookups or self.actions)


class AuditLog:
    def __init__(
        self, path: str | None, key: bytes, max_bytes: int = 50_000_000, backups: int = 20
    ) -> None:
        self.path = Path(path) if path else None
        self.key = key
        self.max_bytes = max_bytes
        self.backups = backups
        self._last = GENESIS
        # A writer starts its own chain: a new process never continues another's.
        self.writer = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self._seq = 0
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Group commit: lines wait in chain order; one writer at a time takes all that wait,
        # writes and syncs them off the event loop; each caller returns once its line is on disk.
        self._waiting: list[str] = []
        self._queued = 0
        self._durable = 0
        self._writer = asyncio.Lock()
        # Whether the last write succeeded (for /readyz); each failure is counted (/metrics).
        self.writable = True
        self.on_failure: Callable[[], None] = lambda: None

    def pseudonym(self, value: str) -> str:
        return hmac.new(self.key, value.encode(), hashlib.sha256).hexdigest()[:24]

    def begun(
        self, principal: Principal, request_id: str, purpose: str | None = None
    ) -> AuditRecord:
        """A request's record, its caller named by pseudonym, before it has touched anything."""
        return AuditRecord(
            request_id=request_id,
            subject=self.pseudonym(principal.subject) if principal.subject else "",
            role=principal.role.value,
            client=principal.client,
            purpose=purpose,
        )

    def _chained(self, entry: dict[str, Any]) -> str:
        self._seq += 1
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            **entry,
            "writer": self.writer,
            "seq": self._seq,
            "prev": self._last,
        }
        entry["hash"] = chain_hash(self._last, entry)
        entry["seal"] = seal(self.key, entry["hash"])
        self._last = entry["hash"]
        return _canonical(entry) + "\n"

    def _append(self, lines: list[str]) -> None:
        text = "".join(lines)
        if self.path is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        data = text.encode("utf-8")
        self._rotate_if_full(len(data))
        # One write with O_APPEND: the lines of concurrent writers never interleave mid-line.
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            written = 0
            while written < len(data):
                written += os.write(descriptor, data[written:])
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    async def commit(self, entry: dict[str, Any]) -> None:
        """On record before it returns, without holding up the event loop: concurrent requests'
        lines share one write and one fsync. `AuditUnavailableError` if the line cannot be
        written; it is kept, in chain order, for the next write."""
        self._waiting.append(self._chained(entry))
        self._queued += 1
        await self._written_through(self._queued)

    async def flush(self) -> None:
        """Writes lines a failed write left waiting (a readiness probe's way to find the trail
        writable again, with no request needed); nothing to do if none wait."""
        await self._written_through(self._queued)

    async def _written_through(self, ticket: int) -> None:
        async with self._writer:
            if self._durable >= ticket:
                return
            lines, upto = self._waiting, self._queued
            self._waiting = []
            # The write runs in a thread that a cancelled caller cannot stop: the caller waits
            # for it either way, so a line is neither written twice nor out of chain order.
            write = asyncio.ensure_future(asyncio.to_thread(self._append, lines))
            try:
                await asyncio.shield(write)
            except asyncio.CancelledError:
                await asyncio.wait([write])
                raise
            except OSError as error:
                self.writable = False
                self.on_failure()
                LOG.error(
                    "audit trail: cannot write %s (%s); %d lines wait",
                    self.path or "stdout",
                    errno.errorcode.get(error.errno or 0, type(error).__name__),
                    len(lines),
                )
                raise AuditUnavailableError(AUDIT_DOWN) from None
            finally:
                if write.done() and not write.cancelled() and write.exception() is None:
                    self._durable = upto
                    self.writable = True
                else:
                    # Not on disk: the lines go back in front, in chain order, for the next writer.
                    self._waiting[:0] = lines

    def _rotate_if_full(self, incoming: int) -> None:
        assert self.path is not None  # noqa: S101
        if not self.path.exists() or self.path.stat().st_size + incoming <= self.max_bytes:
            return
        for number in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{number}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{number + 1}"))
        self.path.replace(self.path.with_name(f"{self.path.name}.1"))

    async def record(self, record: AuditRecord, outcome: str) -> None:
        if record.committed:
            return
        record.committed = True
        await self.commit(
            {
                "request_id": record.request_id,
                "subject": record.subject,
                "role": record.role,
                "client": record.client,
                "operation": record.operation,
                "query_hash": record.query_hash,
                "purpose": record.purpose,
                "fields": dict(sorted(record.fields.items())),
                "denied": sorted(record.denied),
                "resident_count": len(record.residents),
                "residents": sorted(record.residents),
                "lookups": dict(sorted(record.lookups.items())),
                **({"actions": record.actions} if record.actions else {}),
                "outcome": outcome,
            }
        )
