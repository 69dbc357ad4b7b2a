"""The legal-aid API's OpenAPI 3.1 document."""

from __future__ import annotations

from typing import Any

S = {"type": "string"}
NULLABLE_S = {"type": ["string", "null"]}
TIME = {"type": "string", "format": "date-time", "description": "ISO 8601, +08:00"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _page(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {"items": {"type": "array", "items": _ref(item)}, "next_cursor": NULLABLE_S},
    }


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, description: str = "", schema: dict[str, Any] = S) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PAGING = [
    _query("cursor", "上一页返回的 next_cursor"),
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 20},
    },
]
ERRORS = {
    "400": _json(_ref("Problem"), "请求参数错误"),
    "401": _json(_ref("Problem"), "令牌缺失、无效或过期"),
    "429": {
        "description": "超过速率限制",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": _ref("Problem")}},
    },
}
COMMUNITY = {"type": "string", "pattern": "^[0-9]{12}$", "description": "社区编码（12位）"}
ID_NUMBER = {"type": "string", "pattern": "^[0-9]{17}[0-9Xx]$", "maxLength": 18}
STATUSES = ["待审核", "审核通过", "不予援助", "已指派", "已结案", "已归档"]
APPLICATION_FIELDS = {
    "record_code": S,
    "apply_name": {**S, "minLength": 1, "maxLength": 50},
    "sex": {"type": "string", "enum": ["男", "女"]},
    "apply_phone": {**S, "minLength": 11, "maxLength": 20},
    "apply_identity_no": ID_NUMBER,
    "apply_address": {**S, "minLength": 1, "maxLength": 200},
    "case_area_id": COMMUNITY,
    "aid_type": {**S, "minLength": 1, "maxLength": 20},
    "case_type": {"type": "string", "enum": ["刑事", "民事", "行政"]},
    "dispute_description": {**S, "minLength": 1, "maxLength": 1000},
    "lawyer_office_id": NULLABLE_S,
    "lawyer_id": NULLABLE_S,
    "status": {"type": "string", "enum": STATUSES},
    "happened_date": {
        "type": "string",
        "format": "date",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    },
    "created_at": TIME,
    "updated_at": TIME,
}
NEW_APPLICATION = [
    "apply_name",
    "apply_identity_no",
    "apply_phone",
    "apply_address",
    "case_area_id",
    "aid_type",
    "case_type",
    "dispute_description",
    "happened_date",
]


def _get(
    summary: str, schema: dict[str, Any], params: list[dict[str, Any]], operation_id: str
) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "security": [{"oauth": []}],
            "parameters": params,
            "responses": {"200": _json(schema), **ERRORS},
        }
    }


def _by_id(summary: str, name: str, item: str) -> dict[str, Any]:
    param = {"name": name, "in": "path", "required": True, "schema": S}
    doc = _get(summary, _ref(item), [param], f"get{item}")
    doc["get"]["responses"]["404"] = _json(_ref("Problem"), "不存在")
    return doc


