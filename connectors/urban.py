"""The urban-management connector: SOAP 1.1 in GBK, a session that expires, paging, batch caps.

One login serves every concurrent caller; a SOAP Fault 1002 (session expired or unknown) clears
the session and the call is made once more after a fresh login.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any, cast
from xml.etree.ElementTree import Element, ParseError, XMLParser
from xml.sax.saxutils import escape

import httpx

from .base import Backend, BackendSettings, chunks, status_error
from .credentials import SingleFlight
from .errors import BackendContractError, BackendStatusError
from .records import (
    Page,
    UrbanCaseRecord,
    UrbanDepartmentRecord,
    UrbanGridRecord,
    UrbanStatisticsRecord,
)
from .urban_workflow import BATCH_CAP, STEPS, UrbanWorkflowCalls, legacy_time

NAMESPACE = "http://urban.govgraph.local/ws/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
ENDPOINT = "/UrbanService.asmx"
PAGE_SIZE_CAP = 100
SESSION_FAULT = "1002"
WRITES = frozenset({"ReportCase", "RateCase"}) | STEPS
ARRAYS = {"Grids", "Cases", "Departments", "WGYS", "ZTTJ", "DLTJ", "Flows", "LSJL", "CSBM", "FJ"}
DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def envelope(operation: str, params: dict[str, Any]) -> bytes:
    parts = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, list):
            inner = "".join(_item(v) for v in value)
            parts.append(f"<tns:{name}>{inner}</tns:{name}>")
        else:
            parts.append(f"<tns:{name}>{escape(str(value))}</tns:{name}>")
    text = (
        '<?xml version="1.0" encoding="GBK"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:tns="{NAMESPACE}"><soap:Body>'
        f"<tns:{operation}>{''.join(parts)}</tns:{operation}></soap:Body></soap:Envelope>"
    )
    return text.encode("gbk", errors="xmlcharrefreplace")


def _item(value: object) -> str:
    """A code as ArrayOfString's item; a record (an attachment) as its own element."""
    if isinstance(value, dict):
        inner = "".join(f"<tns:{k}>{escape(str(v))}</tns:{k}>" for k, v in value.items())
        return f"<tns:AttachmentUpload>{inner}</tns:AttachmentUpload>"
    return f"<tns:string>{escape(str(value))}</tns:string>"


LOCAL_NAMES: dict[str, str] = {}  # "{namespace}name" -> name, for the tags a system sends


def _local(tag: str) -> str:
    name = LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1]
        if len(LOCAL_NAMES) < 1024:  # bounded: a forged reply cannot grow it without end
            LOCAL_NAMES[tag] = name
    return name


def _to_value(element: Element) -> Any:
    """An element as a string (a leaf), a list (a known array) or a dict of its children. Leaf
    children are read in the parent's loop, their names looked up in place: most elements are
    leaves, and a call each was a third of this walk."""
    if _local(element.tag) in ARRAYS:
        return [_to_value(child) for child in element]
    if len(element) == 0:
        return (element.text or "").strip()
    found: dict[str, Any] = {}
    names = LOCAL_NAMES
    for child in element:
        tag = child.tag
        name = names.get(tag) or _local(tag)
        if len(child) or name in ARRAYS:
            found[name] = _to_value(child)
        else:
            text = child.text
            found[name] = text.strip() if text else ""
    return found


class SoapFaultReply(Exception):
    def __init__(self, number: str, side: str, stage: str = "") -> None:
        super().__init__(number)
        self.number = number
        self.side = side
        self.stage = stage  # the case's stage, where a step did not apply to it


def parse_xml(text: str) -> Element:
    """SOAP 1.1 forbids a DTD in a message, and a document without one can declare no entity:
    refusing any DTD means nothing is ever expanded or fetched. expat's C tree builder then
    parses three times as fast as defusedxml's Python one, which watches for declarations.
    XML keywords are case-sensitive and a raw `<!` cannot occur in text, so the check is exact
    (it refuses the string even inside CDATA or a comment, which costs nothing)."""
    if "<!DOCTYPE" in text:
        raise ValueError("a DTD in a SOAP message")
    parser = XMLParser()  # noqa: S314  (no DTD, hence no entities: see above)
    try:
        parser.feed(text)
        return parser.close()
    except ParseError as error:
        raise ValueError("unparseable XML") from error


def parse_reply(content: bytes, operation: str) -> dict[str, Any]:
    """The operation's result as nested dicts of strings; raises SoapFaultReply or ValueError."""
    # expat cannot read GBK itself: decode first, then parse the text without its declaration.
    text = DECLARATION.sub(b"", content, count=1).decode("gbk")
    root = parse_xml(text)
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None or len(body) == 0:
        raise ValueError("no SOAP Body")
    reply = body[0]
    if _local(reply.tag) == "Fault":
        number = reply.findtext(f"detail/{{{NAMESPACE}}}ErrorCode") or ""
        side = (reply.findtext("faultcode") or "").rsplit(":", 1)[-1]
        stage = reply.findtext(f"detail/{{{NAMESPACE}}}ZT") or ""
        raise SoapFaultReply(number, side, stage)
    if _local(reply.tag) != f"{operation}Response" or len(reply) == 0:
        raise ValueError("unexpected reply element")
    result = _to_value(reply[0])
    if not isinstance(result, dict):
        raise ValueError("empty result")
    return result


