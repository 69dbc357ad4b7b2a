"""The urban-management service's contract: record types, operations and the WSDL built from
them. The SOAP layer serialises records in exactly the element order declared here, so the WSDL
the mock serves always matches what it answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import quoteattr

NAMESPACE = "http://urban.govgraph.local/ws/"
SERVICE_NAME = "UrbanService"
ENDPOINT_PATH = "/UrbanService.asmx"
PAGE_SIZE_CAP = 100
BATCH_CAP = 50

ParamKind = Literal["string", "int", "datetime", "decimal", "codes"]

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
            ),
            (("AJBH", "string"), ("ZT", "string"), ("LASJ", "string")),
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

XSD_KINDS = {"string": "s:string", "int": "s:int", "decimal": "s:decimal", "datetime": "s:string"}


def _element(name: str, kind: str, min_occurs: int = 0) -> str:
    if kind in XSD_KINDS:
        type_name = XSD_KINDS[kind]
    elif kind == "codes":
        type_name = "tns:ArrayOfString"
    else:
        type_name = f"tns:{kind}"
    return f'<s:element minOccurs="{min_occurs}" maxOccurs="1" name="{name}" type="{type_name}"/>'


def render_wsdl(location: str) -> str:
    """The WSDL 1.1 document (document/literal, SOAP 1.1) for every operation above."""
    types: list[str] = []
    for name, members in RECORD_TYPES.items():
        inner = "".join(_element(member, kind) for member, kind in members)
        types.append(
            f'<s:complexType name="{name}"><s:sequence>{inner}</s:sequence></s:complexType>'
        )
    for array, item in ARRAY_ITEMS.items():
        item_type = "s:string" if item == "string" else f"tns:{item}"
        types.append(
            f'<s:complexType name="{array}"><s:sequence><s:element minOccurs="0" '
            f'maxOccurs="unbounded" name="{item}" type="{item_type}"/></s:sequence></s:complexType>'
        )
    messages, port_ops, binding_ops = [], [], []
    for op in OPERATIONS.values():
        params = "".join(_element(p.name, p.kind, int(p.required)) for p in op.params)
        results = "".join(_element(member, kind) for member, kind in op.result)
        types.append(
            f'<s:element name="{op.name}"><s:complexType><s:sequence>{params}'
            f"</s:sequence></s:complexType></s:element>"
            f'<s:element name="{op.name}Response"><s:complexType><s:sequence>'
            f'<s:element minOccurs="0" maxOccurs="1" name="{op.name}Result">'
            f"<s:complexType><s:sequence>{results}</s:sequence></s:complexType></s:element>"
            f"</s:sequence></s:complexType></s:element>"
        )
        messages.append(
            f'<wsdl:message name="{op.name}SoapIn"><wsdl:part name="parameters" '
            f'element="tns:{op.name}"/></wsdl:message>'
            f'<wsdl:message name="{op.name}SoapOut"><wsdl:part name="parameters" '
            f'element="tns:{op.name}Response"/></wsdl:message>'
        )
        port_ops.append(
            f'<wsdl:operation name="{op.name}"><wsdl:documentation>{op.documentation}'
            f'</wsdl:documentation><wsdl:input message="tns:{op.name}SoapIn"/>'
            f'<wsdl:output message="tns:{op.name}SoapOut"/></wsdl:operation>'
        )
        binding_ops.append(
            f'<wsdl:operation name="{op.name}"><soap:operation soapAction="{NAMESPACE}{op.name}" '
            f'style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input>'
            f'<wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>'
        )
    return (
        '<?xml version="1.0" encoding="GBK"?>'
        '<wsdl:definitions xmlns:s="http://www.w3.org/2001/XMLSchema" '
        'xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" '
        'xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" '
        f'xmlns:tns="{NAMESPACE}" targetNamespace="{NAMESPACE}">'
        f'<wsdl:types><s:schema elementFormDefault="qualified" targetNamespace="{NAMESPACE}">'
        f"{''.join(types)}</s:schema></wsdl:types>{''.join(messages)}"
        f'<wsdl:portType name="{SERVICE_NAME}Soap">{"".join(port_ops)}</wsdl:portType>'
        f'<wsdl:binding name="{SERVICE_NAME}Soap" type="tns:{SERVICE_NAME}Soap">'
        '<soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>'
        f"{''.join(binding_ops)}</wsdl:binding>"
        f'<wsdl:service name="{SERVICE_NAME}"><wsdl:port name="{SERVICE_NAME}Soap" '
        f'binding="tns:{SERVICE_NAME}Soap"><soap:address location={quoteattr(location)}/>'
        "</wsdl:port></wsdl:service></wsdl:definitions>"
    )
