"""The legal-aid and mediation mock as an ASGI app: REST with JSON, OAuth2 client credentials,
a per-client rate limit (429 with Retry-After), no batch look-up, cursor paging."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from ..harness import Harness, MockIdentity
from ..journal import note_of
from ..json_contract import parse_json
from ..population import Applicant, Population, id_number_is_valid
from .access import RateLimiter, TokenIssuer
from .checks import QUERY_REFUSAL, body_violation, query_violation, validate_application
from .openapi import openapi_document
from .records import (
    Record,
    application_record,
    dispute_record,
    lawyer_record,
    office_record,
    workstation_record,
)

CLIENT_ID = "govgraph"
CLIENT_SECRET = "legal-demo-secret-2026"  # noqa: S105  (the mock's published demo credential)
API = "/api/v1"
PAGE_LIMIT_DEFAULT = 20
PAGE_LIMIT_CAP = 50


def problem(status: int, error: str, message: str, **extra: Any) -> JSONResponse:
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = f'Bearer realm="legal-aid", error="{error}"'
    return JSONResponse({"error": error, "message": message, **extra}, status, headers=headers)


def _classify(scope: Scope) -> str:
    method: str = scope["method"]
    path: str = scope["path"]
    parts = path.strip("/").split("/")
    if parts[:2] == ["oauth", "token"]:
        return "token"
    if parts[:2] != ["api", "v1"] or len(parts) < 3:
        return path
    resource = parts[2].replace("-", "_")
    if method == "POST":
        return f"create_{resource}"
    return f"get_{resource}" if len(parts) > 3 else f"list_{resource}"


def _busy() -> Response:
    return problem(503, "service_unavailable", "系统繁忙，请稍后再试")


def _cursor_offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode() + b"==").decode()
        prefix, _, number = decoded.partition(":")
        if prefix != "o" or not number.isdigit():
            raise ValueError(cursor)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("invalid cursor") from error


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def paged(request: Request, records: Sequence[Record]) -> Response:
    try:
        offset = _cursor_offset(request.query_params.get("cursor"))
        limit = int(request.query_params.get("limit", PAGE_LIMIT_DEFAULT))
    except ValueError:
        return problem(400, "invalid_request", "cursor 或 limit 无效")
    if not 1 <= limit <= PAGE_LIMIT_CAP:
        return problem(400, "invalid_request", f"limit 应在 1 到 {PAGE_LIMIT_CAP} 之间")
    items = list(records[offset : offset + limit])
    more = offset + limit < len(records)
    return JSONResponse({"items": items, "next_cursor": _cursor(offset + limit) if more else None})


def create_legal_app(
    population: Population,
    *,
    client_id: str = CLIENT_ID,
    client_secret: str = CLIENT_SECRET,
    token_ttl_s: float = 300.0,
    rate_limit_rps: float = 20.0,
    clock: Callable[[], float] = time.monotonic,
) -> Harness:
    issuer = TokenIssuer({client_id: client_secret}, token_ttl_s, clock)
    limiter = RateLimiter(rate_limit_rps, clock)
    legal = population.legal

    async def token(request: Request) -> Response:
        form = {
            k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()
        }
        if form.get("grant_type") != "client_credentials":
            return problem(400, "unsupported_grant_type", "仅支持 client_credentials")
        cid, secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            try:
                cid, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            except (ValueError, binascii.Error, UnicodeDecodeError):
                return problem(401, "invalid_client", "客户端认证失败")
        issued = issuer.issue(cid, secret)
        if issued is None:
            return problem(401, "invalid_client", "客户端认证失败")
        return JSONResponse(
            {
                "access_token": issued,
                "token_type": "Bearer",
                "expires_in": int(token_ttl_s),
                "scope": "legal-aid",
            },
            headers={"Cache-Control": "no-store"},
        )

    def guarded(handler: Callable[[Request], Any], template: str) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            authorization = request.headers.get("authorization", "")
            if not authorization.lower().startswith("bearer "):
                return problem(401, "invalid_token", "缺少访问令牌")
            client, reason = issuer.client_of(authorization[7:].strip())
            if client is None:
                return problem(401, "invalid_token", reason)
            wait = limiter.acquire(client)
            if wait:
                response = problem(429, "rate_limited", "请求过于频繁")
                response.headers["Retry-After"] = str(wait)
                return response
            note = note_of(request.scope)
            if note.validate and request.method == "GET":
                violation = query_violation(template, list(request.query_params.multi_items()))
                if violation is not None:
                    note.refused(violation.reason, violation.message)
                    return problem(400, QUERY_REFUSAL, violation.message, field=violation.field)
            result: Response = await handler(request)
            return result

        return endpoint

    async def get_application(request: Request) -> Response:
        code = request.path_params["code"]
        found = next((a for a in legal.applications if a.record_code == code), None)
        if found is None:
            return problem(404, "not_found", "申请不存在")
        return JSONResponse(application_record(found))

    async def list_applications(request: Request) -> Response:
        identity, area = (
            request.query_params.get("apply_identity_no"),
            request.query_params.get("case_area_id"),
        )
        status = request.query_params.get("status")
        if bool(identity) == bool(area):
            return problem(
                400, "invalid_request", "apply_identity_no 与 case_area_id 须且只能提供一个"
            )
        if identity and not id_number_is_valid(identity):
            return problem(400, "invalid_request", "apply_identity_no 格式错误")
        matched = [
            application_record(a)
            for a in legal.applications
            if (identity is None or a.applicant.id_number == identity.upper())
            and (area is None or a.community_code == area)
            and (status is None or a.status == status)
        ]
        return paged(request, matched)

    async def create_application(request: Request) -> Response:
        note = note_of(request.scope)
        try:
            body = parse_json(await request.body())
        except ValueError:
            note.refused("malformed-json", "请求体不是合法JSON")
            return problem(400, "invalid_request", "请求体不是合法JSON")
        if not isinstance(body, dict):
            note.refused("wrong-type", "请求体应为JSON对象")
            return problem(400, "invalid_request", "请求体应为JSON对象")
        if note.validate:
            violation = body_violation("/applications", body)
            if violation is not None:
                note.refused(violation.reason, violation.message)
                fields = {violation.field: violation.reason}
                return problem(422, "validation_failed", "字段校验失败", fields=fields)
        errors, values = validate_application(body, population)
        if errors:
            return problem(422, "validation_failed", "字段校验失败", fields=errors)
        applicant = Applicant(
            name=values["apply_name"],
            male=int(values["apply_identity_no"][16]) % 2 == 1,
            phone=values["apply_phone"],
            id_number=values["apply_identity_no"],
            address=values["apply_address"],
        )
        record = population.apply_legal_aid(
            applicant,
            values["case_area_id"],
            values["aid_type"],
            values["case_type"],
            values["dispute_description"],
            date.fromisoformat(values["happened_date"]),
        )
        return JSONResponse(application_record(record), 201)

    async def list_disputes(request: Request) -> Response:
        identity, area = (
            request.query_params.get("party_identity_no"),
            request.query_params.get("case_area_id"),
        )
        if bool(identity) == bool(area):
            return problem(
                400, "invalid_request", "party_identity_no 与 case_area_id 须且只能提供一个"
            )
        matched = [
            dispute_record(d)
            for d in legal.disputes
            if (area is None or d.community_code == area)
            and (identity is None or any(p.id_number == identity.upper() for p in d.parties))
        ]
        return paged(request, matched)

    async def get_dispute(request: Request) -> Response:
        found = next((d for d in legal.disputes if d.id == request.path_params["id"]), None)
        if found is None:
            return problem(404, "not_found", "纠纷不存在")
        return JSONResponse(dispute_record(found))

    async def list_lawyers(request: Request) -> Response:
        office = request.query_params.get("law_office_id")
        return paged(
            request, [lawyer_record(x) for x in legal.lawyers if office in (None, x.office_id)]
        )

    async def get_lawyer(request: Request) -> Response:
        found = next((x for x in legal.lawyers if x.id == request.path_params["id"]), None)
        return (
            JSONResponse(lawyer_record(found)) if found else problem(404, "not_found", "律师不存在")
        )

    async def list_offices(request: Request) -> Response:
        return paged(request, [office_record(o) for o in legal.offices])

    async def get_office(request: Request) -> Response:
        found = next((o for o in legal.offices if o.id == request.path_params["id"]), None)
        return (
            JSONResponse(office_record(found)) if found else problem(404, "not_found", "律所不存在")
        )

    async def list_workstations(request: Request) -> Response:
        area = request.query_params.get("case_area_id")
        return paged(
            request,
            [workstation_record(w) for w in legal.workstations if area in (None, w.community_code)],
        )

    async def contract(request: Request) -> Response:
        return JSONResponse(openapi_document())

    harness = Harness(
        MockIdentity(
            system="legal-aid",
            endpoint=API,
            contract="/openapi.json",
            credentials={
                "client_id": client_id,
                "client_secret": client_secret,
                "token_url": "/oauth/token",
            },
        ),
        _classify,
        _busy,
        seed=population.seed + 2,
    )
    routes = [
        Route("/oauth/token", token, methods=["POST"]),
        Route(f"{API}/applications", guarded(list_applications, "/applications"), methods=["GET"]),
        Route(
            f"{API}/applications", guarded(create_application, "/applications"), methods=["POST"]
        ),
        Route(
            f"{API}/applications/{{code}}",
            guarded(get_application, "/applications/{record_code}"),
            methods=["GET"],
        ),
        Route(f"{API}/disputes", guarded(list_disputes, "/disputes"), methods=["GET"]),
        Route(
            f"{API}/disputes/{{id}}",
            guarded(get_dispute, "/disputes/{dispute_id}"),
            methods=["GET"],
        ),
        Route(f"{API}/lawyers", guarded(list_lawyers, "/lawyers"), methods=["GET"]),
        Route(
            f"{API}/lawyers/{{id}}", guarded(get_lawyer, "/lawyers/{lawyer_id}"), methods=["GET"]
        ),
        Route(f"{API}/law-offices", guarded(list_offices, "/law-offices"), methods=["GET"]),
        Route(
            f"{API}/law-offices/{{id}}",
            guarded(get_office, "/law-offices/{lawyer_office_id}"),
            methods=["GET"],
        ),
        Route(f"{API}/workstations", guarded(list_workstations, "/workstations"), methods=["GET"]),
        Route("/openapi.json", contract, methods=["GET"]),
        *harness.admin_routes(),
    ]
    harness.wrap(Starlette(routes=routes))
    return harness
