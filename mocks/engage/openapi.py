"""The engagement platform's OpenAPI 3.1 document, made from the operation table the service
checks bodies against, so the two cannot differ."""

from __future__ import annotations

from typing import Any

from .contract import ERRORS, OPERATIONS, PAGE_MAX, Field

TOKEN = {"name": "access_token", "in": "query", "required": True, "schema": {"type": "string"}}


def _schema(f: Field) -> dict[str, Any]:
    if f.kind is int:
        schema: dict[str, Any] = {"type": "integer"}
        if f.name == "count":
            schema.update(minimum=1, maximum=PAGE_MAX, default=20)
        return schema
    if f.kind is list:
        return {"type": "array", "items": {"type": "string"}, "maxItems": f.limit}
    return {"type": "string", **({"maxLength": f.limit} if f.limit else {})}


def _body(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in fields if f.required],
        "properties": {f.name: _schema(f) for f in fields},
    }


ENVELOPE = {
    "type": "object",
    "required": ["errcode", "errmsg"],
    "properties": {
        "errcode": {"type": "integer", "enum": sorted(ERRORS)},
        "errmsg": {"type": "string"},
    },
    "description": "Every answer is HTTP 200; errcode 0 is success. "
    + "; ".join(f"{code} {text}" for code, text in sorted(ERRORS.items())),
}


def openapi_document() -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/cgi-bin/token": {
            "get": {
                "summary": "an access token (7200 s)",
                "parameters": [
                    {"name": n, "in": "query", "required": True, "schema": {"type": "string"}}
                    for n in ("grant_type", "appid", "secret")
                ],
                "responses": {"200": {"description": "access_token and expires_in, or an errcode"}},
            }
        }
    }
    for op in OPERATIONS.values():
        paths[op.path] = {
            "post": {
                "operationId": op.name,
                "summary": op.summary,
                "parameters": [TOKEN],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _body(op.fields)}},
                },
                "responses": {
                    "200": {
                        "description": "the envelope, with the operation's data when errcode is 0",
                        "content": {"application/json": {"schema": ENVELOPE}},
                    }
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "社区共建共治平台开放接口 / engagement platform API", "version": "2.3"},
        "servers": [{"url": "/"}],
        "paths": paths,
    }
