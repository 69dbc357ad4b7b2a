"""A document is parsed and validated once per distinct text: the HTTP layer's checks hand the
checked document to the execution, which does neither again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema

import gateway.http.documents as documents_module
from gateway.access.auth import Role
from gateway.http.graphql import build_gateway_schema
from tests.gateway.conftest import Gateway

QUERY = "query Depts { departments { code name } }"


def _counting(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, counts: Counter[str], label: str
) -> None:
    original: Callable[..., Any] = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[label] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counted: Counter[str] = Counter()
    _counting(monkeypatch, documents_module, "parse", counted, "gateway parse")
    _counting(monkeypatch, documents_module, "validate", counted, "gateway validate")
    _counting(monkeypatch, strawberry_schema, "parse", counted, "strawberry parse")
    _counting(monkeypatch, strawberry_schema, "validate_document", counted, "strawberry validate")
    return counted


async def test_a_document_is_parsed_and_validated_once_for_many_requests(
    gateway: Gateway, counts: Counter[str]
) -> None:
    staff = gateway.as_role(Role.URBAN_MANAGEMENT)
    answers = [await staff.data(QUERY) for _ in range(3)]
    assert answers[0]["departments"] and answers[0] == answers[1] == answers[2]
    assert counts == Counter({"gateway parse": 1, "gateway validate": 1})


async def test_an_invalid_document_is_still_refused_each_time(
    gateway: Gateway, counts: Counter[str]
) -> None:
    staff = gateway.as_role(Role.URBAN_MANAGEMENT)
    for _ in range(2):
        body = await staff.query("{ departments { code nosuchfield } }")
        assert body.get("data") is None
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert counts["strawberry parse"] == counts["strawberry validate"] == 0


async def test_a_schema_executed_directly_still_validates() -> None:
    """Without a checked document in its context (tests, embeddings) Strawberry checks as usual."""
    result = await build_gateway_schema().execute("{ departments { nosuchfield } }")
    assert result.data is None
    assert result.errors and "nosuchfield" in result.errors[0].message


async def test_the_limits_are_read_again_when_a_page_size_variable_changes(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: Counter[str] = Counter()
    _counting(monkeypatch, documents_module, "analyse", counted, "analyse")
    staff = gateway.as_role(Role.URBAN_MANAGEMENT)
    paged = "query Grids($n: Int!, $micro: Boolean!) { grids(first: $n, includeMicroGrids: $micro) { totalCount } }"
    for _ in range(2):
        assert (await staff.data(paged, {"n": 5, "micro": False}))["grids"]["totalCount"] > 0
    assert (await staff.data(paged, {"n": 5, "micro": True}))["grids"]["totalCount"] > 0
    assert counted["analyse"] == 1  # other variables do not change the analysis
    for _ in range(2):
        refused = await staff.query(paged, {"n": 100_000, "micro": False})
        assert refused["errors"][0]["extensions"]["code"] == "PAGE_SIZE_LIMIT"
    assert counted["analyse"] == 3  # a refusal is worked out each time, never remembered
