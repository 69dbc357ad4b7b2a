"""Writes. Each validates its input and answers with field errors a form can show, or with the
created or changed object."""

from __future__ import annotations

import re
from datetime import date
from enum import Enum

import strawberry
from strawberry.file_uploads import Upload

from adapters.normalise import ascii_digits, id_number_is_valid, normalise_phone

from .cases import LegalAidCase, UrbanCase
from .context import NewLegalAidApplication, NewUrbanCase
from .errors import Rejected, field_errors
from .extensions import fields_for
from .services import Enrolment
from .text import bilingual as d
from .workflow import CaseWorkflowMutations, checked_files

SUB_CLASS = re.compile(r"^\d{4}$")


@strawberry.type(
    description=d("字段错误，供表单显示", "An error on one input field, for a form to show")
)
class FieldError:
    field: str = strawberry.field(description=d("字段名", "Input field"))
    message: str = strawberry.field(description=d("说明", "What is wrong"))


@strawberry.enum(description=d("案件来源", "Where a case came from"))
class CaseSource(Enum):
    PATROL = "监督员上报"
    HOTLINE = "12345热线"
    MINI_PROGRAM = "公众举报/小程序"
    VIDEO = "视频"
    ASSIGNED = "上级交办"


@strawberry.enum(description=d("满意度", "Satisfaction"))
class Satisfaction(Enum):
    SATISFIED = "满意"
    BASICALLY_SATISFIED = "基本满意"
    DISSATISFIED = "不满意"


@strawberry.enum(description=d("法律援助案件类别", "Legal-aid case type"))
class LegalCaseType(Enum):
    CRIMINAL = "刑事"
    CIVIL = "民事"
    ADMINISTRATIVE = "行政"


@strawberry.enum(description=d("法律援助类型", "Type of legal aid"))
class AidType(Enum):
    CRIMINAL_DEFENCE = "刑事辩护"
    CIVIL_REPRESENTATION = "民事代理"
    ADMINISTRATIVE_REPRESENTATION = "行政代理"
    NON_LITIGATION = "非诉讼代理"
    LABOUR_ARBITRATION = "劳动争议仲裁代理"


@strawberry.input(description=d("上报案件", "Report a case"))
class ReportCaseInput:
    grid_code: str = strawberry.field(description=d("网格编码", "Grid code"))
    sub_class_code: str = strawberry.field(
        description=d("小类编码（4位）", "Sub-class code, 4 digits")
    )
    source: CaseSource = strawberry.field(description=d("来源", "Source"))
    description: str = strawberry.field(
        description=d("问题描述（最多500字）", "Description, at most 500 characters")
    )
    address: str = strawberry.field(
        description=d("地址（最多200字）", "Address, at most 200 characters")
    )
    longitude: float | None = strawberry.field(default=None, description=d("经度", "Longitude"))
    latitude: float | None = strawberry.field(default=None, description=d("纬度", "Latitude"))
    reporter_name: str | None = strawberry.field(
        default=None, description=d("上报人姓名", "Reporter's name")
    )
    reporter_phone: str | None = strawberry.field(
        default=None, description=d("上报人手机号", "Reporter's mobile")
    )
    reporter_id_number: str | None = strawberry.field(
        default=None, description=d("上报人身份证号", "Reporter's ID number")
    )
    attachments: list[Upload] | None = strawberry.field(
        default=None,
        description=d(
            "图片或录音（multipart 上传，每次最多4个）",
            "Pictures or voice recordings (GraphQL multipart request)",
        ),
    )


@strawberry.input(description=d("评价已结案案件", "Rate a closed case"))
class RateCaseInput:
    case_number: str = strawberry.field(description=d("案件编号", "Case number"))
    satisfaction: Satisfaction = strawberry.field(description=d("满意度", "Satisfaction"))


