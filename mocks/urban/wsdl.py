"""The urban-management service's WSDL 1.1, built from the contract's record types and
operations, so what the mock describes is what it answers."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from .contract import ARRAY_ITEMS, NAMESPACE, OPERATIONS, RECORD_TYPES, SERVICE_NAME

XSD_KINDS = {"string": "s:string", "int": "s:int", "decimal": "s:decimal", "datetime": "s:string"}


def _element(name: str, kind: str, min_occurs: int = 0) -> str:
    if kind in XSD_KINDS:
        type_name = XSD_KINDS[kind]
    elif kind == "codes":
        type_name = "tns:ArrayOfString"
    elif kind == "attachments":
        type_name = "tns:ArrayOfAttachmentUpload"
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
