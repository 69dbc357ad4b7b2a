"""Plans of plain subtrees are kept from one request of an operation to the next when nothing in
the operation depends on the request's variables; an operation with @skip, @include, @defer or a
fragment argument is planned per request, with that request's variables."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

import pytest
import strawberry
from graphql import ExecutionResult, OperationDefinitionNode, execute, parse

from gateway.access.auth import Role
from schema import execution, plans
from schema.shared_plans import SharedPlans
from tests.gateway.conftest import Gateway
from tests.gateway.test_batching import CASE_LIST
from tests.gateway.test_direct_leaves import _gateways


def counting_plans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    planned: list[str] = []
    original: Callable[..., Any] = plans.plan

    def counted(kind: Any, *args: Any) -> Any:
        planned.append(kind.name)
        return original(kind, *args)

    monkeypatch.setattr(execution, "plan", counted)
    return planned


async def test_every_request_of_an_operation_uses_the_first_ones_plans(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = counting_plans(monkeypatch)
    grid = gateway.mocks.population.geography.grids[6]
    staff = gateway.as_role(Role.URBAN_MANAGEMENT)
    first = await staff.data(CASE_LIST, {"grid": grid.code})
    assert first["cases"]["edges"] and planned
    planned.clear()
    assert await staff.data(CASE_LIST, {"grid": grid.code}) == first
    other = gateway.mocks.population.geography.grids[7]
    assert (await staff.data(CASE_LIST, {"grid": other.code}))["cases"]["edges"]
    assert planned == []  # other variables, the same plans


@strawberry.type
class Shelf:
    label: str
    size: int


@strawberry.type
class Query:
    @strawberry.field
    def shelves(self) -> list[Shelf]:
        return [Shelf(label="a", size=1), Shelf(label="b", size=2)]


def run(schema: strawberry.Schema, document: Any, variables: dict[str, Any]) -> ExecutionResult:
    result = execute(
        schema._schema,
        document,
        variable_values=variables,
        executor_class=execution.GatewayExecutionContext,
    )
    assert isinstance(result, ExecutionResult)
    return result


@pytest.mark.parametrize(
    "query",
    [
        "query($x: Boolean!) { shelves { label size @include(if: $x) } }",
        "query($x: Boolean!) { shelves { label ... @skip(if: $x) { size } } }",
        "query($x: Boolean!) { shelves { label ...S @include(if: $x) } } fragment S on Shelf { size }",
        "query($x: Boolean!) { shelves { label ...S } } fragment S on Shelf { size @include(if: $x) }",
    ],
)
def test_an_operation_whose_selections_follow_its_variables_is_planned_each_time(
    query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = counting_plans(monkeypatch)
    schema, document = _gateways(query=Query), parse(query)
    answers = [run(schema, document, {"x": x}).data for x in (True, False, True, False)]
    shown = [sorted(answer["shelves"][0]) for answer in answers if answer]
    skip = "@skip" in query
    with_size, without = ["label", "size"], ["label"]
    assert shown == ([without, with_size] * 2 if skip else [with_size, without] * 2)
    assert len(planned) == 4


def test_an_operation_without_directives_is_planned_once(monkeypatch: pytest.MonkeyPatch) -> None:
    planned = counting_plans(monkeypatch)
    schema = _gateways(query=Query)
    document = parse("query($x: Int) { shelves { label ... on Shelf { size } } }")
    answers = [run(schema, document, {"x": x}).data for x in range(3)]
    assert answers == [{"shelves": [{"label": "a", "size": 1}, {"label": "b", "size": 2}]}] * 3
    assert planned == ["Shelf"]
    # the same text parsed again is another document: planned for itself
    run(schema, parse("query($x: Int) { shelves { label ... on Shelf { size } } }"), {})
    assert planned == ["Shelf", "Shelf"]


def test_a_fragment_with_a_directive_on_its_definition_is_not_shared() -> None:
    document = parse("{ shelves { ...S } } fragment S on Shelf @deprecated { size }")
    operation, fragment = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert SharedPlans().plans_for(operation, {"S": fragment}) is None
    plain = parse("{ shelves { ...S } }").definitions[0]
    assert isinstance(plain, OperationDefinitionNode)
    assert SharedPlans().plans_for(plain, {}) == {}


def test_the_plans_of_the_least_recently_used_operations_are_let_go() -> None:
    plans = SharedPlans(max_operations=2)
    operations = [parse(f"{{ shelves {{ label{n}: label }} }}").definitions[0] for n in range(3)]
    held = [weakref.ref(operation) for operation in operations]
    for operation in operations:
        assert isinstance(operation, OperationDefinitionNode)
        assert plans.plans_for(operation, {}) == {}
    del operation, operations
    gc.collect()
    assert [reference() is None for reference in held] == [True, False, False]
