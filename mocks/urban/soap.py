"""SOAP 1.1 envelopes in GBK, as the urban-management system reads and writes them."""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .contract import ARRAY_ITEMS, NAMESPACE, RECORD_TYPES

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
ENCODING = re.compile(rb'encoding\s*=\s*["\']([A-Za-z0-9_\-]+)["\']')

Record = dict[str, Any]


class SoapFault(Exception):
    """A fault the service reports to its caller: code Client or Server, and a numbered reason."""

    def __init__(
        self,
        side: str,
        number: str,
        message: str,
        detail: dict[str, str] | None = None,
        reason: str = "",
    ) -> None:
        super().__init__(message)
        self.side = side
        self.number = number
        self.message = message
        self.detail = detail or {}
        self.reason = reason  # the contract violation, for the journal; "" for other faults


def decode_body(body: bytes) -> str:
    """Text of a request body: GBK unless the declaration names another encoding."""
    declared = XML_DECLARATION.match(body)
    encoding = "gbk"
    if declared:
        named = ENCODING.search(declared.group(0))
        if named:
            encoding = named.group(1).decode("ascii").lower()
        body = body[declared.end() :]
    try:
        return body.decode(encoding)
    except (LookupError, UnicodeDecodeError) as error:
        raise SoapFault("Client", "2000", "报文编码错误", reason="bad-encoding") from error


def parse_request(body: bytes) -> Element:
    """The body's first element: the call, named by the operation, holding its parameters."""
    try:
        root = SafeET.fromstring(decode_body(body))
    except (SafeET.ParseError, DefusedXmlException) as error:
        raise SoapFault("Client", "2000", "报文格式错误", reason="malformed-xml") from error
    soap_body = root.find(f"{{{SOAP_ENV}}}Body")
    if root.tag != f"{{{SOAP_ENV}}}Envelope" or soap_body is None or len(soap_body) == 0:
        raise SoapFault("Client", "2000", "缺少SOAP Body", reason="not-a-soap-envelope")
    return soap_body[0]


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return escape(str(value))


def _serialise(name: str, kind: str, value: object) -> str:
    if value is None or value == "":
        return f"<{name}/>" if kind not in ARRAY_ITEMS and kind not in RECORD_TYPES else ""
    if kind in ARRAY_ITEMS:
        item = ARRAY_ITEMS[kind]
        assert isinstance(value, list)  # noqa: S101
        inner = "".join(
            f"<string>{_value(v)}</string>" if item == "string" else _serialise(item, item, v)
            for v in value
        )
        return f"<{name}>{inner}</{name}>"
    if kind in RECORD_TYPES:
        assert isinstance(value, dict)  # noqa: S101
        inner = "".join(_serialise(m, k, value.get(m)) for m, k in RECORD_TYPES[kind])
        return f"<{name}>{inner}</{name}>"
    return f"<{name}>{_value(value)}</{name}>"


def _envelope(inner: str) -> bytes:
    text = (
        '<?xml version="1.0" encoding="GBK"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        f"<soap:Body>{inner}</soap:Body></soap:Envelope>"
    )
    return text.encode("gbk", errors="xmlcharrefreplace")


def render_response(operation: str, result: tuple[tuple[str, str], ...], values: Record) -> bytes:
    inner = "".join(_serialise(name, kind, values.get(name)) for name, kind in result)
    return _envelope(
        f'<{operation}Response xmlns="{NAMESPACE}"><{operation}Result>{inner}'
        f"</{operation}Result></{operation}Response>"
    )


def render_fault(fault: SoapFault) -> bytes:
    more = "".join(
        f'<{name} xmlns="{NAMESPACE}">{escape(value)}</{name}>'
        for name, value in fault.detail.items()
    )
    return _envelope(
        f"<soap:Fault><faultcode>soap:{fault.side}</faultcode>"
        f"<faultstring>{escape(fault.message)}</faultstring>"
        f'<detail><ErrorCode xmlns="{NAMESPACE}">{fault.number}</ErrorCode>{more}</detail>'
        "</soap:Fault>"
    )
