"""The civil-affairs gateway's OpenAPI 3.1 document, built from the services it serves."""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import Draft202012Validator

from ..json_contract import validator

STRING = {"type": "string"}
STRINGS = {"type": "array", "items": STRING, "minItems": 1, "maxItems": 100}
GRID = {"type": "string", "pattern": "^[0-9]{15}$", "description": "网格编码（15位）"}
COMMUNITY = {"type": "string", "pattern": "^[0-9]{12}$", "description": "社区编码（12位）"}
PHONE = {"type": "string", "pattern": "^1[3-9][0-9]{9}$", "description": "手机号码（11位）"}
ID_NUMBERS = {**STRINGS, "items": {"type": "string", "pattern": "^[0-9]{17}[0-9Xx]$"}}
REGISTRY_NUMBERS = {**STRINGS, "items": {"type": "string", "pattern": "^RK[0-9]{14}$"}}
PAGING = {
    "pageNo": {"type": "integer", "minimum": 1},
    "pageSize": {"type": "integer", "minimum": 1, "maximum": 200},
}

RECORDS: dict[str, dict[str, Any]] = {
    "Resident": {
        name: STRING
        for name in (
            "rkbh",
            "xm",
            "sfzh",
            "xb",
            "csrq",
            "lxdh",
            "hjdz",
            "xzz",
            "hh",
            "yhzgx",
            "ldbm",
            "wgbm",
            "rylx",
            "dbzh",
            "cjzh",
            "mz",
        )
    },
    "Household": {
        "hh": STRING,
        "hzxm": STRING,
        "hzrkbh": STRING,
        "ldbm": STRING,
        "wgbm": STRING,
        "dz": STRING,
        "rks": {"type": "integer"},
        "cyrkbh": {"type": "array", "items": STRING},
    },
    "Building": {
        "ldbm": STRING,
        "ldmc": STRING,
        "wgbm": STRING,
        "wwgbm": STRING,
        "sqbm": STRING,
        "cs": {"type": "integer"},
        "hs": {"type": "integer"},
        "ldzxm": STRING,
        "ldzdh": STRING,
    },
    "Organization": {"id": STRING, "name": STRING, "type": STRING, "community_code": STRING},
    "Service": {
        name: STRING
        for name in (
            "id",
            "organization_id",
            "name",
            "category",
            "description",
            "eligibility_description",
            "fees_description",
            "status",
        )
    },
    "Location": {
        "id": STRING,
        "name": STRING,
        "level": STRING,
        "address": STRING,
        "latitude": {"type": "number"},
        "longitude": {"type": "number"},
        "wgbm": STRING,
        "sqbm": STRING,
        "opening_hours": STRING,
    },
    "ServiceAtLocation": {"id": STRING, "service_id": STRING, "location_id": STRING},
    "Enrolment": {
        name: STRING for name in ("bmid", "rkbh", "service_id", "location_id", "bmsj", "zt")
    },
}

