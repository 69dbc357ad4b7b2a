"""The staff's case workflow as mutations: 受理 → 立案 → 派遣 → 处置 → 核查 → 结案, or 作废;
退回, 延期, 吹哨 and 报到. A step the case's stage does not allow is an error with
`extensions.code: INVALID_TRANSITION` and the stage; a value the system refuses is a field
error. Which role takes which step is the policy table's `Mutation.*` rows and
`gateway.access.case_workflow`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry
from strawberry.file_uploads import Upload

from .cases import UrbanCase, as_beijing
from .context import CaseAction, CheckedFile
from .errors import Rejected, field_errors
from .text import bilingual as d

if TYPE_CHECKING:
    from .mutations import Checks, FieldError


FieldErrorRef: TypeAlias = Annotated["FieldError", strawberry.lazy("schema.mutations")]
UPLOAD_DESCRIPTION = d(
    "上传的文件（GraphQL multipart 请求；网关已核验类型并去除元数据）",
    "A file sent by the GraphQL multipart request, checked and stripped by the gateway",
)
NOTE_LIMIT = 500
# Steps whose note is required, and the input field that carries it.
REQUIRED_NOTE = {
    "VoidCase": "reason",
    "ReturnCase": "reason",
    "RequestExtension": "reason",
    "HandleCase": "result",
}
DEPARTMENT_CODE_LENGTH = 4
WHISTLE_WINDOW = timedelta(days=7)


def is_department_code(code: str) -> bool:
    """The form of a 职能部门's code (BM09): four ASCII letters or digits."""
    return len(code) == DEPARTMENT_CODE_LENGTH and code.isascii() and code.isalnum()


@strawberry.type(description=d("办理结果", "The result of a workflow step"))
class CaseStepPayload:
    case: UrbanCase | None = strawberry.field(
        default=None, description=d("办理后的案件", "The case after the step")
    )
    errors: list[FieldErrorRef] = strawberry.field(
        default_factory=list, description=d("字段错误", "Field errors")
    )


@strawberry.input(description=d("办理一步（意见可选）", "A step, with an optional note"))
class CaseStepInput:
    case_number: str = strawberry.field(description=d("案件编号", "Case number"))
    note: str | None = strawberry.field(default=None, description=d("意见", "Note"))


@strawberry.input(description=d("派遣", "Dispatch to a department"))
class DispatchCaseInput:
    case_number: str = strawberry.field(description=d("案件编号", "Case number"))
    department: str = strawberry.field(description=d("责任部门编码", "Department code"))
    note: str | None = strawberry.field(default=None, description=d("意见", "Note"))


@strawberry.input(description=d("吹哨：召集多个部门限时报到", "Call departments to a case"))
class WhistleInput:
    case_number: str = strawberry.field(description=d("案件编号", "Case number"))
    departments: list[str] = strawberry.field(
        description=d("部门编码（至少两个）", "Department codes, two or more")
    )
    deadline: datetime = strawberry.field(
        description=d("报到时限（7天内）", "Report-in deadline, within 7 days")
    )
    note: str | None = strawberry.field(default=None, description=d("事由", "Why"))


@strawberry.input(description=d("处置并反馈结果", "Handle a case and report the result"))
class HandleCaseInput:
    case_number: str = strawberry.field(description=d("案件编号", "Case number"))
    result: str = strawberry.field(description=d("处置结果（最多500字）", "The result"))
    attachments: list[Upload] | None = strawberry.field(
        default=None,
        description=d(
            "处置后的图片或录音（multipart 上传）",
            "Pictures or voice recordings of the result (GraphQL multipart request)",
        ),
    )


@strawberry.input(description=d("核查", "Verify a handled case"))
class VerifyCaseInput:
    case_number: str = strawberry.field(description=d("案件编号", "Case number"))
    passed: bool = strawberry.field(
        description=d("是否通过（不通过则返回处置）", "Passed, or back to handling")
    )
    note: str | None = strawberry.field(default=None, description=d("核查意见", "Note"))


@strawberry.input(description=d("作废或退回（须说明原因）", "Void or send back, with a reason"))
class CaseReasonInput:
    case_number: str = strawberry.field(description=d("案件编号", "Case number"))
    reason: str = strawberry.field(description=d("原因（最多500字）", "Reason"))


@strawberry.input(description=d("申请延期", "Ask for more time"))
class RequestExtensionInput:
    case_number: str = strawberry.field(description=d("案件编号", "Case number"))
    days: int = strawberry.field(description=d("延期天数（1-15）", "Days, 1 to 15"))
    reason: str = strawberry.field(description=d("理由（最多500字）", "Reason"))


def checked_files(uploads: list[Upload] | None) -> tuple[CheckedFile, ...]:
    """The gateway's HTTP layer checks every uploaded file before the operation runs and
    hands on only what passed; anything else here is a request that bypassed it."""
    files = tuple(uploads or ())
    if not all(isinstance(f, CheckedFile) for f in files):
        raise Rejected("attachments", "附件须以 multipart 上传 / attach files by multipart upload")
    return files  # type: ignore[return-value]


