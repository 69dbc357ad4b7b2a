"""What a mock remembers of each call, for an integrator to assert on: the operation, the status,
the request as sent with its personal values masked, and the contract violation it was refused
for, if any (as WireMock's request journal, with Prism's validation reasons)."""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KEPT_BODY_CHARS = 4000
RECENT_CALLS = 500

# Masked by the kind of value, wherever it appears: an ID number keeps its region and check
# character, a mobile number (also typed with +86, spaces or dashes) its first three and last
# four digits.
ID_NUMBER = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")
MOBILE = re.compile(r"(?<![0-9])((?:\+?86[- ]?)?1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})(?![0-9])")
# Names, addresses and secrets are recognised by the field that carries them, in JSON, XML or
# a form: a name keeps its first character, an address its first six, a secret nothing.
FIELD_KINDS = {
    **dict.fromkeys(
        ("xm", "hzxm", "ldzxm", "SBRXM", "apply_name", "name", "nickname", "real_name"), "name"
    ),
    **dict.fromkeys(("hjdz", "xzz", "dz", "DZ", "apply_address", "address"), "address"),
    **dict.fromkeys(
        ("Password", "password", "secret", "client_secret", "access_token", "Token"), "secret"
    ),
}
KEYS = "|".join(sorted(FIELD_KINDS, key=len, reverse=True))
JSON_FIELD = re.compile(rf'"({KEYS})"(\s*:\s*)"((?:[^"\\]|\\.)*)"')
XML_FIELD = re.compile(rf"<((?:\w+:)?)({KEYS})>([^<]*)</")
FORM_FIELD = re.compile(rf"(^|&)({KEYS})=([^&]*)")


def _masked_field(name: str, value: str) -> str:
    kind = FIELD_KINDS[name]
    if not value or kind == "secret":
        return "***" if value else value
    if kind == "address":
        return value[:6] + "…" if len(value) > 6 else value[:1] + "…"
    return value[:1] + "*" * max(1, min(len(value) - 1, 3))


def mask_personal(text: str) -> str:
    """The text with ID numbers, mobile numbers, names, addresses and secrets masked."""
    text = JSON_FIELD.sub(lambda m: f'"{m[1]}"{m[2]}"{_masked_field(m[1], m[3])}"', text)
    text = XML_FIELD.sub(lambda m: f"<{m[1]}{m[2]}>{_masked_field(m[2], m[3])}</", text)
    text = FORM_FIELD.sub(lambda m: f"{m[1]}{m[2]}={_masked_field(m[2], m[3])}", text)
    text = ID_NUMBER.sub(lambda m: f"{m[1]}********{m[2]}", text)
    return MOBILE.sub(lambda m: f"{m[1]}****{m[2]}", text)


BodyReader = Callable[[bytes], str]


def utf8_text(body: bytes) -> str:
    return body.decode("utf-8", "replace")


@dataclass(slots=True)
class CallNote:
    """Carried in the request's scope: whether the contract is checked for this call, and the
    violation it was refused for, which the mock's handler fills in."""

    validate: bool = True
    violation: dict[str, str] | None = None

    def refused(self, reason: str, message: str) -> None:
        self.violation = {"reason": reason, "message": mask_personal(message)[:200]}


NOTE_KEY = "govgraph.mock.note"


def note_of(scope: dict[str, Any] | Any) -> CallNote:
    """The call's note, or a fresh one (checks on) when the app runs without its harness."""
    note = scope.get(NOTE_KEY) if isinstance(scope, dict) else None
    return note if isinstance(note, CallNote) else CallNote()


@dataclass(slots=True)
class Journal:
    total: int = 0
    by_operation: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    peak_in_flight: int = 0
    recent: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=RECENT_CALLS))
    by_status: Counter[int] = field(default_factory=Counter)
    violations: Counter[str] = field(default_factory=Counter)
    # requests begun in each whole second, for the busiest second a system saw
    per_second: Counter[int] = field(default_factory=Counter)

    def begin(self, operation: str) -> None:
        self.per_second[int(time.time())] += 1
        self.total += 1
        self.by_operation[operation] += 1
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def end(
        self,
        operation: str,
        status: int,
        started: float,
        request_id: str,
        sent: dict[str, str] | None = None,
        note: CallNote | None = None,
    ) -> None:
        self.in_flight -= 1
        self.by_status[status] += 1
        entry: dict[str, Any] = {
            "operation": operation,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "at": time.time(),
            "request_id": request_id,
        }
        if sent is not None:
            entry.update(sent)
        if note is not None and note.violation is not None:
            entry["violation"] = note.violation
            self.violations[note.violation["reason"]] += 1
        self.recent.append(entry)

    def calls_to(self, operation: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.recent if operation is None or e["operation"] == operation]

    def reset(self) -> None:
        self.total = 0
        self.by_operation.clear()
        self.peak_in_flight = self.in_flight
        self.recent.clear()
        self.by_status.clear()
        self.violations.clear()
        self.per_second.clear()

    def snapshot(self, operation: str | None = None) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_operation": dict(self.by_operation),
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "violations": dict(self.violations),
            "busiest_second": max(self.per_second.values(), default=0),
            "recent": self.calls_to(operation),
        }


def sent_by(method: str, path: str, query: bytes, body: bytes, read: BodyReader) -> dict[str, str]:
    """The request as the journal keeps it: method, path, query and body, masked and cut."""
    kept = {"method": method, "path": path}
    if query:
        kept["query"] = mask_personal(query.decode("latin-1"))[:KEPT_BODY_CHARS]
    if body:
        kept["body"] = mask_personal(read(body))[:KEPT_BODY_CHARS]
    return kept