def openapi_document() -> dict[str, Any]:
    applications = _get(
        "按申请人身份证号或社区编码（二选一）分页查询法律援助申请",
        _page("Application"),
        [
            _query("apply_identity_no", schema=ID_NUMBER),
            _query("case_area_id", schema=COMMUNITY),
            _query("status", schema={"type": "string", "enum": STATUSES}),
            *PAGING,
        ],
        "listApplications",
    )
    applications["post"] = {
        "operationId": "createApplication",
        "summary": "申请法律援助",
        "security": [{"oauth": []}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": NEW_APPLICATION,
                        "properties": {k: APPLICATION_FIELDS[k] for k in NEW_APPLICATION},
                        "additionalProperties": False,
                    }
                }
            },
        },
        "responses": {
            "201": _json(_ref("Application"), "已受理"),
            "422": _json(_ref("Problem"), "字段校验失败"),
            **ERRORS,
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "法律援助与人民调解系统（模拟）", "version": "1.0"},
        "paths": {
            "/oauth/token": {
                "post": {
                    "operationId": "issueToken",
                    "summary": "OAuth2 客户端凭证模式获取访问令牌",
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["grant_type"],
                                    "properties": {
                                        "grant_type": {"const": "client_credentials"},
                                        "client_id": S,
                                        "client_secret": S,
                                    },
                                }
                            }
                        }
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "access_token": S,
                                    "token_type": S,
                                    "expires_in": {"type": "integer"},
                                    "scope": S,
                                },
                            }
                        ),
                        "400": _json(_ref("Problem")),
                        "401": _json(_ref("Problem")),
                    },
                }
            },
            "/api/v1/applications": applications,
            "/api/v1/applications/{record_code}": _by_id(
                "按编号查询法律援助申请", "record_code", "Application"
            ),
            "/api/v1/disputes": _get(
                "按当事人身份证号或社区编码（二选一）分页查询人民调解纠纷",
                _page("Dispute"),
                [
                    _query("party_identity_no", schema=ID_NUMBER),
                    _query("case_area_id", schema=COMMUNITY),
                    *PAGING,
                ],
                "listDisputes",
            ),
            "/api/v1/disputes/{dispute_id}": _by_id("按编号查询纠纷", "dispute_id", "Dispute"),
            "/api/v1/lawyers": _get(
                "分页查询律师", _page("Lawyer"), [_query("law_office_id"), *PAGING], "listLawyers"
            ),
            "/api/v1/lawyers/{lawyer_id}": _by_id("按编号查询律师", "lawyer_id", "Lawyer"),
            "/api/v1/law-offices": _get(
                "分页查询律师事务所", _page("LawOffice"), PAGING, "listLawOffices"
            ),
            "/api/v1/law-offices/{lawyer_office_id}": _by_id(
                "按编号查询律师事务所", "lawyer_office_id", "LawOffice"
            ),
            "/api/v1/workstations": _get(
                "按社区分页查询法律援助工作站",
                _page("Workstation"),
                [_query("case_area_id", schema=COMMUNITY), *PAGING],
                "listWorkstations",
            ),
        },
        "components": {
            "securitySchemes": {
                "oauth": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "/oauth/token",
                            "scopes": {"legal-aid": "法律援助数据"},
                        }
                    },
                }
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": S,
                        "message": S,
                        "fields": {"type": "object", "additionalProperties": S},
                    },
                },
                "Application": {"type": "object", "properties": APPLICATION_FIELDS},
                "Party": {
                    "type": "object",
                    "properties": {"name": S, "identity_no": S, "phone": S, "role": S},
                },
                "Dispute": {
                    "type": "object",
                    "properties": {
                        "dispute_id": S,
                        "dispute_type": S,
                        "case_area_id": S,
                        "description": S,
                        "parties": {"type": "array", "items": _ref("Party")},
                        "mediator_name": S,
                        "status": S,
                        "outcome": NULLABLE_S,
                        "agreement_reached": {"type": "boolean"},
                        "created_at": TIME,
                        "closed_at": {"type": ["string", "null"], "format": "date-time"},
                    },
                },
                "Lawyer": {
                    "type": "object",
                    "properties": {
                        "lawyer_id": S,
                        "name": S,
                        "lawyer_office_id": S,
                        "license_no": S,
                        "phone": S,
                        "specialties": {"type": "array", "items": S},
                    },
                },
                "LawOffice": {
                    "type": "object",
                    "properties": {"lawyer_office_id": S, "name": S, "address": S, "phone": S},
                },
                "Workstation": {
                    "type": "object",
                    "properties": {
                        "workstation_id": S,
                        "name": S,
                        "case_area_id": S,
                        "address": S,
                        "phone": S,
                        "duty_lawyer_id": S,
                    },
                },
            },
        },
    }