async def _take(info: strawberry.Info, action: CaseAction) -> CaseStepPayload:
    from .mutations import Checks

    check = Checks()
    check.code("caseNumber", action.number, 16)
    required = action.operation in REQUIRED_NOTE
    field = REQUIRED_NOTE.get(action.operation, "note")
    check.text(field, action.note, NOTE_LIMIT, required=required)
    if action.department is not None:
        check.require(
            is_department_code(action.department),
            "department",
            "部门编码应为4位 / a department code has 4 characters",
        )
    if action.operation == "Whistle":
        _check_whistle(check, action, info.context.data.now())
    if check.errors:
        return CaseStepPayload(errors=check.errors)
    try:
        case = await info.context.data.act_on_case(action)
    except Rejected as error:
        return CaseStepPayload(errors=field_errors(error))
    return CaseStepPayload(case=UrbanCase.of(case))


def _check_whistle(check: Checks, action: CaseAction, now: datetime) -> None:
    """What the system refuses of a 吹哨, as the field it is about: fewer than two departments,
    a code that cannot be one, a deadline not within the next 7 days."""
    called = set(action.departments)
    check.require(
        len(called) >= 2 and all(is_department_code(c) for c in called),
        "departments",
        "至少两个4位部门编码 / two or more department codes of 4 characters",
    )
    deadline = action.deadline
    check.require(
        deadline is not None and now < deadline <= now + WHISTLE_WINDOW,
        "deadline",
        "报到时限应在7天之内 / the deadline must be within the next 7 days",
    )


def _reason(input: CaseReasonInput | RequestExtensionInput) -> str | None:
    return input.reason.strip() or None


@strawberry.type
class CaseWorkflowMutations:
    @strawberry.mutation(description=d("受理（城管调度）", "Accept a reported case (dispatcher)"))
    async def accept_case(self, info: strawberry.Info, input: CaseStepInput) -> CaseStepPayload:
        return await _take(info, CaseAction("AcceptCase", input.case_number, input.note))

    @strawberry.mutation(description=d("立案（城管调度）", "Register a case (dispatcher)"))
    async def register_case(self, info: strawberry.Info, input: CaseStepInput) -> CaseStepPayload:
        return await _take(info, CaseAction("RegisterCase", input.case_number, input.note))

    @strawberry.mutation(description=d("派遣（城管调度）", "Dispatch to a department"))
    async def dispatch_case(
        self, info: strawberry.Info, input: DispatchCaseInput
    ) -> CaseStepPayload:
        action = CaseAction("DispatchCase", input.case_number, input.note, input.department)
        return await _take(info, action)

    @strawberry.mutation(
        description=d(
            "吹哨（城管调度、社区）", "Call departments to a case (dispatcher, community)"
        )
    )
    async def whistle(self, info: strawberry.Info, input: WhistleInput) -> CaseStepPayload:
        action = CaseAction(
            "Whistle",
            input.case_number,
            input.note,
            departments=tuple(input.departments),
            deadline=as_beijing(input.deadline),
        )
        return await _take(info, action)

    @strawberry.mutation(description=d("报到（被吹哨部门）", "Report in to a 吹哨 (department)"))
    async def report_in(self, info: strawberry.Info, input: CaseStepInput) -> CaseStepPayload:
        return await _take(info, CaseAction("ReportIn", input.case_number, input.note))

    @strawberry.mutation(description=d("处置并反馈（责任部门）", "Handle a case (department)"))
    async def handle_case(self, info: strawberry.Info, input: HandleCaseInput) -> CaseStepPayload:
        try:
            files = checked_files(input.attachments)
        except Rejected as error:
            return CaseStepPayload(errors=field_errors(error))
        action = CaseAction(
            "HandleCase", input.case_number, input.result.strip() or None, attachments=files
        )
        return await _take(info, action)

    @strawberry.mutation(description=d("核查（网格员）", "Verify a handled case (grid worker)"))
    async def verify_case(self, info: strawberry.Info, input: VerifyCaseInput) -> CaseStepPayload:
        action = CaseAction("VerifyCase", input.case_number, input.note, passed=input.passed)
        return await _take(info, action)

    @strawberry.mutation(description=d("结案（城管调度）", "Close a verified case (dispatcher)"))
    async def close_case(self, info: strawberry.Info, input: CaseStepInput) -> CaseStepPayload:
        return await _take(info, CaseAction("CloseCase", input.case_number, input.note))

    @strawberry.mutation(description=d("作废（城管调度）", "Void a case before dispatch"))
    async def void_case(self, info: strawberry.Info, input: CaseReasonInput) -> CaseStepPayload:
        return await _take(info, CaseAction("VoidCase", input.case_number, _reason(input)))

    @strawberry.mutation(
        description=d("退回（责任部门）", "Send a case back to the dispatcher (department)")
    )
    async def return_case(self, info: strawberry.Info, input: CaseReasonInput) -> CaseStepPayload:
        return await _take(info, CaseAction("ReturnCase", input.case_number, _reason(input)))

    @strawberry.mutation(description=d("申请延期（责任部门）", "Ask for more time (department)"))
    async def request_extension(
        self, info: strawberry.Info, input: RequestExtensionInput
    ) -> CaseStepPayload:
        action = CaseAction("RequestExtension", input.case_number, _reason(input), days=input.days)
        return await _take(info, action)
