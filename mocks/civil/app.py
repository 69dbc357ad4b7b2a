"""The civil-affairs mock as an ASGI app: the provincial data-sharing gateway.

Every call is a form POST of `data` (JSON), `appKey`, `requestTime` (yyyyMMddHHmmss, Beijing
time) and `sign` = MD5(appKey + secret + requestTime). Answers are always HTTP 200 with an
envelope {"code", "msg", "data", "total"}; failures are codes 96-99 in the body.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from ..harness import Harness, MockIdentity
from ..journal import note_of
from ..json_contract import first_violation, parse_json
from ..population import BEIJING, Population, beijing_now
from .openapi import data_validator, openapi_document
from .service import CivilAffairsService, EnvelopeError

API_PREFIX = "/gateway/api/"
APP_KEY = "govgraph-demo"
SECRET = "civil-demo-secret-2026"  # noqa: S105  (the mock's published demo credential)
MAX_SKEW = timedelta(minutes=5)
MAX_BODY_BYTES = 1_000_000
FORM_FIELDS = ("appKey", "requestTime", "sign", "data")
# a missing field is 97, a field the service does not define 96 (data error), any other
# departure from the documented types 98
VIOLATION_CODES = {"missing-field": "97", "unknown-field": "96"}


def envelope(code: str, message: str, data: Any = None, total: int = 0) -> Response:
    body = {"code": code, "msg": message, "data": data, "total": total}
    return JSONResponse(body, 200)


def sign(app_key: str, secret: str, request_time: str) -> str:
    return hashlib.md5(
        (app_key + secret + request_time).encode(), usedforsecurity=False
    ).hexdigest()


def _classify(scope: Scope) -> str:
    path: str = scope["path"]
    return path.removeprefix(API_PREFIX) if path.startswith(API_PREFIX) else path


def _form_text(body: bytes) -> str:
    return unquote_plus(body.decode("utf-8", "replace"))


def _busy() -> Response:
    return envelope("99", "系统繁忙，请稍后再试")


def create_civil_app(
    population: Population,
    *,
    app_key: str = APP_KEY,
    secret: str = SECRET,
    clock: Callable[[], datetime] = beijing_now,
) -> Harness:
    service = CivilAffairsService(population)

    def check_signature(form: dict[str, str]) -> None:
        if form.get("appKey") != app_key:
            raise EnvelopeError("99", "appKey无效", "unknown-app-key")
        request_time = form.get("requestTime", "")
        try:
            sent = datetime.strptime(request_time, "%Y%m%d%H%M%S").replace(tzinfo=BEIJING)
        except ValueError as error:
            raise EnvelopeError("98", "requestTime格式错误", "bad-format") from error
        if abs(clock() - sent) > MAX_SKEW:
            raise EnvelopeError("99", "请求已过期", "stale-request")
        if not hmac.compare_digest(
            form.get("sign", "").lower(), sign(app_key, secret, request_time)
        ):
            raise EnvelopeError("99", "签名错误", "bad-signature")

    async def call(request: Request) -> Response:
        name = request.path_params["service"]
        note = note_of(request.scope)
        try:
            if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
                raise EnvelopeError("99", "请求过大", "too-large")
            try:
                fields = parse_qs((await request.body()).decode("utf-8"), max_num_fields=10)
            except (UnicodeDecodeError, ValueError) as error:
                raise EnvelopeError("98", "请求格式错误", "malformed-form") from error
            form = {k: v[0] for k, v in fields.items()}
            for field in FORM_FIELDS:
                if not form.get(field):
                    raise EnvelopeError("97", f"缺少参数{field}", "missing-field")
            check_signature(form)
            if note.validate:
                unknown = sorted(set(form) - set(FORM_FIELDS))
                if unknown:
                    message = f"未定义的参数 / unknown field: {unknown[0][:40]}"
                    raise EnvelopeError("96", message, "unknown-field")
            handler = service.handlers.get(name)
            if handler is None:
                raise EnvelopeError("99", "服务不存在", "unknown-operation")
            try:
                data = parse_json(form["data"])
            except ValueError as error:
                raise EnvelopeError("98", "参数data不是合法JSON", "malformed-json") from error
            if not isinstance(data, dict):
                raise EnvelopeError("98", "参数data应为JSON对象", "wrong-type")
            if note.validate:
                violation = first_violation(data_validator(name), data)
                if violation is not None:
                    code = VIOLATION_CODES.get(violation.reason, "98")
                    raise EnvelopeError(code, violation.message, violation.reason)
            result, total = handler(data)
        except EnvelopeError as error:
            if error.reason:
                note.refused(error.reason, error.message)
            return envelope(error.code, error.message)
        return envelope("00", "成功", result, total)

    async def contract(request: Request) -> Response:
        return JSONResponse(openapi_document(list(service.handlers)))

    harness = Harness(
        MockIdentity(
            system="civil-affairs",
            endpoint=API_PREFIX,
            contract="/openapi.json",
            credentials={"appKey": app_key, "secret": secret},
        ),
        _classify,
        _busy,
        seed=population.seed + 1,
        read_body=_form_text,
    )
    routes = [
        Route(API_PREFIX + "{service}", call, methods=["POST"]),
        Route("/openapi.json", contract, methods=["GET"]),
        *harness.admin_routes(),
    ]
    harness.wrap(Starlette(routes=routes))
    return harness
