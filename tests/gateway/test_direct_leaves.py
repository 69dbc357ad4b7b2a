"""Scalars answered without graphql-core's per-field machinery give what graphql-core gives:
the same data and, for odd values, the same errors at the same paths. Policed scalars keep
their checks, masks and audit."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

import schema.execution as execution
from gateway.access.auth import Role
from schema.direct import direct_read
from tests.gateway.conftest import Gateway
from tests.gateway.test_access import claims_for


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    name: str
    note: str | None
    count: int
    colour: Colour
    seen: datetime.datetime
    tags: list[str]


def _item(**odd: Any) -> Item:
    plain: dict[str, Any] = {
        "name": "a",
        "note": None,
        "count": 3,
        "colour": Colour.RED,
        "seen": datetime.datetime(2026, 12, 5, 8, 30, tzinfo=datetime.UTC),
        "tags": ["x"],
    }
    return Item(**{**plain, **odd})


ITEMS = [
    _item(),
    _item(note="n", colour=Colour.BLUE, count=0),
    _item(name=None),  # null where none is allowed
    _item(count=2**40),  # more than GraphQL's Int holds
    _item(colour="purple"),  # not a member
    _item(note=ValueError("a value that is an error")),
    _item(seen="not a time"),
    _item(note=12),  # coerced to "12"
    _item(name=object()),  # no string for it
]


async def _later(text: str) -> str:
    return text


@strawberry.type
class Pending:
    text: str
    note: str | None


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS

    @strawberry.field
    def loose_items(self) -> list[Item | None]:
        return list(ITEMS)

    @strawberry.field
    def pending(self) -> Pending:
        return Pending(text=_later("awaited"), note=_later("too"))  # type: ignore[arg-type]


QUERIES = [
    "{ items { name note count colour seen tags } }",
    "{ items { note count } }",
    "{ items { ... on Item { n: name, c: colour } __typename } }",
    "{ looseItems { name note count colour seen tags } }",
    "{ looseItems { note name } items { count } }",
]


def _stock() -> strawberry.Schema:
    return strawberry.Schema(query=Query)


def _gateways(
    extensions: list[type[SchemaExtension]] | None = None,
    query: type = Query,
    types: tuple[type, ...] = (),
) -> strawberry.Schema:
    schema = strawberry.Schema(
        query=query,
        types=types,
        extensions=extensions or [],
        execution_context_class=execution.GatewayExecutionContext,
    )
    execution.read_plain_fields_directly(schema._schema)
    return schema


def _answer(schema: strawberry.Schema, query: str) -> tuple[Any, list[tuple[Any, ...]]]:
    result = schema.execute_sync(query)
    errors = [(e.message, e.path, e.locations) for e in result.errors or []]
    return result.data, sorted(errors, key=repr)


def _counting_infos(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    built: Counter[str] = Counter()
    original: Callable[..., Any] = execution.GatewayExecutionContext.build_resolve_info

    def counted(self: Any, field_def: Any, nodes: Any, parent: Any, path: Any) -> Any:
        built[f"{parent.name}.{nodes[0].name.value}"] += 1
        return original(self, field_def, nodes, parent, path)

    monkeypatch.setattr(execution.GatewayExecutionContext, "build_resolve_info", counted)
    return built


@pytest.mark.parametrize("query", QUERIES)
def test_scalars_answered_directly_match_graphql_core_values_and_errors(query: str) -> None:
    assert _answer(_gateways(), query) == _answer(_stock(), query)


async def test_a_value_still_to_be_awaited_is_awaited_as_graphql_core_does() -> None:
    query = "{ pending { text note } }"
    ours, stock = await _gateways().execute(query), await _stock().execute(query)
    assert ours.errors is None and stock.errors is None
    assert ours.data == stock.data == {"pending": {"text": "awaited", "note": "too"}}


def test_the_odd_values_are_reported_and_the_rest_answered() -> None:
    data, errors = _answer(_gateways(), QUERIES[3])
    messages = " ".join(message for message, _, _ in errors)
    assert "Cannot return null for non-nullable field Item.name" in messages
    assert "Int cannot represent non 32-bit signed integer value" in messages
    assert "Enum 'Colour' cannot represent value: 'purple'" in messages
    assert "a value that is an error" in messages
    assert sorted(path[1] for _, path, _ in errors) == [2, 3, 4, 5, 6, 8]
    assert data is not None
    items = data["looseItems"]
    assert items[0]["name"] == "a" and items[1]["colour"] == "BLUE" and items[7]["note"] == "12"
    assert [i is None for i in items] == [False, False, True, True, True, False, True, False, True]


def test_only_the_out_of_the_ordinary_scalars_build_a_resolve_info(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = _counting_infos(monkeypatch)
    _answer(_gateways(), "{ looseItems { note count name } }")
    # A value the scalar refuses fails in its coercion, before any info is wanted.
    assert built == Counter({"Query.looseItems": 1, "Item.note": 1, "Item.name": 1})


class CountingResolves(SchemaExtension):
    seen: ClassVar[Counter[str]] = Counter()

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        CountingResolves.seen[f"{info.parent_type.name}.{info.field_name}"] += 1
        return _next(root, info, *args, **kwargs)


def test_an_extension_that_sees_every_field_still_sees_every_scalar() -> None:
    CountingResolves.seen.clear()
    query = "{ looseItems { colour } }"
    assert _answer(_gateways([CountingResolves]), query) == _answer(_stock(), query)
    assert CountingResolves.seen["Item.colour"] == len(ITEMS)


def test_a_resolver_wrapped_after_the_schema_is_built_is_called() -> None:
    schema = _gateways()
    item = schema._schema.type_map["Item"]
    field = item.fields["name"]  # type: ignore[attr-defined]
    inner = field.resolve
    field.resolve = lambda root, info: str(inner(root, info)).upper()
    assert direct_read(field.resolve) is None
    result = schema.execute_sync("{ looseItems { name } }")
    assert result.data is not None
    assert [i["name"] for i in result.data["looseItems"]][:3] == ["A", "A", "NONE"]


RESIDENT_SCALARS = """query($grid: String!) { residents(filter: {grid: $grid}, first: 6) {
    totalCount edges { __typename node { name phone idNumber age sex birthYear address
    registryNumber tags { type label } } } } }"""
AUDITED = ("fields", "denied", "residents", "resident_count", "outcome")


def _audited(log: Path) -> list[dict[str, Any]]:
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [{key: json.loads(line).get(key) for key in AUDITED} for line in lines]


@pytest.mark.parametrize("role", [r.value for r in Role])
async def test_policed_scalars_answer_and_audit_as_through_graphql_core(
    gateway: Gateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    population = gateway.mocks.population
    index = 2222
    claims = claims_for(role, population, index) if role != "department" else {"department": "BM09"}
    caller = gateway.as_role(Role(role), **claims)
    variables = {"grid": population.person(index).grid.code}
    built = _counting_infos(monkeypatch)
    direct = await caller.query(RESIDENT_SCALARS, variables)
    direct_audit = _audited(tmp_path / "audit.log")
    infos_for_names = built["Resident.name"]
    for method in ("execute_field", "complete_object_value"):  # graphql-core's own, both
        monkeypatch.setattr(
            execution.GatewayExecutionContext,
            method,
            getattr(StrawberryGraphQLCoreExecutionContext, method),
        )
    ordinary = await caller.query(RESIDENT_SCALARS, variables)
    assert direct == ordinary
    assert _audited(tmp_path / "audit.log") == direct_audit * 2
    edges = (direct.get("data") or {}).get("residents") or {"edges": []}
    if edges["edges"] and not direct.get("errors"):
        assert infos_for_names == 0  # the first request took the direct path
