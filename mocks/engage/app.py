"""The engagement platform mock as an ASGI app: a vendor's mini-program backend. WeChat-style
access tokens (`GET /cgi-bin/token`, 7200 s), every answer HTTP 200 with an `errcode` (0 is
success), a per-minute limit and a daily quota per appid, JSON bodies posted with the token in
the query string, offset/count paging of at most 50."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from ..harness import Harness, MockIdentity
from ..journal import note_of
from ..json_contract import parse_json
from ..population import Population
from .contract import BY_PATH, OPERATIONS, PlatformError, checked
from .openapi import openapi_document
from .service import EngagementService

APP_ID = "wx5e7d1c0a9b3f2e41"
APP_SECRET = "engage-demo-secret-2026"  # noqa: S105  (the mock's published demo credential)
MAX_BODY_BYTES = 64_000


def errcode(code: int, detail: str = "") -> JSONResponse:
    error = PlatformError(code, detail)
    return JSONResponse({"errcode": error.errcode, "errmsg": error.errmsg})


@dataclass(slots=True)
class Quota:
    """Calls per appid: `per_minute` in each clock minute, `daily` in each day (0: no limit)."""

    per_minute: int = 3000
    daily: int = 1_000_000
    minute: int = -1
    in_minute: int = 0
    day: int = -1
    in_day: int = 0
    tokens: dict[str, float] = field(default_factory=dict)

    def spend(self, now: float) -> int:
        """0 if the call may go ahead, else the platform's errcode (45011 or 45009)."""
        minute, day = int(now // 60), int(now // 86400)
        if minute != self.minute:
            self.minute, self.in_minute = minute, 0
        if day != self.day:
            self.day, self.in_day = day, 0
        if self.daily and self.in_day >= self.daily:
            return 45009
        if self.per_minute and self.in_minute >= self.per_minute:
            return 45011
        self.in_minute += 1
        self.in_day += 1
        return 0


def _classify(scope: Scope) -> str:
    path: str = scope["path"]
    if path == "/cgi-bin/token":
        return "token"
    op = BY_PATH.get(path)
    return op.name if op is not None else path


def _busy() -> Response:
    return errcode(-1)


def create_engage_app(
    population: Population,
    *,
    app_id: str = APP_ID,
    app_secret: str = APP_SECRET,
    token_ttl_s: int = 7200,
    quota: Quota | None = None,
    clock: Callable[[], float] = time.time,
) -> Harness:
    service = EngagementService(population)
    limits = quota or Quota()

    async def token(request: Request) -> Response:
        query = request.query_params
        if query.get("grant_type") != "client_credential":
            return errcode(40002)
        if query.get("appid") != app_id:
            return errcode(40013)
        if not secrets.compare_digest(query.get("secret", ""), app_secret):
            return errcode(40001)
        now = clock()
        limits.tokens = {t: expiry for t, expiry in limits.tokens.items() if expiry > now}
        issued = secrets.token_urlsafe(48)
        limits.tokens[issued] = now + token_ttl_s
        return JSONResponse({"access_token": issued, "expires_in": token_ttl_s})

    async def call(request: Request) -> Response:
        op = BY_PATH[request.url.path]
        now = clock()
        expiry = limits.tokens.get(request.query_params.get("access_token", ""))
        if expiry is None:
            return errcode(40001)
        if expiry <= now:
            return errcode(42001)
        refused = limits.spend(now)
        if refused:
            return errcode(refused)
        raw = await request.body()
        if not raw:
            return errcode(44002)
        if len(raw) > MAX_BODY_BYTES:
            return errcode(47001, "body too large")
        note = note_of(request.scope)
        try:
            body = checked(op, parse_json(raw), strict=note.validate)
            answer = service.call(op.name, body)
        except (ValueError, UnicodeDecodeError):
            note.refused("malformed-json", "body is not JSON")
            return errcode(47001, "body is not JSON")
        except PlatformError as error:
            if error.reason:
                note.refused(error.reason, error.errmsg)
            return JSONResponse({"errcode": error.errcode, "errmsg": error.errmsg})
        return JSONResponse({"errcode": 0, "errmsg": "ok", **answer})

    async def not_post(request: Request) -> Response:
        return errcode(43002)

    async def contract(request: Request) -> Response:
        return JSONResponse(openapi_document())

    async def set_quota(request: Request) -> Response:
        """Admin: the platform's limits for this appid (`{"per_minute": N, "daily": N}`)."""
        try:
            wanted: Any = json.loads(await request.body() or b"{}")
            for name in ("per_minute", "daily"):
                value = wanted.get(name, getattr(limits, name))
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{name} must be a non-negative integer")
                setattr(limits, name, value)
            limits.in_minute = limits.in_day = 0
        except (ValueError, AttributeError) as error:
            return JSONResponse({"error": str(error)}, 400)
        return JSONResponse({"per_minute": limits.per_minute, "daily": limits.daily})

    async def expire_tokens(request: Request) -> Response:
        """Admin: every issued token expires now (the next call answers 42001)."""
        limits.tokens = dict.fromkeys(limits.tokens, clock())
        return JSONResponse({"expired": len(limits.tokens)})

    harness = Harness(
        MockIdentity(
            system="engagement",
            endpoint="/api",
            contract="/openapi.json",
            credentials={"appid": app_id, "secret": app_secret, "token_url": "/cgi-bin/token"},
        ),
        _classify,
        _busy,
        seed=population.seed + 3,
    )
    routes = [
        Route("/cgi-bin/token", token, methods=["GET"]),
        *(Route(op.path, call, methods=["POST"]) for op in OPERATIONS.values()),
        *(Route(op.path, not_post, methods=["GET"]) for op in OPERATIONS.values()),
        Route("/openapi.json", contract, methods=["GET"]),
        Route("/__admin/quota", set_quota, methods=["POST"]),
        Route("/__admin/expire-tokens", expire_tokens, methods=["POST"]),
        *harness.admin_routes(),
    ]
    harness.wrap(Starlette(routes=routes))
    return harness
