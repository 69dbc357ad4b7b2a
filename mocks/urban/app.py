"""The urban-management mock as an ASGI app: SOAP 1.1 over HTTP in GBK, with its WSDL."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Scope

from ..harness import Harness, MockIdentity
from ..journal import note_of
from ..population import Population
from .contract import ENDPOINT_PATH, NAMESPACE, OPERATIONS
from .schema_check import check_call
from .service import UrbanService
from .soap import SoapFault, decode_body, parse_request, render_fault, render_response
from .wsdl import render_wsdl

CONTENT_TYPE = "text/xml; charset=GBK"
USERNAME = "gateway"
PASSWORD = "Urban@2026"  # noqa: S105  (the mock's published demo credential)
MAX_BODY_BYTES = 40_000_000  # attachments travel in the call, as Base64


def _fault_response(fault: SoapFault) -> Response:
    return Response(render_fault(fault), 500, media_type=CONTENT_TYPE)


def _busy() -> Response:
    return _fault_response(SoapFault("Server", "9999", "系统繁忙，请稍后再试"))


def _classify(scope: Scope) -> str:
    if scope["method"] == "GET":
        return "WSDL"
    action = dict(scope["headers"]).get(b"soapaction", b"").decode("latin-1").strip('"')
    return action.rsplit("/", 1)[-1] or "unknown"


def _text_of(body: bytes) -> str:
    try:
        return decode_body(body)
    except SoapFault:
        return body.decode("latin-1")


def create_urban_app(
    population: Population,
    *,
    username: str = USERNAME,
    password: str = PASSWORD,
    session_ttl_s: float = 1800.0,
    clock: Callable[[], float] = time.monotonic,
) -> Harness:
    service = UrbanService(population, username, password, session_ttl_s, clock)

    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            if "wsdl" not in {k.lower() for k in request.query_params}:
                return Response(
                    "使用 ?wsdl 获取服务描述", 200, media_type="text/plain; charset=utf-8"
                )
            location = str(request.url.replace(query=""))
            return Response(render_wsdl(location).encode("gbk"), media_type=CONTENT_TYPE)
        body = await request.body()
        note = note_of(request.scope)
        try:
            if len(body) > MAX_BODY_BYTES:
                raise SoapFault("Client", "2000", "报文过大", reason="too-large")
            call = parse_request(body)
            operation = call.tag.split("}", 1)[-1]
            action = request.headers.get("soapaction", "").strip('"')
            if action and action != f"{NAMESPACE}{operation}":
                raise SoapFault(
                    "Client", "2000", "SOAPAction与报文不符", reason="soapaction-mismatch"
                )
            if note.validate:
                check_call(call)
            params = {child.tag.split("}", 1)[-1]: child for child in call}
            result = service.call(operation, params)
        except SoapFault as fault:
            if fault.reason:
                note.refused(fault.reason, fault.message)
            return _fault_response(fault)
        return Response(
            render_response(operation, OPERATIONS[operation].result, result),
            media_type=CONTENT_TYPE,
        )

    harness = Harness(
        MockIdentity(
            system="urban-management",
            endpoint=ENDPOINT_PATH,
            contract=f"{ENDPOINT_PATH}?wsdl",
            credentials={"username": username, "password": password},
        ),
        _classify,
        _busy,
        seed=population.seed,
        read_body=_text_of,
    )
    routes = [Route(ENDPOINT_PATH, endpoint, methods=["GET", "POST"]), *harness.admin_routes()]
    harness.wrap(Starlette(routes=routes))
    return harness
