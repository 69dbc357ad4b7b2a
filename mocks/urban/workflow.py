"""The urban system's workflow operations: 受理 → 立案 → 派遣 → 处置 → 核查 → 结案, or 作废, with
退回 (a department sends a case back), 延期 (an extension), 吹哨 (the community calls departments)
and 报到 (each reports in). Each checks the case's stage and answers fault 3003 with the stage
when the step does not apply; a request number (QQBH) seen before answers as it did then."""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..population import Population, UrbanCase
from ..population.case_flow import Attachment, CaseFlow, Step, WhistleCall, flow_of
from ..population.vocab import DEPARTMENTS
from .records import Record, case_record, legacy_time
from .soap import SoapFault

DEPARTMENT_CODES = frozenset(code for code, _, _ in DEPARTMENTS)
ATTACHMENT_KINDS = frozenset({"image/jpeg", "image/png", "image/heic", "audio/amr", "audio/mpeg"})
ATTACHMENT_MAX_BYTES = 5_000_000
ATTACHMENTS_PER_CASE = 9
MAX_EXTENSIONS = 2
OPEN_BEFORE_DISPATCH = frozenset({"待受理", "受理", "立案"})
WITH_DEPARTMENT = frozenset({"派遣", "处置"})


class StageFault(SoapFault):
    """The step does not apply to the case as it stands: the fault's detail names its stage."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__("Client", "3003", message, {"ZT": stage})


class WorkflowOperations:
    population: Population

    # -- shared -----------------------------------------------------------------------
    def _flow(self, number: str) -> tuple[UrbanCase, CaseFlow]:
        """The case and its workflow; a drawn case's is taken over (kept) only by a step that
        succeeds."""
        case = self.population.case(number)
        if case is None:
            raise SoapFault("Client", "3001", "案件不存在")
        return case, case.flow or flow_of(case, self.population.now())

    def _step(
        self,
        args: dict[str, Any],
        allowed: frozenset[str],
        name: str,
        change: Callable[[UrbanCase, CaseFlow, datetime], str | None],
    ) -> Record:
        case, flow = self._flow(args["AJBH"])
        request = args.get("QQBH")
        if request and flow.requests.get(request) == name:
            return self._done(flow)
        if flow.stage not in allowed:
            raise StageFault(flow.stage, f"案件当前为{flow.stage}，不能{name}")
        now = self.population.now()
        next_stage = change(case, flow, now)
        if next_stage is not None:
            flow.stage = next_stage
        flow.history.append(Step(name, now, args["CZR"], args["CZBM"], args.get("YJ") or ""))
        flow.modified = now
        flow.version += 1
        if request:
            flow.requests[request] = name
        self.population.writes.flows[case.number] = flow
        self.population.writes.version += 1
        return self._done(flow)

    @staticmethod
    def _done(flow: CaseFlow) -> Record:
        return {"ZT": flow.stage, "BBH": flow.version, "GXSJ": legacy_time(flow.modified)}

    @staticmethod
    def _own_department(flow: CaseFlow, unit: str) -> None:
        called = flow.whistle.reported if flow.whistle else {}
        if unit != flow.department and unit not in called:
            raise SoapFault("Client", "3004", "非本部门案件")

    @staticmethod
    def _note(args: dict[str, Any], what: str) -> None:
        if not args.get("YJ"):
            raise SoapFault("Client", "2001", f"缺少参数YJ（{what}）", reason="missing-element")
        if len(args["YJ"]) > 500:
            raise SoapFault("Client", "2002", "参数YJ超长", reason="too-long")

    @staticmethod
    def _decoded(items: list[Record], already: int, stage: str) -> list[Attachment]:
        """Every attachment checked before any is kept: a bad one keeps none."""
        if already + len(items) > ATTACHMENTS_PER_CASE:
            raise SoapFault("Client", "3006", f"每案附件最多{ATTACHMENTS_PER_CASE}个")
        decoded = []
        for item in items:
            kind = item.get("FJLX", "")
            if kind not in ATTACHMENT_KINDS:
                raise SoapFault("Client", "2002", "参数FJLX取值错误", reason="not-allowed-value")
            try:
                content = base64.b64decode(item.get("FJNR", ""), validate=True)
            except binascii.Error as error:
                raise SoapFault("Client", "2002", "参数FJNR不是Base64") from error
            if not content or len(content) > ATTACHMENT_MAX_BYTES:
                raise SoapFault("Client", "3006", "附件为空或过大")
            decoded.append(Attachment(f"FJ{secrets.token_hex(8)}", kind, content, stage))
        return decoded

    # -- the steps ----------------------------------------------------------------------
    def op_AcceptCase(self, args: dict[str, Any]) -> Record:
        return self._step(args, frozenset({"待受理"}), "受理", lambda c, f, now: "受理")

    def op_RegisterCase(self, args: dict[str, Any]) -> Record:
        return self._step(args, frozenset({"受理"}), "立案", lambda c, f, now: "立案")

    def op_DispatchCase(self, args: dict[str, Any]) -> Record:
        department = args["ZRBM"]
        if department not in DEPARTMENT_CODES:
            raise SoapFault("Client", "3001", "部门不存在")

        def dispatch(case: UrbanCase, flow: CaseFlow, now: datetime) -> str:
            flow.department = department
            flow.dispatched = now
            flow.deadline = now + timedelta(hours=case.event.limit_hours, days=flow.extension_days)
            flow.dispatch_count += 1
            return "派遣"

        return self._step(args, frozenset({"立案"}), "派遣", dispatch)

    def op_Whistle(self, args: dict[str, Any]) -> Record:
        called = list(dict.fromkeys(args["BDBM"]))
        if len(called) < 2 or any(c not in DEPARTMENT_CODES for c in called):
            raise SoapFault("Client", "2002", "参数BDBM应为至少两个部门编码")
        deadline: datetime = args["CSSX"]
        now = self.population.now()
        if not now < deadline <= now + timedelta(days=7):
            raise SoapFault("Client", "2002", "参数CSSX应在7天之内")

        def whistle(case: UrbanCase, flow: CaseFlow, at: datetime) -> str:
            flow.whistle = WhistleCall(at, deadline, {code: None for code in called})
            if flow.dispatched is None:
                flow.dispatched = at
                flow.dispatch_count += 1
            flow.deadline = max(flow.deadline or deadline, deadline)
            return "派遣"

        allowed = frozenset({"立案", *WITH_DEPARTMENT})
        return self._step(args, allowed, "吹哨", whistle)

    def op_ReportIn(self, args: dict[str, Any]) -> Record:
        def report_in(case: UrbanCase, flow: CaseFlow, now: datetime) -> str | None:
            whistle = flow.whistle
            if whistle is None or args["CZBM"] not in whistle.reported:
                raise SoapFault("Client", "3004", "本部门未被吹哨")
            if whistle.reported[args["CZBM"]] is not None:
                raise StageFault(flow.stage, "本部门已报到")
            whistle.reported[args["CZBM"]] = now
            return "处置" if all(whistle.reported.values()) else None

        return self._step(args, WITH_DEPARTMENT, "报到", report_in)

    def op_HandleCase(self, args: dict[str, Any]) -> Record:
        self._note(args, "处置结果")

        def handle(case: UrbanCase, flow: CaseFlow, now: datetime) -> str:
            self._own_department(flow, args["CZBM"])
            if flow.whistle is not None and not all(flow.whistle.reported.values()):
                raise StageFault(flow.stage, "尚有部门未报到")
            flow.attachments.extend(
                self._decoded(args.get("FJ") or [], len(flow.attachments), "处置")
            )
            flow.handled = now
            flow.verified = False
            return "核查"

        return self._step(args, WITH_DEPARTMENT, "处置", handle)

    def op_VerifyCase(self, args: dict[str, Any]) -> Record:
        passed = args["HCJG"] == "1"
        if args["HCJG"] not in ("0", "1"):
            raise SoapFault("Client", "2002", "参数HCJG应为1或0")

        def verify(case: UrbanCase, flow: CaseFlow, now: datetime) -> str:
            flow.verified = passed
            if not passed:
                flow.handled = None  # handled again, in time or not
            return "核查" if passed else "处置"

        return self._step(args, frozenset({"核查"}), "核查", verify)

    def op_CloseCase(self, args: dict[str, Any]) -> Record:
        def close(case: UrbanCase, flow: CaseFlow, now: datetime) -> str:
            if not flow.verified:
                raise StageFault(flow.stage, "未经核查通过，不能结案")
            flow.closed = now
            return "结案"

        return self._step(args, frozenset({"核查"}), "结案", close)

    def op_VoidCase(self, args: dict[str, Any]) -> Record:
        self._note(args, "作废原因")

        def void(case: UrbanCase, flow: CaseFlow, now: datetime) -> str:
            flow.closed = now
            return "作废"

        return self._step(args, OPEN_BEFORE_DISPATCH, "作废", void)

    def op_ReturnCase(self, args: dict[str, Any]) -> Record:
        self._note(args, "退回原因")

        def send_back(case: UrbanCase, flow: CaseFlow, now: datetime) -> str:
            self._own_department(flow, args["CZBM"])
            flow.whistle = None
            flow.dispatched = flow.deadline = None
            return "立案"

        return self._step(args, WITH_DEPARTMENT, "退回", send_back)

    def op_RequestExtension(self, args: dict[str, Any]) -> Record:
        self._note(args, "延期理由")
        days = args["YQTS"]
        if not 1 <= days <= 15:
            raise SoapFault("Client", "2002", "参数YQTS应在1到15天之间")

        def extend(case: UrbanCase, flow: CaseFlow, now: datetime) -> None:
            self._own_department(flow, args["CZBM"])
            if flow.extensions >= MAX_EXTENSIONS:
                raise SoapFault("Client", "3005", f"每案最多延期{MAX_EXTENSIONS}次")
            flow.extensions += 1
            flow.extension_days += days
            if flow.deadline is not None:
                flow.deadline += timedelta(days=days)

        return self._step(args, WITH_DEPARTMENT, "延期", extend)

    # -- reading the workflow ----------------------------------------------------------------
    def op_GetCaseFlows(self, args: dict[str, Any]) -> Record:
        now = self.population.now()
        flows = []
        for number in args["Codes"]:
            case = self.population.case(number)
            if case is None:
                continue
            flow = case.flow or flow_of(case, now)
            whistle = flow.whistle
            flows.append(
                {
                    "AJBH": number,
                    "LSJL": [
                        {
                            "BZ": s.name,
                            "SJ": legacy_time(s.at),
                            "CZR": s.operator,
                            "CZBM": s.unit,
                            "YJ": s.note,
                        }
                        for s in flow.history
                    ],
                    "CSSJ": legacy_time(whistle.called_at if whistle else None),
                    "CSSX": legacy_time(whistle.deadline if whistle else None),
                    "CSBM": [
                        {"BMBM": code, "BDSJ": legacy_time(at)}
                        for code, at in (whistle.reported.items() if whistle else ())
                    ],
                    "FJ": [
                        {
                            "FJBH": a.attachment_id,
                            "FJLX": a.kind,
                            "DX": len(a.content),
                            "JD": a.stage,
                        }
                        for a in flow.attachments
                    ],
                    "YQTS": flow.extension_days,
                }
            )
        return {"Flows": flows}

    def op_GetAttachment(self, args: dict[str, Any]) -> Record:
        _, flow = self._flow(args["AJBH"])
        for attachment in flow.attachments:
            if attachment.attachment_id == args["FJBH"]:
                return {
                    "FJBH": attachment.attachment_id,
                    "FJLX": attachment.kind,
                    "FJNR": base64.b64encode(attachment.content).decode("ascii"),
                }
        raise SoapFault("Client", "3001", "附件不存在")

    def op_QueryChangedCases(self, args: dict[str, Any]) -> Record:
        """Cases changed at or after GXSJ, oldest change first: the incremental feed."""
        size = args.get("PageSize") or 100
        index = args.get("CurrentPageIndex") or 1
        if not 1 <= size <= 100 or index < 1:
            raise SoapFault("Client", "2004", "PageSize应在1到100之间")
        since: datetime = args["GXSJ"]
        changed = sorted(
            (f.modified, n) for n, f in self.population.writes.flows.items() if f.modified >= since
        )
        page = changed[(index - 1) * size : index * size]
        now = self.population.now()
        cases = [self.population.case(n) for _, n in page]
        return {
            "TotalCount": len(changed),
            "PageSize": size,
            "CurrentPageIndex": index,
            "Cases": [case_record(c, now) for c in cases if c is not None],
        }
