"""What the legal-aid API refuses in a request: query parameters and bodies against its OpenAPI
document (a parameter it does not define, a value of the wrong type, a code of the wrong shape, a
value outside its list), then the checks no schema can make (an ID number's check digit, a
community that exists, a date not in the future)."""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator

from ..json_contract import Violation, first_violation, validator
from ..population import Population, id_number_is_valid, normalise_phone
from ..population.vocab import AID_TYPES, LEGAL_CASE_TYPES
from .openapi import openapi_document

API = "/api/v1"
PHONE = re.compile(r"^1[3-9]\d{9}$")
QUERY_REFUSAL = "invalid_request"


@functools.cache
def _operation(template: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = openapi_document()["paths"][template][method]
    return operation


@functools.cache
def _query_parameters(template: str) -> dict[str, tuple[bool, Draft202012Validator]]:
    """Each query parameter `GET {API}{template}` defines: whether it is an integer, and its
    checker, built once from the document."""
    return {
        p["name"]: (p["schema"].get("type") == "integer", validator(p["schema"]))
        for p in _operation(API + template, "get").get("parameters", [])
        if p["in"] == "query"
    }


@functools.cache
def _body_validator(template: str) -> Draft202012Validator:
    content = _operation(API + template, "post")["requestBody"]["content"]
    return validator(content["application/json"]["schema"])


def query_violation(template: str, given: list[tuple[str, str]]) -> Violation | None:
    """The first query parameter `GET {API}{template}` does not define or takes in another form."""
    declared = _query_parameters(template)
    seen: set[str] = set()
    for name, text in given:
        if name not in declared:
            return Violation(
                "unknown-parameter", name[:40], f"未定义的参数 / unknown parameter: {name[:40]}"
            )
        if name in seen:
            return Violation("repeated-parameter", name, f"参数重复 / repeated parameter: {name}")
        seen.add(name)
        integer, checker = declared[name]
        value: Any = text
        if integer:
            if not re.fullmatch(r"-?[0-9]{1,9}", text):
                return Violation("wrong-type", name, f"参数应为整数 / not an integer: {name}")
            value = int(text)
        found = first_violation(checker, value)
        if found is not None:
            return Violation(found.reason, name, f"参数不符合约定 / {found.reason}: {name}")
    return None


def body_violation(template: str, body: Any) -> Violation | None:
    return first_violation(_body_validator(template), body)


def validate_application(
    body: dict[str, Any], population: Population
) -> tuple[dict[str, str], dict[str, str]]:
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    limits = {
        "apply_name": 50,
        "apply_identity_no": 18,
        "apply_phone": 20,
        "apply_address": 200,
        "case_area_id": 12,
        "aid_type": 20,
        "case_type": 10,
        "dispute_description": 1000,
        "happened_date": 10,
    }
    for name, cap in limits.items():
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            errors[name] = "必填"
        elif len(value) > cap:
            errors[name] = "超长"
        else:
            values[name] = value.strip()
    if "apply_identity_no" in values and not id_number_is_valid(values["apply_identity_no"]):
        errors["apply_identity_no"] = "身份证号校验失败"
    if "apply_identity_no" in values:
        values["apply_identity_no"] = values["apply_identity_no"].upper()
    if "apply_phone" in values:
        values["apply_phone"] = normalise_phone(values["apply_phone"])
        if not PHONE.match(values["apply_phone"]):
            errors["apply_phone"] = "手机号格式错误"
    if (
        "case_area_id" in values
        and values["case_area_id"] not in population.geography.community_by_code
    ):
        errors["case_area_id"] = "社区编码不存在"
    if "aid_type" in values and values["aid_type"] not in AID_TYPES:
        errors["aid_type"] = "取值错误"
    if "case_type" in values and values["case_type"] not in {t for t, _ in LEGAL_CASE_TYPES}:
        errors["case_type"] = "取值错误"
    if "happened_date" in values:
        try:
            if date.fromisoformat(values["happened_date"]) > population.now().date():
                errors["happened_date"] = "不能晚于今天"
        except ValueError:
            errors["happened_date"] = "日期格式应为YYYY-MM-DD"
    return errors, values