class UrbanConnector(UrbanWorkflowCalls):
    def __init__(
        self,
        settings: BackendSettings,
        username: str,
        password: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.backend = Backend("urban-management", settings, transport)
        self.username = username
        self.password = password
        self._token: str | None = None
        self._login = SingleFlight()
        self.logins = 0

    async def aclose(self) -> None:
        await self.backend.aclose()

    async def _post(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        request = self.backend.request(
            "POST",
            ENDPOINT,
            content=envelope(operation, params),
            headers={
                "Content-Type": "text/xml; charset=GBK",
                "SOAPAction": f'"{NAMESPACE}{operation}"',
            },
        )
        response = await self.backend.send(operation, request, idempotent=operation not in WRITES)
        with self.backend.mapping_errors(operation):
            # SOAP 1.1 sends faults with HTTP 500; any other non-200 is the transport's.
            if response.status_code not in (200, 500):
                raise status_error(self.backend.name, operation, response.status_code)
            try:
                return parse_reply(response.content, operation)
            except UnicodeDecodeError as error:
                raise BackendContractError(self.backend.name, operation, "not GBK") from error

    async def _fetch_token(self) -> str:
        try:
            result = await self._post(
                "Login", {"UserName": self.username, "Password": self.password}
            )
        except SoapFaultReply as fault:
            raise BackendStatusError(self.backend.name, "Login", f"fault {fault.number}") from None
        self.logins += 1
        token = result.get("Token")
        if not isinstance(token, str) or not token:
            raise BackendContractError(self.backend.name, "Login", "no Token")
        self._token = token
        return token

    async def _session(self) -> str:
        if self._token is not None:
            return self._token
        return await self._login.run(self._fetch_token)

    async def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        for attempt in (1, 2):
            token = await self._session()
            try:
                return await self._post(operation, {"Token": token, **params})
            except SoapFaultReply as fault:
                if fault.number == SESSION_FAULT and attempt == 1:
                    if self._token == token:
                        self._token = None
                    continue
                more = {"stage": fault.stage} if fault.stage else {}
                raise BackendStatusError(
                    self.backend.name,
                    operation,
                    f"fault {fault.number}",
                    fault=fault.number,
                    **more,
                ) from None
        raise BackendStatusError(self.backend.name, operation, "session refused after login")

    # -- operations -----------------------------------------------------------------
    async def grids(
        self,
        page: int = 1,
        size: int = PAGE_SIZE_CAP,
        community: str | None = None,
        parent: str | None = None,
    ) -> Page[UrbanGridRecord]:
        result = await self.call(
            "GetGrids",
            {
                "SQBM": community,
                "SJWGBM": parent,
                "PageSize": min(size, PAGE_SIZE_CAP),
                "CurrentPageIndex": page,
            },
        )
        return Page(int(result["TotalCount"]), cast(list[UrbanGridRecord], result.get("Grids", [])))

    async def all_grids(self) -> list[UrbanGridRecord]:
        first = await self.grids(1)
        pages = range(2, -(-first.total // PAGE_SIZE_CAP) + 1)
        rest = await asyncio.gather(*(self.grids(p) for p in pages))
        return [*first.items, *(g for page in rest for g in page.items)]

    async def grids_by_codes(self, codes: list[str]) -> list[UrbanGridRecord]:
        found = await asyncio.gather(
            *(self.call("GetGridsByCodes", {"Codes": chunk}) for chunk in chunks(codes, BATCH_CAP))
        )
        return [g for result in found for g in cast(list[UrbanGridRecord], result.get("Grids", []))]

    async def departments(self) -> list[UrbanDepartmentRecord]:
        result = await self.call("GetDepartments", {})
        return cast(list[UrbanDepartmentRecord], result.get("Departments", []))

    async def cases(
        self,
        *,
        grid: str | None = None,
        reporter_id: str | None = None,
        reporter_phone: str | None = None,
        status: str | None = None,
        main_class: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        page: int = 1,
        size: int = 20,
    ) -> Page[UrbanCaseRecord]:
        params = {
            "WGBM": grid,
            "SBRSFZH": reporter_id,
            "SBRDH": reporter_phone,
            "ZT": status,
            "DLBM": main_class,
            "KSSJ": legacy_time(start) if start else None,
            "JSSJ": legacy_time(end) if end else None,
            "PageSize": min(size, PAGE_SIZE_CAP),
            "CurrentPageIndex": page,
        }
        result = await self.call("QueryCases", params)
        return Page(int(result["TotalCount"]), cast(list[UrbanCaseRecord], result.get("Cases", [])))

    async def cases_by_numbers(self, numbers: list[str]) -> list[UrbanCaseRecord]:
        found = await asyncio.gather(
            *(
                self.call("GetCasesByCodes", {"Codes": chunk})
                for chunk in chunks(numbers, BATCH_CAP)
            )
        )
        return [c for result in found for c in cast(list[UrbanCaseRecord], result.get("Cases", []))]

    async def statistics(
        self, kind: str, target: str, start: datetime, end: datetime
    ) -> UrbanStatisticsRecord:
        result = await self.call(
            "GetStatistics",
            {"TJLX": kind, "TJDX": target, "KSSJ": legacy_time(start), "JSSJ": legacy_time(end)},
        )
        return cast(UrbanStatisticsRecord, result["Statistics"])

    async def report_case(self, fields: dict[str, object]) -> dict[str, Any]:
        return await self.call("ReportCase", dict(fields))

    async def rate_case(self, number: str, satisfaction: str) -> dict[str, Any]:
        return await self.call("RateCase", {"AJBH": number, "MYD": satisfaction})
