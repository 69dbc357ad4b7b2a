"""Requests checked against the WSDL's own schema, as a strict .asmx service reads them: an
element the schema does not define, one in the wrong place, a missing required one or a value of
the wrong type is refused with a Client fault naming it, before any operation runs."""

from __future__ import annotations

import functools
import re
from xml.etree.ElementTree import Element

import xmlschema

from .contract import NAMESPACE, OPERATIONS, Operation
from .soap import SoapFault
from .wsdl import render_wsdl

SCHEMA = re.compile(r"<s:schema .*?</s:schema>", re.S)
# Plain lexical forms that xs:int and xs:decimal surely accept; other forms are left to the
# full validation to judge.
PLAIN_FORMS: dict[str, re.Pattern[str] | None] = {
    "string": None,
    "datetime": None,  # published as xs:string
    "int": re.compile(r"-?[0-9]{1,9}"),
    "decimal": re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,6})?"),
}


@functools.cache
def wsdl_schema() -> xmlschema.XMLSchema:
    """The XML Schema embedded in the WSDL the mock publishes: one source for both."""
    found = SCHEMA.search(render_wsdl("http://127.0.0.1/"))
    assert found is not None  # noqa: S101
    text = found.group(0).replace(
        "<s:schema ",
        f'<s:schema xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="{NAMESPACE}" ',
        1,
    )
    return xmlschema.XMLSchema(text)


def _local(tag: str) -> str:
    return tag.split("}", 1)[-1]


def check_call(call: Element) -> None:
    """Raises the fault for the first way `call` breaks the schema; an operation the service
    does not have is the service's own fault (2000), left to it."""
    name = _local(call.tag)
    if name not in OPERATIONS:
        return
    if not call.tag.startswith(f"{{{NAMESPACE}}}"):
        raise SoapFault(
            "Client", "2005", f"元素{name}的命名空间应为{NAMESPACE}", reason="wrong-namespace"
        )
    if _plainly_valid(call, OPERATIONS[name]):
        return
    declared = {p.name for p in OPERATIONS[name].params}
    for error in wsdl_schema().iter_errors(call):
        invalid = getattr(error, "invalid_tag", None)
        where = _local(str(error.path or "").rsplit("/", 1)[-1]) or name
        if isinstance(error, xmlschema.XMLSchemaChildrenValidationError):
            if invalid is None:
                raise SoapFault("Client", "2001", f"{where}缺少必需元素", reason="missing-element")
            tag = _local(str(invalid))
            if not str(invalid).startswith(f"{{{NAMESPACE}}}"):
                raise SoapFault(
                    "Client", "2005", f"元素{tag[:40]}的命名空间错误", reason="wrong-namespace"
                )
            if tag in declared:
                raise SoapFault(
                    "Client", "2005", f"元素{tag}重复或顺序错误", reason="element-out-of-order"
                )
            raise SoapFault("Client", "2005", f"未定义的元素{tag[:40]}", reason="unknown-element")
        if isinstance(error, xmlschema.XMLSchemaDecodeError | xmlschema.XMLSchemaValidationError):
            raise SoapFault("Client", "2002", f"参数{where}的值不符合类型", reason="wrong-type")


def _plainly_valid(call: Element, operation: Operation) -> bool:
    """True only for a call the schema surely accepts: leaf parameters in the declared order,
    each at most once, every required one present, numbers in their plain form, no attributes
    and no text between elements. Almost every call is one, and this costs a twentieth of the
    full validation, which still judges (and names the fault of) every other call."""
    if call.attrib or (call.text and call.text.strip()):
        return False
    params = operation.params
    position = 0
    for child in call:
        if len(child) or child.attrib or (child.tail and child.tail.strip()):
            return False
        while position < len(params) and child.tag != f"{{{NAMESPACE}}}{params[position].name}":
            if params[position].required:
                return False
            position += 1
        if position == len(params) or params[position].kind not in PLAIN_FORMS:
            return False
        form = PLAIN_FORMS[params[position].kind]
        if form is not None and not form.fullmatch(child.text or ""):
            return False
        position += 1
    return not any(p.required for p in params[position:])
