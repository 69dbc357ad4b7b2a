"""Hand-built legacy requests, as an integrator would write them (no gateway code)."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.sax.saxutils import escape

import httpx

from mocks.civil import APP_KEY, SECRET, sign
from mocks.legal import CLIENT_ID, CLIENT_SECRET
from mocks.population import beijing_now
from mocks.urban import NAMESPACE, PASSWORD, USERNAME
from mocks.urban.contract import OPERATIONS

SOAP_PATH = "/UrbanService.asmx"


def soap_envelope(operation: str, **params: object) -> bytes:
    """The call with its parameters in the WSDL's order, as a client generated from it sends
    them; an operation the contract lacks keeps the order given."""
    declared = [p.name for p in OPERATIONS[operation].params] if operation in OPERATIONS else []
    order = {name: i for i, name in enumerate(declared)}
    parts = []
    for name, value in sorted(params.items(), key=lambda item: order.get(item[0], len(order))):
        if isinstance(value, list):
            inner = "".join(
                "<tns:AttachmentUpload>"
                + "".join(f"<tns:{k}>{escape(str(x))}</tns:{k}>" for k, x in v.items())
                + "</tns:AttachmentUpload>"
                if isinstance(v, dict)
                else f"<tns:string>{escape(str(v))}</tns:string>"
                for v in value
            )
            parts.append(f"<tns:{name}>{inner}</tns:{name}>")
        else:
            parts.append(f"<tns:{name}>{escape(str(value))}</tns:{name}>")
    text = (
        '<?xml version="1.0" encoding="GBK"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:tns="{NAMESPACE}"><soap:Body><tns:{operation}>{"".join(parts)}'
        f"</tns:{operation}></soap:Body></soap:Envelope>"
    )
    return text.encode("gbk")


async def soap_call(client: httpx.AsyncClient, operation: str, **params: object) -> httpx.Response:
    return await client.post(
        SOAP_PATH,
        content=soap_envelope(operation, **params),
        headers={
            "SOAPAction": f'"{NAMESPACE}{operation}"',
            "Content-Type": "text/xml; charset=GBK",
        },
    )


def soap_text(response: httpx.Response) -> str:
    return response.content.decode("gbk")


def soap_values(response: httpx.Response, element: str) -> list[str]:
    return re.findall(rf"<{element}>([^<]*)</{element}>", soap_text(response))


async def soap_login(client: httpx.AsyncClient) -> str:
    response = await soap_call(client, "Login", UserName=USERNAME, Password=PASSWORD)
    assert response.status_code == 200
    return soap_values(response, "Token")[0]


def civil_form(data: Any, request_time: str | None = None, secret: str = SECRET) -> dict[str, str]:
    request_time = request_time or beijing_now().strftime("%Y%m%d%H%M%S")
    return {
        "data": json.dumps(data, ensure_ascii=False),
        "appKey": APP_KEY,
        "requestTime": request_time,
        "sign": sign(APP_KEY, secret, request_time),
    }


async def civil_call(client: httpx.AsyncClient, service: str, data: Any) -> dict[str, Any]:
    response = await client.post(f"/gateway/api/{service}", data=civil_form(data))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def legal_token(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
