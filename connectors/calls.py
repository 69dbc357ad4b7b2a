"""A legacy call and its answer as the connectors see them: the few fields a call has and an
answer needs, built without httpx's general `Request` and `Response` (about 25 µs of CPU a call,
a twentieth of a dashboard's). The connectors' own transport takes a `Call` as it is; any other
transport (respx in the tests, a mount) is given the `httpx.Request` the call stands for, built
to the byte what `httpx.AsyncClient.build_request` would build, and its response is read into an
`Answer`."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
FRAMING = frozenset({"content-length", "transfer-encoding"})
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
NOT_IN_A_VALUE = re.compile(r"[\r\n\x00]")
Headers = dict[str, tuple[str, str]]


def json_body(value: object) -> bytes:
    """JSON as httpx encodes a `json=` body."""
    dumped = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return dumped.encode("utf-8")


@dataclass(slots=True)
class Call:
    """One request to a legacy system. `headers` holds each header by its lower-case name, as
    (name as given, value); the body is bytes, sent whole; `timeouts` as httpx's extension."""

    method: str
    url: httpx.URL
    headers: Headers
    content: bytes
    timeouts: dict[str, float | None]

    def head(self) -> bytes:
        """The request line and headers, byte for byte what `wire.request_head` writes for the
        `httpx.Request` this call stands for: Host first (unless given), the framing headers
        left out and the body's length stated last."""
        lines = [self.method, " ", self.url.raw_path.decode("ascii"), " HTTP/1.1\r\n"]
        if "host" not in self.headers:
            lines += ("Host: ", self.url.netloc.decode("ascii"), "\r\n")
        for lower, (name, value) in self.headers.items():
            if TOKEN.fullmatch(name) is None or NOT_IN_A_VALUE.search(value) is not None:
                raise httpx.LocalProtocolError("a header that is not HTTP")
            if lower not in FRAMING:
                lines += (name, ": ", value, "\r\n")
        if self.content or self.method in BODY_METHODS:
            lines.append(f"Content-Length: {len(self.content)}\r\n")
        lines.append("\r\n")
        return "".join(lines).encode("ascii")

    def as_httpx(self) -> httpx.Request:
        """The `httpx.Request` this call stands for, for a transport other than our own."""
        return httpx.Request(
            self.method,
            self.url,
            headers=list(self.headers.values()),
            content=self.content or None,
            extensions={"timeout": self.timeouts},
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """A legacy system's answer, read whole and decoded: its status, body and raw headers."""

    status_code: int
    content: bytes
    raw_headers: Sequence[tuple[bytes, bytes]]

    def header(self, name: str) -> str | None:
        """A header's value, several joined by commas as httpx joins them; None if absent."""
        wanted = name.lower().encode("ascii")
        values = [value for key, value in self.raw_headers if key.lower() == wanted]
        return b", ".join(values).decode("latin-1") if values else None

    @classmethod
    def of(cls, response: httpx.Response) -> Answer:
        """The answer a read `httpx.Response` holds."""
        return cls(response.status_code, response.content, response.headers.raw)
