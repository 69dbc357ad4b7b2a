"""CORS for browsers on other origins (a Vite dev server, a dashboard on another host), with
Starlette's middleware, from settings: an allow-list of origins, exact or with `*` for a port or
a subdomain (`http://localhost:*`, `https://*.district.gov.cn`); no credentials unless asked; the
preflight cached for `cors_max_age_s`; the headers a client must read exposed. A refused origin
gets no CORS headers (the browser then blocks the answer) and is counted."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.settings import Settings

EXPOSED = ["X-Request-ID", "Retry-After", "WWW-Authenticate"]
# Allowed even where the operator lists the headers pages may send (`cors_allow_headers`).
ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "Accept",
    "Idempotency-Key",
    "X-Purpose",
    "X-Request-ID",
    "X-GovGraph-Preflight",
    "apollo-require-preflight",
    # what GraphQL clients and browser tracing send on their own: Apollo Client's client
    # awareness and Apollo's CSRF header, and W3C trace context (read, see `trace_context`)
    "apollographql-client-name",
    "apollographql-client-version",
    "x-apollo-operation-name",
    "traceparent",
    "tracestate",
    "Last-Event-ID",  # an EventSource coming back to resume a stream
]
_OURS = {h.lower() for h in ALLOWED_HEADERS}


def allowed_headers(settings: Settings) -> list[str]:
    """`*`: whatever an allowed origin's preflight asks for. A page's own tools add headers that
    no list keeps up with (Sentry's `sentry-trace` and `baggage`, other tracers' own, a team's
    `X-Client-Version`); the origin is what is checked, and a header grants nothing by itself."""
    listed = [h.strip() for h in settings.cors_allow_headers.split(",") if h.strip()]
    if "*" in listed:
        return ["*"]
    return ALLOWED_HEADERS + [h for h in listed if h.lower() not in _OURS]


def origins_of(settings: Settings) -> list[str]:
    return [o.strip() for o in settings.cors_origins.split(",") if o.strip()]


def origin_pattern(origins: list[str]) -> str | None:
    """One regular expression for the origins; `*` stands for one port or one DNS label."""
    parts = []
    for origin in origins:
        escaped = re.escape(origin.rstrip("/"))
        escaped = escaped.replace(r":\*", r":[0-9]{1,5}").replace(r"\*\.", r"[a-z0-9-]+\.")
        parts.append(escaped)
    return "^(?:" + "|".join(parts) + ")$" if parts else None


class CountingCORS:
    """Starlette's CORS middleware, counting requests from other origins it does not allow
    (a page served by the gateway itself, the explorer, is its own origin)."""

    def __init__(self, app: ASGIApp, settings: Settings, on_refused: Callable[[], None]) -> None:
        pattern = origin_pattern(origins_of(settings))
        self._allowed = re.compile(pattern) if pattern else None
        self._on_refused = on_refused
        self.cors = CORSMiddleware(
            app,
            allow_origin_regex=pattern,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=allowed_headers(settings),
            allow_credentials=settings.cors_credentials,
            expose_headers=EXPOSED,
            max_age=int(settings.cors_max_age_s),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            origin = headers.get(b"origin", b"").decode("latin-1")
            host = headers.get(b"host", b"").decode("latin-1")
            own = origin.split("://", 1)[-1] == host
            if origin and not own and not (self._allowed and self._allowed.match(origin)):
                self._on_refused()
        await self.cors(scope, receive, send)
