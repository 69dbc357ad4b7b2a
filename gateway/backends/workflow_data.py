"""The urban system's workflow as part of a request's data: a step on a case (its refusals
turned into field errors or INVALID_TRANSITION), a case's flow by batches, an attachment's
bytes. Who acts and for which unit is decided above, by `gateway.access.case_workflow`."""

from __future__ import annotations

import hashlib
from functools import cached_property

import adapters
from connectors.errors import BackendStatusError, InvalidTransitionError
from gateway.backends.loaders import Loader, by_key
from gateway.backends.request_base import URBAN
from gateway.backends.urban_data import UrbanData
from gateway.backends.wiring import adapt
from schema import CaseAction, Rejected

STEP_NAMES = {
    "AcceptCase": "受理",
    "RegisterCase": "立案",
    "DispatchCase": "派遣",
    "Whistle": "吹哨",
    "ReportIn": "报到",
    "HandleCase": "处置",
    "VerifyCase": "核查",
    "CloseCase": "结案",
    "VoidCase": "作废",
    "ReturnCase": "退回",
    "RequestExtension": "延期",
}
# Where a value given for a step was refused, the input field a form shows it on.
REFUSED_FIELD = {
    "DispatchCase": "department",
    "Whistle": "departments",
    "RequestExtension": "days",
    "VerifyCase": "passed",
}


class WorkflowData(UrbanData):
    @cached_property
    def _flows_loader(self) -> Loader[str, adapters.CaseFlow | None]:
        return self._loader(self._load_flows, 50)

    async def _load_flows(self, numbers: list[str]) -> list[adapters.CaseFlow | None]:
        records = await self.backends.urban.case_flows(numbers)
        flows = adapt(URBAN, "GetCaseFlows", adapters.case_flow_from_urban, records)
        return by_key(numbers, {f.number: f for f in flows}, None)

    async def case_flow(self, number: str) -> adapters.CaseFlow | None:
        return await self._flows_loader.load(number)

    def _request_number(self, action: CaseAction) -> str | None:
        """The legacy system's request number for this write: from the caller's key, so a retry
        with the same key is one step, and without the caller's name in it."""
        if self.write_key is None:
            return None
        seed = f"{self.write_key}:{action.operation}:{action.number}".encode()
        return hashlib.sha256(seed).hexdigest()[:32]

    async def act_on_case(
        self, action: CaseAction, operator: str = "", unit: str = ""
    ) -> adapters.UrbanCase:
        try:
            await self.backends.urban.step(
                action.operation,
                action.number,
                operator=operator,
                unit=unit,
                note=action.note,
                request=self._request_number(action),
                department=action.department,
                departments=list(action.departments) or None,
                deadline=action.deadline,
                passed=action.passed,
                days=action.days,
                attachments=[(f.kind, f.content) for f in action.attachments] or None,
            )
        except BackendStatusError as error:
            raise refusal(action, error) from None
        return await self._fetch_case(action.number, action.operation)


def refusal(action: CaseAction, error: BackendStatusError) -> Exception:
    """What a SOAP fault to a step means to the caller."""
    fault = error.extensions.get("fault")
    step = STEP_NAMES[action.operation]
    if fault == "3003":
        stage = str(error.extensions.get("stage") or "")
        status = adapters.urban.URBAN_STATUS.get(stage)
        return InvalidTransitionError(step, stage, status.name if status else "")
    if fault == "3001":
        field = "department" if action.operation == "DispatchCase" else "caseNumber"
        return Rejected(field, "不存在 / not found")
    if fault == "3004":
        return Rejected("caseNumber", "非本部门案件 / not your department's case")
    if fault == "3005":
        return Rejected("days", "每案最多延期两次 / at most two extensions a case")
    if fault == "3006":
        return Rejected("attachments", "附件过多或过大 / too many or too large attachments")
    if fault in ("2001", "2002"):
        return Rejected(REFUSED_FIELD.get(action.operation, "note"), "取值不被接受 / refused")
    return error
