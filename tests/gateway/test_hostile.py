"""Hostile and malformed requests: each is refused cheaply, with its status and stable code,
before any backend is called. None is a 500; none echoes personal data or a traceback."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from gateway.access.auth import Role
from gateway.access.redact import without_values
from gateway.http.inputs import bad_character, bad_character_by_category
from tests.gateway.conftest import Gateway, open_gateway, token

GQL = "application/graphql-response+json"


@dataclass
class Hostile:
    name: str
    status: int
    code: str
    body: Any = None
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    params: dict[str, str] | None = None


def aliases(n: int) -> str:
    return "{ departments { " + " ".join(f"a{i}: code" for i in range(n)) + " } }"


def nested(depth: int) -> str:
    inner = "code"
    for _ in range(depth):
        inner = f"parent {{ {inner} }}"
    return '{ grid(code: "320213001001001") { ' + inner + " } }"


def q(query: str, **extra: Any) -> dict[str, Any]:
    return {"query": query, **extra}


CORPUS = [
    Hostile("alias-bomb", 200, "ALIAS_LIMIT", q(aliases(40))),
    Hostile(
        "alias-bomb-graphql-response", 400, "ALIAS_LIMIT", q(aliases(40)), headers={"Accept": GQL}
    ),
    Hostile(
        "aliases-hidden-in-fragment",
        200,
        "ALIAS_LIMIT",
        q(
            "fragment F on Department { "
            + " ".join(f"x{i}: name" for i in range(16))
            + " } { departments { ...F } }"
        ),
    ),
    Hostile(
        "aliases-in-nested-fragments",
        200,
        "ALIAS_LIMIT",
        q(
            "fragment A on Department { "
            + " ".join(f"c{i}: code" for i in range(8))
            + " } fragment B on Department { "
            + " ".join(f"n{i}: name" for i in range(8))
            + " } { departments { ...A ...B } }"
        ),
    ),
    Hostile(
        "circular-fragments",
        200,
        "GRAPHQL_VALIDATION_FAILED",
        q("fragment A on Query { ...B } fragment B on Query { ...A } { ...A }"),
    ),
    Hostile(
        "self-referencing-fragment",
        200,
        "DEPTH_LIMIT",
        q('fragment A on Grid { parent { ...A } } { grid(code: "320213001001001") { ...A } }'),
    ),
    Hostile("deep-nesting", 200, "DEPTH_LIMIT", q(nested(30))),
    Hostile(
        "deep-nesting-graphql-response", 400, "DEPTH_LIMIT", q(nested(30)), headers={"Accept": GQL}
    ),
    Hostile(
        "directive-flood",
        200,
        "DIRECTIVE_LIMIT",
        q("{ departments " + "@include(if: true) " * 60 + "{ code } }"),
    ),
    Hostile(
        "repeated-fields", 200, "FIELD_REPEAT_LIMIT", q("{ departments { " + "code " * 50 + "} }")
    ),
    Hostile(
        "root-field-flood",
        200,
        "ROOT_FIELD_LIMIT",
        q(
            "{ departments { code } communities { code } services { code } serviceCenters { code } legalAidWorkstations { code } grids(first: 1) { totalCount } d1: departments { code } d2: departments { code } d3: departments { code } d4: departments { code } d5: departments { code } }"
        ),
    ),
    Hostile("token-flood", 200, "TOKEN_LIMIT", q("{ departments { " + "code name " * 600 + "} }")),
    Hostile(
        "cost-bomb",
        200,
        "COST_LIMIT",
        q(
            "{ grids(first: 100) { edges { node { residents(first: 100) { edges { node { name household { members { name } } } } } } } } }"
        ),
    ),
    Hostile(
        "huge-string", 200, "QUERY_TOO_LONG", q('{ grid(code: "' + "9" * 20_000 + '") { name } }')
    ),
    Hostile(
        "huge-body",
        413,
        "PAYLOAD_TOO_LARGE",
        raw=json.dumps(q("{ departments { code } }", padding="x" * 200_000)).encode(),
    ),
    Hostile(
        "declared-huge-body",
        413,
        "PAYLOAD_TOO_LARGE",
        raw=b"{}",
        headers={"Content-Length": "99999999"},
    ),
    Hostile("deeply-nested-json", 400, "BAD_REQUEST_JSON", raw=b"[" * 40_000 + b"]" * 40_000),
    Hostile(
        "url-too-long",
        414,
        "URI_TOO_LONG",
        method="GET",
        params={"query": "{ departments { code } }" + " " * 9000},
        headers={"X-GovGraph-Preflight": "1"},
    ),
    Hostile("put", 405, "METHOD_NOT_ALLOWED", q("{ departments { code } }"), method="PUT"),
    Hostile("delete", 405, "METHOD_NOT_ALLOWED", method="DELETE"),
    Hostile("patch", 405, "METHOD_NOT_ALLOWED", q("{ departments { code } }"), method="PATCH"),
    Hostile(
        "mutation-over-get",
        405,
        "METHOD_NOT_ALLOWED",
        method="GET",
        params={
            "query": 'mutation { rateCase(input: {caseNumber: "2026110100000001", satisfaction: SATISFIED}) { errors { field } } }'
        },
        headers={"X-GovGraph-Preflight": "1"},
    ),
    Hostile(
        "csrf-text-plain",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        raw=b'{"query": "{ departments { code } }"}',
        headers={"Content-Type": "text/plain"},
    ),
    Hostile(
        "csrf-form",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        raw=b"query=%7B%20departments%20%7B%20code%20%7D%20%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    Hostile(
        "csrf-multipart",
        400,
        "CSRF_PREFLIGHT_REQUIRED",
        raw=b"--x\r\n\r\n--x--",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    ),
    Hostile(
        "multipart-without-token",
        401,
        "UNAUTHENTICATED",
        raw=b"--x\r\n\r\n--x--",
        headers={"Content-Type": "multipart/form-data; boundary=x", "X-GovGraph-Preflight": "1"},
    ),
    Hostile(
        "csrf-get-with-cookie-without-preflight",
        400,
        "CSRF_PREFLIGHT_REQUIRED",
        method="GET",
        params={"query": "{ departments { code } }"},
        headers={"Cookie": "session=abc"},
    ),
    Hostile(
        "xml-body",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        raw=b"<query/>",
        headers={"Content-Type": "application/xml"},
    ),
    Hostile(
        "no-content-type",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        raw=b'{"query": "{ departments { code } }"}',
        headers={"Content-Type": ""},
    ),
    Hostile(
        "accept-html",
        406,
        "NOT_ACCEPTABLE",
        q("{ departments { code } }"),
        headers={"Accept": "text/html"},
    ),
    Hostile(
        "accept-xml",
        406,
        "NOT_ACCEPTABLE",
        q("{ departments { code } }"),
        headers={"Accept": "application/xml"},
    ),
    Hostile("bad-json", 400, "BAD_REQUEST_JSON", raw=b'{"query": "{ departments '),
    Hostile("batch-when-off", 400, "BATCHING_DISABLED", [q("{ departments { code } }")] * 3),
    Hostile("body-is-a-string", 400, "BAD_REQUEST", "{ departments { code } }"),
    Hostile("query-not-a-string", 400, "BAD_REQUEST", {"query": 42}),
    Hostile(
        "variables-not-an-object",
        400,
        "BAD_VARIABLES",
        q("{ departments { code } }", variables="x"),
    ),
    Hostile(
        "get-variables-not-json",
        400,
        "BAD_VARIABLES",
        method="GET",
        params={"query": "query($c: String!) { grid(code: $c) { name } }", "variables": "{oops"},
        headers={"X-GovGraph-Preflight": "1"},
    ),
    Hostile(  # deeper than any input: refused before the checks walk it
        "variables-nested-past-any-input",
        400,
        "BAD_REQUEST_JSON",
        q("{ departments { code } }", variables={"a": json.loads("[" * 100 + "]" * 100)}),
    ),
    Hostile(
        "extensions-nested-past-any-input",
        400,
        "BAD_REQUEST_JSON",
        q("{ departments { code } }", extensions=json.loads('{"a":' * 100 + "1" + "}" * 100)),
    ),
    Hostile(
        "get-variables-nested-past-what-json-reads",
        400,
        "BAD_VARIABLES",
        method="GET",
        params={"query": "{ departments { code } }", "variables": "[" * 1200 + "]" * 1200},
        headers={"X-GovGraph-Preflight": "1"},
    ),
    Hostile(  # refused by its own name, not as variables
        "get-extensions-not-json",
        400,
        "BAD_REQUEST",
        method="GET",
        params={"query": "{ departments { code } }", "extensions": "{oops"},
        headers={"X-GovGraph-Preflight": "1"},
    ),
    Hostile(
        "variables-wrong-type",
        200,
        "BAD_VARIABLES",
        q("query($c: String!) { grid(code: $c) { name } }", variables={"c": {"$gt": ""}}),
    ),
    Hostile(
        "variables-missing",
        200,
        "BAD_VARIABLES",
        q("query($c: String!) { grid(code: $c) { name } }"),
    ),
    Hostile("no-query", 400, "BAD_REQUEST", {"variables": {}}),
    Hostile("syntax-error", 200, "GRAPHQL_PARSE_FAILED", q("{ departments { code }")),
    Hostile(
        "syntax-error-graphql-response",
        400,
        "GRAPHQL_PARSE_FAILED",
        q("{ departments { code }"),
        headers={"Accept": GQL},
    ),
    Hostile("null-bytes", 200, "GRAPHQL_PARSE_FAILED", q("{ depart\u0000ments { code } }")),
    Hostile("unknown-field", 200, "GRAPHQL_VALIDATION_FAILED", q("{ everyone { idNumber } }")),
    # a value written into the document where it does not fit: graphql-core quotes it back
    Hostile(
        "id-number-as-an-int-literal",
        200,
        "GRAPHQL_VALIDATION_FAILED",
        q("{ resident(idNumber: 110105194912310021) { name } }"),
    ),
    Hostile(
        "id-number-string-where-an-int-goes",
        200,
        "GRAPHQL_VALIDATION_FAILED",
        q('{ grids(first: "110105194912310021") { totalCount } }'),
    ),
    Hostile(
        "id-number-in-an-input-object-of-the-wrong-shape",
        200,
        "GRAPHQL_VALIDATION_FAILED",
        q("{ residents(filter: {grid: 110105194912310021}) { totalCount } }"),
    ),
    Hostile(
        "id-number-where-a-name-goes",
        200,
        "GRAPHQL_PARSE_FAILED",
        q('{ resident("110105194912310021") { name } }'),
    ),
    Hostile(
        "unknown-field-graphql-response",
        400,
        "GRAPHQL_VALIDATION_FAILED",
        q("{ everyone { idNumber } }"),
        headers={"Accept": GQL},
    ),
    Hostile(
        "unknown-operation-name",
        200,
        "OPERATION_NOT_FOUND",
        q("query A { departments { code } }", operationName="B"),
    ),
    Hostile(
        "two-operations-no-name",
        200,
        "OPERATION_NOT_FOUND",
        q("query A { departments { code } } query B { departments { name } }"),
    ),
    Hostile(
        "invalid-id-number",
        200,
        "BAD_USER_INPUT",
        q('{ resident(idNumber: "110105194912310021") { name } }'),
    ),
    Hostile(
        "invalid-grid-code",
        200,
        "BAD_USER_INPUT",
        q('{ residents(filter: {grid: "12; DROP TABLE"}) { totalCount } }'),
    ),
    Hostile(
        "page-size-over-cap", 200, "PAGE_SIZE_LIMIT", q("{ grids(first: 100000) { totalCount } }")
    ),
    Hostile(
        "forged-cursor",
        200,
        "BAD_USER_INPUT",
        q('{ grids(after: "!!not-base64!!") { totalCount } }'),
    ),
    Hostile(
        "bad-token",
        401,
        "UNAUTHENTICATED",
        q("{ departments { code } }"),
        headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."},
    ),
    Hostile(
        "unknown-persisted-query",  # Apollo's link then sends the query with its hash
        200,
        "PERSISTED_QUERY_NOT_FOUND",
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
    ),
]


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
async def test_hostile_request_is_refused_before_any_backend_call(
    gateway: Gateway, case: Hostile
) -> None:
    gateway.reset_journals()
    headers = {"Content-Type": "application/json", **case.headers}
    headers = {k: v for k, v in headers.items() if v != ""}
    if case.raw is not None:
        content = case.raw
    elif case.body is not None:
        content = json.dumps(case.body).encode()
    else:
        content = b""
    if case.method == "GET":
        response = await gateway.client.get("/graphql", params=case.params, headers=case.headers)
    else:
        response = await gateway.client.request(
            case.method, "/graphql", content=content, headers=headers
        )
    assert response.status_code == case.status, response.text[:300]
    body = response.json()
    codes = [e["extensions"]["code"] for e in body["errors"]]
    assert case.code in codes
    assert "Traceback" not in response.text
    assert "110105194912310021" not in response.text
    assert "110105" not in response.text.replace(" ", "")
    if case.status == 405:
        assert "allow" in response.headers
    assert all(calls == {} for calls in gateway.calls().values())


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 40
    assert len({c.name for c in CORPUS}) == len(CORPUS)


async def test_limit_values_are_hidden_in_production(tmp_path) -> None:  # type: ignore[no-untyped-def]

    settings = {
        "production": True,
        "jwt_secret": "a-real-secret-from-the-vault-0123456789",
        "audit_hmac_key": "k" * 40,
    }
    async with open_gateway(audit_path=str(tmp_path / "a.log"), **settings) as (gateway, _app):
        body = (await gateway.client.post("/graphql", json=q(aliases(40)))).json()
        assert body["errors"][0]["extensions"]["code"] == "ALIAS_LIMIT"
        assert "40" not in body["errors"][0]["message"]
        assert "15" not in body["errors"][0]["message"]
        typo = (await gateway.client.post("/graphql", json=q("{ department { code } }"))).json()
        assert "Did you mean" not in typo["errors"][0]["message"]


async def test_rate_limit_per_client_answers_429_with_retry_after(tmp_path) -> None:  # type: ignore[no-untyped-def]

    async with open_gateway(
        audit_path=str(tmp_path / "a.log"),
        rate_public_requests_per_minute=5,
        rate_user_cost_per_minute=300,
    ) as (gateway, _app):
        statuses = [
            (await gateway.client.post("/graphql", json=q("{ departments { code } }"))).status_code
            for _ in range(7)
        ]
        assert statuses == [200] * 5 + [429] * 2
        limited = await gateway.client.post("/graphql", json=q("{ departments { code } }"))
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        # A signed-in client has its own budget, spent by cost: paging through residents runs out.
        staff = {"Authorization": f"Bearer {token(Role.DISTRICT_ADMIN)}"}
        paging = q(
            '{ residents(filter: {grid: "320213001001001"}, first: 50) { edges { node { name } } } }'
        )
        staff_statuses = [
            (await gateway.client.post("/graphql", json=paging, headers=staff)).status_code
            for _ in range(4)
        ]
        assert staff_statuses[0] == 200
        assert 429 in staff_statuses


async def test_batches_are_capped_when_enabled(tmp_path) -> None:  # type: ignore[no-untyped-def]

    async with open_gateway(
        audit_path=str(tmp_path / "a.log"), batching_enabled=True, max_batch_operations=3
    ) as (gateway, _app):
        two = await gateway.client.post(
            "/graphql", json=[q("{ departments { code } }"), q("{ communities { code } }")]
        )
        assert two.status_code == 200
        assert [list(r["data"]) for r in two.json()] == [["departments"], ["communities"]]
        four = await gateway.client.post("/graphql", json=[q("{ departments { code } }")] * 4)
        assert (four.status_code, four.json()["errors"][0]["extensions"]["code"]) == (
            400,
            "BATCH_LIMIT",
        )


async def test_trusted_documents_in_strict_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    allowed = "{ departments { code } }"
    listing = tmp_path / "trusted.json"
    listing.write_text(json.dumps({"departments": allowed}), encoding="utf-8")
    async with open_gateway(
        audit_path=str(tmp_path / "a.log"),
        trusted_documents_path=str(listing),
        trusted_documents_strict=True,
    ) as (gateway, _app):
        assert (await gateway.client.post("/graphql", json=q(allowed))).status_code == 200
        by_hash = {
            "extensions": {
                "persistedQuery": {
                    "version": 1,
                    "sha256Hash": hashlib.sha256(allowed.encode()).hexdigest(),
                }
            }
        }
        assert (await gateway.client.post("/graphql", json=by_hash)).json()["data"]["departments"]
        other = await gateway.client.post("/graphql", json=q("{ communities { code } }"))
        assert (other.status_code, other.json()["errors"][0]["extensions"]["code"]) == (
            403,
            "UNTRUSTED_DOCUMENT",
        )


async def test_graphql_response_media_type_is_returned_when_asked(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql", json=q("{ departments { code } }"), headers={"Accept": GQL}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GQL)
    plain = await gateway.client.post("/graphql", json=q("{ departments { code } }"))
    assert plain.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (
            'Int cannot represent non-integer value: "张三"',
            'Int cannot represent non-integer value: "..."',
        ),
        (
            'Expected value of type \'ResidentFilter!\', found {grid: "3202\\"13", name: """李四"""}.',
            'Expected value of type \'ResidentFilter!\', found {grid: "...", name: "..."}.',
        ),
        (
            "String cannot represent a non string value: [13912345678]",
            "String cannot represent a non string value: [[已隐去]]",
        ),
        (  # names of fields and types stay, and so do small numbers
            "Cannot query field 'nmae' on type 'Resident'. Did you mean 'name'? Depth 12.",
            "Cannot query field 'nmae' on type 'Resident'. Did you mean 'name'? Depth 12.",
        ),
    ],
)
def test_messages_about_a_document_leave_out_the_values_written_in_it(
    message: str, shown: str
) -> None:
    assert without_values(message) == shown


def test_the_control_character_scan_is_the_unicode_categories_over_every_code_point() -> None:
    """The edge's scan is one regular expression; it refuses exactly Cc and Cs but tab, line
    feed and carriage return, and U+FFFE and U+FFFF, as the Unicode database has them."""
    differ = [
        code
        for code in range(0x110000)
        if bad_character(chr(code)) != bad_character_by_category(chr(code))
    ]
    assert differ == []
    assert bad_character("报修\t第1条\r\n") is False
    assert bad_character("报修\x85") and bad_character("\ud83d") and bad_character("a\ufffe")
