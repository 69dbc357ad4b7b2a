"""The audit trail (等保 2.0): one JSON line per operation that touched personal data, and one
per denial or authentication failure. Lines are hash-chained, so an edited, inserted or deleted
line breaks the chain, which `govgraph audit verify` detects.

A line never holds a raw ID number, phone, name, token or variable: people appear as keyed-HMAC
pseudonyms, which link a person's accesses together without naming them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GENESIS = "0" * 64


def _canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(previous: str, entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256((previous + _canonical(body)).encode()).hexdigest()


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
    # registry numbers, kept for the request only: the line holds their pseudonyms
    residents: set[str] = field(default_factory=set)
    # look-ups by a personal value: hit, miss, refused
    lookups: dict[str, int] = field(default_factory=dict)

    def touched(self) -> bool:
        return bool(self.fields or self.denied or self.residents or self.lookups)


class AuditLog:
    def __init__(
        self, path: str | None, key: bytes, max_bytes: int = 50_000_000, backups: int = 20
    ) -> None:
        self.path = Path(path) if path else None
        self.key = key
        self.max_bytes = max_bytes
        self.backups = backups
        self._last = GENESIS
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._last = self._last_hash()
        # Group commit: lines wait in chain order; one writer at a time takes all that wait,
        # writes and syncs them off the event loop; each caller returns once its line is on disk.
        self._waiting: list[str] = []
        self._queued = 0
        self._durable = 0
        self._writer = asyncio.Lock()

    def pseudonym(self, value: str) -> str:
        return hmac.new(self.key, value.encode(), hashlib.sha256).hexdigest()[:24]

    def _last_hash(self) -> str:
        assert self.path is not None  # noqa: S101
        for candidate in (self.path, self.path.with_name(self.path.name + ".1")):
            if candidate.exists() and candidate.stat().st_size:
                last = candidate.read_text(encoding="utf-8").rstrip("\n").rsplit("\n", 1)[-1]
                try:
                    value = json.loads(last).get("hash")
                except ValueError:
                    continue
                if isinstance(value, str):
                    return value
        return GENESIS

    def _chained(self, entry: dict[str, Any]) -> str:
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            **entry,
            "prev": self._last,
        }
        entry["hash"] = chain_hash(self._last, entry)
        self._last = entry["hash"]
        return _canonical(entry) + "\n"

    def _append(self, lines: list[str]) -> None:
        text = "".join(lines)
        if self.path is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        self._rotate_if_full(len(text.encode()))
        with self.path.open("a", encoding="utf-8") as sink:
            sink.write(text)
            sink.flush()
            os.fsync(sink.fileno())

    async def commit(self, entry: dict[str, Any]) -> None:
        """On record before it returns, without holding up the event loop: concurrent requests'
        lines share one write and one fsync."""
        self._waiting.append(self._chained(entry))
        self._queued += 1
        ticket = self._queued
        async with self._writer:
            if self._durable >= ticket:
                return
            lines, upto = self._waiting, self._queued
            self._waiting = []
            try:
                await asyncio.to_thread(self._append, lines)
            except BaseException:
                # Not on disk: the lines go back in front, in chain order, for the next writer.
                self._waiting[:0] = lines
                raise
            self._durable = upto

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
                "residents": sorted({self.pseudonym(number) for number in record.residents}),
                "lookups": dict(sorted(record.lookups.items())),
                "outcome": outcome,
            }
        )


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    lines: int
    first_bad_line: int | None = None
    reason: str = ""


def verify(lines: Iterable[str]) -> Verdict:
    """Check the chain line by line; the first broken line is reported (1-based)."""
    previous: str | None = None
    count = 0
    for count, raw in enumerate(lines, start=1):
        try:
            entry = json.loads(raw)
        except ValueError:
            return Verdict(False, count, count, "not JSON")
        if not isinstance(entry, dict) or not isinstance(entry.get("hash"), str):
            return Verdict(False, count, count, "no hash")
        if previous is not None and entry.get("prev") != previous:
            return Verdict(
                False, count, count, "chain broken: a line before it was removed or changed"
            )
        if chain_hash(str(entry.get("prev")), entry) != entry["hash"]:
            return Verdict(False, count, count, "line was edited")
        previous = entry["hash"]
    return Verdict(True, count)


def verify_files(paths: list[Path]) -> Verdict:
    def lines() -> Iterable[str]:
        for path in paths:
            with path.open(encoding="utf-8") as source:
                yield from (line for line in source if line.strip())

    return verify(lines())