SERVICES: dict[str, tuple[str, dict[str, Any], list[str], str, bool]] = {
    # name: (summary, data properties, required, record, returns a list)
    "rk.queryByRkbh": (
        "按人口编号批量查询人口（最多100个）",
        {"rkbhs": REGISTRY_NUMBERS},
        ["rkbhs"],
        "Resident",
        True,
    ),
    "rk.queryBySfzh": (
        "按身份证号批量查询人口（最多100个）",
        {"sfzhs": ID_NUMBERS},
        ["sfzhs"],
        "Resident",
        True,
    ),
    "rk.queryByLxdh": ("按联系电话查询人口", {"lxdh": PHONE}, ["lxdh"], "Resident", True),
    "rk.queryByWgbm": (
        "按网格或社区分页查询人口，可按人员类别和姓名筛选",
        {"wgbm": GRID, "sqbm": COMMUNITY, "rylx": STRING, "xm": STRING, **PAGING},
        [],
        "Resident",
        True,
    ),
    "hu.queryByHh": ("按户号批量查询户", {"hhs": STRINGS}, ["hhs"], "Household", True),
    "ld.queryByLdbm": ("按楼栋编码批量查询楼栋", {"ldbms": STRINGS}, ["ldbms"], "Building", True),
    "ld.queryByWgbm": (
        "按网格分页查询楼栋",
        {"wgbm": GRID, **PAGING},
        ["wgbm"],
        "Building",
        True,
    ),
    "zz.list": ("分页查询组织", {"sqbm": COMMUNITY, **PAGING}, [], "Organization", True),
    "fw.list": (
        "分页查询服务",
        {"ids": STRINGS, "category": STRING, "sqbm": COMMUNITY, **PAGING},
        [],
        "Service",
        True,
    ),
    "fwzx.list": (
        "分页查询服务阵地",
        {"ids": STRINGS, "wgbm": GRID, "sqbm": COMMUNITY, **PAGING},
        [],
        "Location",
        True,
    ),
    "fwdd.list": (
        "分页查询服务与阵地的对应",
        {"service_id": STRING, "location_id": STRING, **PAGING},
        [],
        "ServiceAtLocation",
        True,
    ),
    "bm.query": (
        "按人口编号或服务查询报名",
        {"rkbhs": REGISTRY_NUMBERS, "service_id": STRING, **PAGING},
        [],
        "Enrolment",
        True,
    ),
    "bm.add": (
        "报名服务",
        {
            "rkbh": {**STRING, "pattern": "^RK[0-9]{14}$"},
            "service_id": STRING,
            "location_id": STRING,
        },
        ["rkbh", "service_id", "location_id"],
        "Enrolment",
        False,
    ),
}


@functools.cache
def data_validator(service: str) -> Draft202012Validator:
    """The checker of a service's `data`, built once from the schema the document publishes."""
    return validator(data_schema_of(service))


def data_schema_of(service: str) -> dict[str, Any]:
    """The JSON Schema of a service's `data`: its documented fields only, each of its type."""
    _, properties, required, _, _ = SERVICES[service]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def openapi_document(served: list[str]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for name in served:
        summary, _, _, record, many = SERVICES[name]
        data_schema = data_schema_of(name)
        result = {"$ref": f"#/components/schemas/{record}"}
        paths[f"/gateway/api/{name}"] = {
            "post": {
                "operationId": name,
                "summary": summary,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["data", "appKey", "requestTime", "sign"],
                                "properties": {
                                    "data": {
                                        **STRING,
                                        "contentMediaType": "application/json",
                                        "contentSchema": data_schema,
                                    },
                                    "appKey": STRING,
                                    "requestTime": {**STRING, "pattern": "^[0-9]{14}$"},
                                    "sign": {
                                        **STRING,
                                        "description": "MD5(appKey + secret + requestTime), hex",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "信封：code 00 成功；96 数据错误；97 缺少参数；98 参数类型错误；99 失败",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "allOf": [
                                        {"$ref": "#/components/schemas/Envelope"},
                                        {
                                            "properties": {
                                                "data": {
                                                    "oneOf": [
                                                        {"type": "array", "items": result}
                                                        if many
                                                        else result,
                                                        {"type": "null"},
                                                    ]
                                                }
                                            }
                                        },
                                    ]
                                }
                            }
                        },
                    }
                },
            }
        }
    schemas: dict[str, Any] = {
        name: {"type": "object", "properties": props} for name, props in RECORDS.items()
    }
    schemas["Envelope"] = {
        "type": "object",
        "required": ["code", "msg", "data", "total"],
        "properties": {
            "code": {"type": "string", "enum": ["00", "96", "97", "98", "99"]},
            "msg": STRING,
            "data": {},
            "total": {"type": "integer"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "民政数据共享交换平台（模拟）", "version": "1.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
