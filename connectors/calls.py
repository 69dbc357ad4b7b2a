"""A legacy call and its answer as the connectors see them: the few fields a call has and an
answer needs, built without httpx's general `Request` and `Response` (about 25 µs of CPU a call,
a twentieth of a dashboard's). The connectors' own transport takes a `Call` as it is; any other
transport (respx in the tests, a mount) is given the `httpx.Request` the call stands for, built
to the byte what `httpx.AsyncClient.build_request` would build, and its response is read into an
`Answer`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote_plus

import httpx

from .wire import message_head

Headers = dict[str, tuple[str, str]]

# What `quote_plus` leaves as it is: a word made only of these needs no quoting.
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*")


def form_encoded(pairs: Mapping[str, str]) -> str:
    """`urlencode` of string pairs, to the byte, without quoting what needs none: signed
    gateways send a dozen plain words a call (keys, hex digests, timestamps)."""
    return "&".join(f"{_plain(name)}={_plain(value)}" for name, value in pairs.items())


def _plain(word: str) -> str:
    return word if _UNQUOTED.fullmatch(word) else quote_plus(word)


def json_body(value: object) -> bytes:
    """JSON as httpx encodes a `json=` body."""
    dumped = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return dumped.encode("utf-8")


@dataclass(slots=True)
class Call:
    """One request to a legacy system. `headers` holds each header by its lower-case name, as
    (name as given, value); the body is bytes, sent whole; `timeouts` as httpx's extension.
    `query` is the call's parameters, form-encoded, kept beside a `url` with no query: putting
    parameters into an `httpx.URL` parses and builds the URL again (39 µs a call)."""

    method: str
    url: httpx.URL
    headers: Headers
    content: bytes
    timeouts: dict[str, float | None]
    query: str = ""

    def head(self) -> bytes:
        """The request line and headers, byte for byte what `wire.request_head` writes for the
        `httpx.Request` this call stands for: Host first (unless given). A value that is not
        ASCII fails as httpx fails it."""
        url, headers = self.url, self.headers
        host = None if "host" in headers else url.netloc.decode("ascii")
        target = url.raw_path.decode("ascii")
        if self.query:
            target = f"{target}?{self.query}"
        return message_head(self.method, target, headers.values(), len(self.content), host)

    def as_httpx(self) -> httpx.Request:
        """The `httpx.Request` this call stands for, for a transport other than our own."""
        return httpx.Request(
            self.method,
            self.url.copy_with(query=self.query.encode("ascii")) if self.query else self.url,
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
