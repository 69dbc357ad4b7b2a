"""Persisted documents as the tools send them: Apollo's automatic persisted queries (miss,
register, hit; a wrong hash refused; nothing registered that fails validation), and trusted
documents from the codegen client preset, Apollo's manifest or a plain map."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.access.auth import Role
from tests.gateway.conftest import Gateway, make_gateway, open_gateway

QUERY = "query Departments { departments { code name } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(digest: str, query: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    if query is not None:
        body["query"] = query
    return body


async def test_apollo_apq_miss_register_hit(gateway: Gateway) -> None:
    digest = sha(QUERY)
    miss = await gateway.client.post("/graphql", json=apq(digest))
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = await gateway.client.post("/graphql", json=apq(digest, QUERY))
    assert registered.status_code == 200 and registered.json()["data"]["departments"]
    hit = await gateway.client.post("/graphql", json=apq(digest))
    assert hit.json()["data"] == registered.json()["data"]
    by_get = await gateway.client.get(
        "/graphql", params={"extensions": json.dumps(apq(digest)["extensions"])}
    )
    assert by_get.status_code == 200 and by_get.json()["data"] == hit.json()["data"]


async def test_a_hash_that_is_not_the_querys_is_refused(gateway: Gateway) -> None:
    answer = await gateway.client.post("/graphql", json=apq(sha("{ other }"), QUERY))
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_an_invalid_query_is_not_registered(gateway: Gateway) -> None:
    wrong = "{ departments { nosuchfield } }"
    first = await gateway.client.post("/graphql", json=apq(sha(wrong), wrong))
    assert first.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    again = await gateway.client.post("/graphql", json=apq(sha(wrong)))
    assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def codegen_file(path: Path) -> Path:
    """What the codegen client preset writes with `persistedDocuments: true` (sha256 keys)."""
    document = "query Departments { departments { code name } }"
    path.write_text(json.dumps({sha(document): document}), encoding="utf-8")
    return path


def apollo_manifest(path: Path) -> Path:
    document = "query Departments {\n  departments {\n    code\n    name\n  }\n}"
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": sha(document), "name": "Departments", "type": "query", "body": document}
        ],
    }
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return path


@pytest.mark.parametrize("make", [codegen_file, apollo_manifest], ids=["codegen", "apollo"])
async def test_trusted_documents_from_the_tools_in_strict_mode(tmp_path: Path, make: Any) -> None:
    listing = make(tmp_path / "documents.json")
    (document_id, _body), *_ = (
        json.loads(listing.read_text()).items()
        if make is codegen_file
        else [(op["id"], op["body"]) for op in json.loads(listing.read_text())["operations"]]
    )
    async with open_gateway(
        audit_path=str(tmp_path / "a.log"),
        trusted_documents_path=str(listing),
        trusted_documents_strict=True,
    ) as (gateway, _app):
        by_id = await gateway.client.post("/graphql", json={"documentId": f"sha256:{document_id}"})
        assert by_id.status_code == 200 and by_id.json()["data"]["departments"]
        by_hash = await gateway.client.post("/graphql", json=apq(document_id))
        assert by_hash.json()["data"]["departments"]
        as_written = "query Departments { departments { code name } }  # as in the source"
        assert (
            await gateway.client.post("/graphql", json={"query": as_written})
        ).status_code == 200
        other = await gateway.client.post("/graphql", json={"query": "{ communities { code } }"})
        assert other.status_code == 403
        assert other.json()["errors"][0]["extensions"]["code"] == "UNTRUSTED_DOCUMENT"
        unknown = await gateway.client.post("/graphql", json={"documentId": "sha256:" + "0" * 64})
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        # strict: nothing new is registered
        other_query = "{ communities { code } }"
        await gateway.client.post("/graphql", json=apq(sha(other_query), other_query))
        later = await gateway.client.post("/graphql", json=apq(sha(other_query)))
        assert later.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "cannot be read"), ("{not json", "cannot be read"), ("{}", "no operation")],
)
async def test_a_trusted_documents_file_that_is_no_use_stops_the_start(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    listing = tmp_path / "documents.json"
    if content is not None:
        listing.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        await make_gateway(
            audit_path=str(tmp_path / "a.log"),
            trusted_documents_path=str(listing),
            trusted_documents_strict=True,
        )


async def test_a_registration_is_the_callers_own(gateway: Gateway) -> None:
    """Another caller's hash hit would tell that someone ran that document (with, say, an ID
    number typed into it): registrations are kept per caller."""
    query = '{ resident(registryNumber: "RK32021300000005") { registryNumber } }'
    digest = sha(query)
    first = gateway.as_role(Role.CIVIL_AFFAIRS, subject="clerk-1")
    other = gateway.as_role(Role.DISTRICT_ADMIN, subject="admin-2")
    registered = await gateway.client.post(
        "/graphql", json=apq(digest, query), headers=first.headers
    )
    assert registered.json()["data"]["resident"]
    probe = await gateway.client.post("/graphql", json=apq(digest), headers=other.headers)
    assert probe.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    again = await gateway.client.post("/graphql", json=apq(digest), headers=first.headers)
    assert again.json()["data"] == registered.json()["data"]
