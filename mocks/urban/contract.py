"""The urban-management service's contract: record types, operations and the WSDL built from
them. The SOAP layer serialises records in exactly the element order declared here, so the WSDL
the mock serves always matches what it answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NAMESPACE = "http://urban.govgraph.local/ws/"
SERVICE_NAME = "UrbanService"
ENDPOINT_PATH = "/UrbanService.asmx"
PAGE_SIZE_CAP = 100
BATCH_CAP = 50

ParamKind = Literal["string", "int", "datetime", "decimal", "codes", "attachments"]

RECORD_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "Worker": (
        ("WGYBM", "string"),
        ("XM", "string"),
        ("LXDH", "string"),
        ("ZW", "string"),
        ("SFZZ", "string"),
    ),
    "Grid": (
        ("WGBM", "string"),
        ("WGMC", "string"),
        ("WGJB", "string"),
        ("SJWGBM", "string"),
        ("SQBM", "string"),
        ("SQMC", "string"),
        ("JDBM", "string"),
        ("JDMC", "string"),
        ("BJ", "string"),
        ("ZXX", "decimal"),
        ("ZXY", "decimal"),
        ("HS", "int"),
        ("RKS", "int"),
        ("WGYS", "ArrayOfWorker"),
    ),
    "Department": (("BMBM", "string"), ("BMMC", "string"), ("BMJC", "string")),
    "Case": (
        ("AJBH", "string"),
        ("WGBM", "string"),
        ("DLBM", "string"),
        ("DLMC", "string"),
        ("XLBM", "string"),
        ("XLMC", "string"),
        ("AJLY", "string"),
        ("WTMS", "string"),
        ("DZ", "string"),
        ("X", "decimal"),
        ("Y", "decimal"),
        ("LASJ", "string"),
        ("PQSJ", "string"),
        ("CZSX", "string"),
        ("JASJ", "string"),
        ("ZT", "string"),
        ("CQBZ", "string"),
        ("PQCS", "int"),
        ("ZRBM", "string"),
        ("MYD", "string"),
        ("SBRXM", "string"),
        ("SBRDH", "string"),
        ("SBRSFZH", "string"),
        ("GXSJ", "string"),
        ("BBH", "int"),
        ("XBBM", "string"),
    ),
    "Step": (
        ("BZ", "string"),
        ("SJ", "string"),
        ("CZR", "string"),
        ("CZBM", "string"),
        ("YJ", "string"),
    ),
    "Report": (("BMBM", "string"), ("BDSJ", "string")),
    "AttachmentInfo": (("FJBH", "string"), ("FJLX", "string"), ("DX", "int"), ("JD", "string")),
    "AttachmentUpload": (("FJLX", "string"), ("FJNR", "string")),
    "Flow": (
        ("AJBH", "string"),
        ("LSJL", "ArrayOfStep"),
        ("CSSJ", "string"),
        ("CSSX", "string"),
        ("CSBM", "ArrayOfReport"),
        ("FJ", "ArrayOfAttachmentInfo"),
        ("YQTS", "int"),
    ),
    "Count": (("DM", "string"), ("MC", "string"), ("SL", "int")),
    "Statistics": (
        ("TJLX", "string"),
        ("TJDX", "string"),
        ("KSSJ", "string"),
        ("JSSJ", "string"),
        ("SBS", "int"),
        ("JAS", "int"),
        ("ZFS", "int"),
        ("CQS", "int"),
        ("ASJAS", "int"),
        ("PJCZSC", "decimal"),
        ("PJS", "int"),
        ("MYS", "int"),
        ("JBMYS", "int"),
        ("BMYS", "int"),
        ("MYL", "decimal"),
        ("ZTTJ", "ArrayOfCount"),
        ("DLTJ", "ArrayOfCount"),
    ),
}
ARRAY_ITEMS = {
    "ArrayOfWorker": "Worker",
    "ArrayOfGrid": "Grid",
    "ArrayOfDepartment": "Department",
    "ArrayOfCase": "Case",
    "ArrayOfCount": "Count",
    "ArrayOfStep": "Step",
    "ArrayOfReport": "Report",
    "ArrayOfAttachmentInfo": "AttachmentInfo",
    "ArrayOfAttachmentUpload": "AttachmentUpload",
    "ArrayOfFlow": "Flow",
    "ArrayOfString": "string",
}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: ParamKind
    required: bool = False


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    documentation: str
    params: tuple[Param, ...]
    result: tuple[tuple[str, str], ...]
    needs_session: bool = True


TOKEN = Param("Token", "string", required=True)
# Every workflow step names its case, who acts and for which unit, a note, and the caller's
# request number: the same number again answers as the first time, without a second step.
STEP = (
    TOKEN,
    Param("AJBH", "string", True),
    Param("CZR", "string", True),
    Param("CZBM", "string", True),
    Param("YJ", "string"),
    Param("QQBH", "string"),
)
STEP_RESULT = (("ZT", "string"), ("BBH", "int"), ("GXSJ", "string"))
ATTACHMENTS = Param("FJ", "attachments")
PAGING = (Param("PageSize", "int"), Param("CurrentPageIndex", "int"))
PAGE_RESULT = (("TotalCount", "int"), ("PageSize", "int"), ("CurrentPageIndex", "int"))

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation(
            "Login",
            "登录，返回会话令牌（30分钟有效）",
            (Param("UserName", "string", True), Param("Password", "string", True)),
            (("Token", "string"), ("ExpireTime", "string")),
            needs_session=False,
        ),
        Operation(
            "GetGrids",
            "分页查询网格（可按社区编码或上级网格编码）",
            (TOKEN, Param("SQBM", "string"), Param("SJWGBM", "string"), *PAGING),
            (*PAGE_RESULT, ("Grids", "ArrayOfGrid")),
        ),
        Operation(
            "GetGridsByCodes",
            f"按网格编码批量查询网格（每次最多{BATCH_CAP}个）",
            (TOKEN, Param("Codes", "codes", True)),
            (("Grids", "ArrayOfGrid"),),
        ),
        Operation(
            "GetDepartments",
            "查询职能部门",
            (TOKEN,),
            (("Departments", "ArrayOfDepartment"),),
        ),
        Operation(
            "QueryCases",
            "分页查询案件：按一个网格，或按上报人身份证号或电话（三选一），可加状态、大类和立案时间段",
            (
                TOKEN,
                Param("WGBM", "string"),
                Param("SBRSFZH", "string"),
                Param("SBRDH", "string"),
                Param("ZT", "string"),
                Param("DLBM", "string"),
                Param("KSSJ", "datetime"),
                Param("JSSJ", "datetime"),
                *PAGING,
            ),
            (*PAGE_RESULT, ("Cases", "ArrayOfCase")),
        ),
        Operation(
            "GetCasesByCodes",
            f"按案件编号批量查询案件（每次最多{BATCH_CAP}个）",
            (TOKEN, Param("Codes", "codes", True)),
            (("Cases", "ArrayOfCase"),),
        ),
        Operation(
            "ReportCase",
            "上报案件",
            (
                TOKEN,
                Param("WGBM", "string", True),
                Param("XLBM", "string", True),
                Param("AJLY", "string", True),
                Param("WTMS", "string", True),
                Param("DZ", "string", True),
                Param("X", "decimal"),
                Param("Y", "decimal"),
                Param("SBRXM", "string"),
                Param("SBRDH", "string"),
                Param("SBRSFZH", "string"),
                ATTACHMENTS,
            ),
            (("AJBH", "string"), ("ZT", "string"), ("LASJ", "string")),
        ),
        Operation("AcceptCase", "受理", STEP, STEP_RESULT),
        Operation("RegisterCase", "立案", STEP, STEP_RESULT),
        Operation(
            "DispatchCase", "派遣至责任部门", (*STEP, Param("ZRBM", "string", True)), STEP_RESULT
        ),
        Operation(
            "Whistle",
            "社区吹哨：召集多个部门，限时报到",
            (*STEP, Param("BDBM", "codes", True), Param("CSSX", "datetime", True)),
            STEP_RESULT,
        ),
        Operation("ReportIn", "部门报到（CZBM为报到部门）", STEP, STEP_RESULT),
        Operation(
            "HandleCase", "处置并反馈结果（YJ），可附图片、录音", (*STEP, ATTACHMENTS), STEP_RESULT
        ),
        Operation(
            "VerifyCase",
            "核查：HCJG 1通过，0不通过（返回处置）",
            (*STEP, Param("HCJG", "string", True)),
            STEP_RESULT,
        ),
        Operation("CloseCase", "结案（须核查通过）", STEP, STEP_RESULT),
        Operation("VoidCase", "作废（派遣前，YJ为原因）", STEP, STEP_RESULT),
        Operation("ReturnCase", "部门退回（YJ为原因），回到立案待重新派遣", STEP, STEP_RESULT),
        Operation(
            "RequestExtension",
            "延期（YQTS天，每案最多两次）",
            (*STEP, Param("YQTS", "int", True)),
            STEP_RESULT,
        ),
        Operation(
            "GetCaseFlows",
            f"按案件编号批量查询流转记录、吹哨报到和附件（每次最多{BATCH_CAP}个）",
            (TOKEN, Param("Codes", "codes", True)),
            (("Flows", "ArrayOfFlow"),),
        ),
        Operation(
            "GetAttachment",
            "下载附件（Base64）",
            (TOKEN, Param("AJBH", "string", True), Param("FJBH", "string", True)),
            (("FJBH", "string"), ("FJLX", "string"), ("FJNR", "string")),
        ),
        Operation(
            "QueryChangedCases",
            "增量查询：更新时间不早于GXSJ的案件，按更新时间排序",
            (TOKEN, Param("GXSJ", "datetime", True), *PAGING),
            (*PAGE_RESULT, ("Cases", "ArrayOfCase")),
        ),
        Operation(
            "RateCase",
            "对已结案案件进行满意度评价（满意/基本满意/不满意）",
            (TOKEN, Param("AJBH", "string", True), Param("MYD", "string", True)),
            (("AJBH", "string"), ("MYD", "string")),
        ),
        Operation(
            "GetStatistics",
            "考核评价统计：按网格(WG)、社区(SQ)或部门(BM)及立案时间段",
            (
                TOKEN,
                Param("TJLX", "string", True),
                Param("TJDX", "string", True),
                Param("KSSJ", "datetime", True),
                Param("JSSJ", "datetime", True),
            ),
            (("Statistics", "Statistics"),),
        ),
    )
}