@strawberry.input(description=d("申请法律援助", "Apply for legal aid"))
class ApplyLegalAidInput:
    name: str = strawberry.field(description=d("姓名", "Name"))
    id_number: str = strawberry.field(description=d("身份证号", "ID number"))
    phone: str = strawberry.field(description=d("手机号", "Mobile"))
    address: str = strawberry.field(description=d("住址", "Address"))
    community_code: str = strawberry.field(description=d("社区编码", "Community code"))
    aid_type: AidType = strawberry.field(description=d("援助类型", "Type of aid"))
    case_type: LegalCaseType = strawberry.field(description=d("案件类别", "Case type"))
    description: str = strawberry.field(
        description=d("纠纷描述（最多1000字）", "Description, at most 1000 characters")
    )
    happened_on: date = strawberry.field(description=d("发生日期", "When it happened"))


@strawberry.input(description=d("报名服务", "Enrol a resident in a service"))
class EnrolInServiceInput:
    registry_number: str = strawberry.field(description=d("人口编号", "Registry number"))
    service_code: str = strawberry.field(description=d("服务编号", "Service id"))
    center_code: str = strawberry.field(description=d("服务阵地编号", "Centre id"))


@strawberry.type(description=d("上报结果", "Result of reporting a case"))
class ReportCasePayload:
    case: UrbanCase | None = strawberry.field(description=d("新案件", "The new case"))
    errors: list[FieldError] = strawberry.field(description=d("字段错误", "Field errors"))


@strawberry.type(description=d("评价结果", "Result of rating a case"))
class RateCasePayload:
    case: UrbanCase | None = strawberry.field(description=d("评价后的案件", "The rated case"))
    errors: list[FieldError] = strawberry.field(description=d("字段错误", "Field errors"))


@strawberry.type(description=d("申请结果", "Result of applying for legal aid"))
class ApplyLegalAidPayload:
    case: LegalAidCase | None = strawberry.field(description=d("新申请", "The new application"))
    errors: list[FieldError] = strawberry.field(description=d("字段错误", "Field errors"))


@strawberry.type(description=d("报名结果", "Result of enrolling"))
class EnrolInServicePayload:
    enrolment: Enrolment | None = strawberry.field(description=d("报名记录", "The enrolment"))
    errors: list[FieldError] = strawberry.field(description=d("字段错误", "Field errors"))


class Checks:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def require(self, ok: bool, field: str, message: str) -> None:
        if not ok:
            self.errors.append(FieldError(field=field, message=message))

    def text(self, field: str, value: str | None, longest: int, required: bool = True) -> None:
        if value is None or not value.strip():
            self.require(not required, field, "必填 / required")
        else:
            self.require(
                len(value) <= longest, field, f"最多{longest}字 / at most {longest} characters"
            )

    def id_number(self, field: str, value: str | None) -> None:
        if value:
            self.require(
                id_number_is_valid(value), field, "身份证号校验失败 / ID number fails its check"
            )

    def phone(self, field: str, value: str | None) -> None:
        if value:
            self.require(
                normalise_phone(value) is not None, field, "手机号格式错误 / not a mobile number"
            )

    def code(self, field: str, value: str, digits: int) -> None:
        ok = len(value) == digits and ascii_digits(value)
        self.require(ok, field, f"应为{digits}位数字 / must be {digits} digits")


