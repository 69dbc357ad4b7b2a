"""The urban-management system's workflow operations, as the connector calls them: one call per
step (each with the caller's request number, so a retried step is done once), the cases' flows
in batches, an attachment's bytes, and the feed of cases changed since a time."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any, cast

from .base import chunks
from .errors import BackendContractError
from .records import Page, UrbanCaseRecord, UrbanFlowRecord

BATCH_CAP = 50  # codes a batch look-up takes, for cases and flows alike
BEIJING = timezone(timedelta(hours=8))
STEPS = frozenset(
    {
        "AcceptCase",
        "RegisterCase",
        "DispatchCase",
        "Whistle",
        "ReportIn",
        "HandleCase",
        "VerifyCase",
        "CloseCase",
        "VoidCase",
        "ReturnCase",
        "RequestExtension",
    }
)


def legacy_time(value: datetime) -> str:
    """Beijing time as the system writes it, yyyyMMddHHmmss with no zone."""
    return value.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


class UrbanWorkflowCalls:
    call: Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]

    async def step(
        self,
        operation: str,
        number: str,
        *,
        operator: str,
        unit: str,
        note: str | None = None,
        request: str | None = None,
        department: str | None = None,
        departments: list[str] | None = None,
        deadline: datetime | None = None,
        passed: bool | None = None,
        days: int | None = None,
        attachments: list[tuple[str, bytes]] | None = None,
    ) -> dict[str, Any]:
        """One workflow step; answers the case's new stage (ZT) and version (BBH)."""
        if operation not in STEPS:
            raise ValueError(operation)
        params: dict[str, Any] = {
            "AJBH": number,
            "CZR": operator,
            "CZBM": unit,
            "YJ": note or None,
            "QQBH": request,
            "ZRBM": department,
            "BDBM": departments,
            "CSSX": legacy_time(deadline) if deadline else None,
            "HCJG": None if passed is None else ("1" if passed else "0"),
            "YQTS": days,
            "FJ": attachment_items(attachments) if attachments else None,
        }
        return await self.call(operation, params)

    async def case_flows(self, numbers: list[str]) -> list[UrbanFlowRecord]:
        found = await asyncio.gather(
            *(self.call("GetCaseFlows", {"Codes": c}) for c in chunks(numbers, BATCH_CAP))
        )
        return [f for result in found for f in cast(list[UrbanFlowRecord], result.get("Flows", []))]

    async def attachment(self, number: str, attachment_id: str) -> tuple[str, bytes]:
        result = await self.call("GetAttachment", {"AJBH": number, "FJBH": attachment_id})
        try:
            return str(result["FJLX"]), base64.b64decode(result.get("FJNR", ""), validate=True)
        except (KeyError, binascii.Error) as error:
            raise BackendContractError("urban-management", "GetAttachment", "FJNR") from error

    async def changed_cases(
        self, since: datetime, page: int = 1, size: int = 100
    ) -> Page[UrbanCaseRecord]:
        result = await self.call(
            "QueryChangedCases",
            {"GXSJ": legacy_time(since), "PageSize": size, "CurrentPageIndex": page},
        )
        return Page(int(result["TotalCount"]), cast(list[UrbanCaseRecord], result.get("Cases", [])))


def attachment_items(attachments: list[tuple[str, bytes]]) -> list[dict[str, str]]:
    return [
        {"FJLX": kind, "FJNR": base64.b64encode(content).decode("ascii")}
        for kind, content in attachments
    ]
