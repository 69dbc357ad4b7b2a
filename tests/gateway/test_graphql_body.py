"""The response body: UTF-8 JSON as the standard library would write it, from orjson."""

from __future__ import annotations

import json

from gateway.http.requests import GraphQLBody


def test_the_body_is_compact_utf8_json_that_parses_to_the_result() -> None:
    result = {
        "data": {
            "grid": {"name": "北苑一网格", "cases": [{"rate": 0.5, "closed": True}], "x": None}
        },
        "errors": [{"message": "无权访问", "extensions": {"code": "FORBIDDEN"}}],
    }
    body = bytes(GraphQLBody(result).body)
    assert json.loads(body) == result
    assert "北苑一网格".encode() in body  # not escaped as \\uXXXX
    assert b": " not in body and b", " not in body
    assert body == json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()


def test_what_orjson_cannot_encode_goes_the_standard_way() -> None:
    huge = 2**70  # beyond orjson's 64-bit integers; no GraphQL Int is this big
    assert json.loads(bytes(GraphQLBody({"data": {"n": huge}}).body)) == {"data": {"n": huge}}