@strawberry.type(description=d("写操作", "Writes"))
class Mutation(*fields_for("Mutation"), CaseWorkflowMutations):  # type: ignore[misc]
    @strawberry.mutation(description=d("上报城管案件", "Report an urban-management case"))
    async def report_case(
        self, info: strawberry.Info, input: ReportCaseInput
    ) -> ReportCasePayload | None:
        check = Checks()
        check.code("gridCode", input.grid_code, 15)
        check.require(
            bool(SUB_CLASS.match(input.sub_class_code)),
            "subClassCode",
            "应为4位数字 / must be 4 digits",
        )
        check.text("description", input.description, 500)
        check.text("address", input.address, 200)
        check.text("reporterName", input.reporter_name, 50, required=False)
        check.phone("reporterPhone", input.reporter_phone)
        check.id_number("reporterIdNumber", input.reporter_id_number)
        if input.longitude is not None:
            check.require(73 <= input.longitude <= 136, "longitude", "经度超出范围 / out of range")
        if input.latitude is not None:
            check.require(3 <= input.latitude <= 54, "latitude", "纬度超出范围 / out of range")
        data = info.context.data
        if not check.errors and await data.grid(input.grid_code) is None:
            check.require(False, "gridCode", "网格不存在 / no such grid")
        try:
            files = checked_files(input.attachments)
        except Rejected as error:
            check.require(False, error.field, error.message)
        if check.errors:
            return ReportCasePayload(case=None, errors=check.errors)
        new = NewUrbanCase(
            grid_code=input.grid_code,
            sub_class_code=input.sub_class_code,
            source=input.source.value,
            description=input.description.strip(),
            address=input.address.strip(),
            longitude=input.longitude,
            latitude=input.latitude,
            reporter_name=input.reporter_name,
            reporter_phone=normalise_phone(input.reporter_phone or ""),
            reporter_id_number=input.reporter_id_number.upper()
            if input.reporter_id_number
            else None,
            attachments=files,
        )
        try:
            return ReportCasePayload(case=UrbanCase.of(await data.report_case(new)), errors=[])
        except Rejected as error:
            return ReportCasePayload(case=None, errors=field_errors(error))

    @strawberry.mutation(description=d("评价已结案案件", "Rate a closed case"))
    async def rate_case(
        self, info: strawberry.Info, input: RateCaseInput
    ) -> RateCasePayload | None:
        check = Checks()
        check.code("caseNumber", input.case_number, 16)
        if check.errors:
            return RateCasePayload(case=None, errors=check.errors)
        try:
            rated = await info.context.data.rate_case(input.case_number, input.satisfaction.value)
        except Rejected as error:
            return RateCasePayload(case=None, errors=field_errors(error))
        return RateCasePayload(case=UrbanCase.of(rated), errors=[])

    @strawberry.mutation(description=d("申请法律援助", "Apply for legal aid"))
    async def apply_legal_aid(
        self, info: strawberry.Info, input: ApplyLegalAidInput
    ) -> ApplyLegalAidPayload | None:
        check = Checks()
        check.text("name", input.name, 50)
        check.id_number("idNumber", input.id_number)
        check.require(bool(input.id_number), "idNumber", "必填 / required")
        check.phone("phone", input.phone)
        check.require(bool(input.phone), "phone", "必填 / required")
        check.text("address", input.address, 200)
        check.code("communityCode", input.community_code, 12)
        check.text("description", input.description, 1000)
        data = info.context.data
        check.require(
            input.happened_on <= data.today(),
            "happenedOn",
            "不能晚于今天 / cannot be in the future",
        )
        if check.errors:
            return ApplyLegalAidPayload(case=None, errors=check.errors)
        application = NewLegalAidApplication(
            name=input.name.strip(),
            id_number=input.id_number.upper(),
            phone=normalise_phone(input.phone) or "",
            address=input.address.strip(),
            community_code=input.community_code,
            aid_type=input.aid_type.value,
            case_type=input.case_type.value,
            description=input.description.strip(),
            happened_on=input.happened_on,
        )
        try:
            return ApplyLegalAidPayload(
                case=LegalAidCase.of(await data.apply_legal_aid(application)), errors=[]
            )
        except Rejected as error:
            return ApplyLegalAidPayload(case=None, errors=field_errors(error))

    @strawberry.mutation(description=d("报名服务", "Enrol a resident in a service"))
    async def enrol_in_service(
        self, info: strawberry.Info, input: EnrolInServiceInput
    ) -> EnrolInServicePayload | None:
        check = Checks()
        check.text("registryNumber", input.registry_number, 32)
        check.text("serviceCode", input.service_code, 32)
        check.text("centerCode", input.center_code, 32)
        if check.errors:
            return EnrolInServicePayload(enrolment=None, errors=check.errors)
        try:
            enrolment = await info.context.data.enrol(
                input.registry_number, input.service_code, input.center_code
            )
        except Rejected as error:
            return EnrolInServicePayload(enrolment=None, errors=field_errors(error))
        return EnrolInServicePayload(enrolment=Enrolment.of(enrolment), errors=[])
