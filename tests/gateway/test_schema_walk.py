"""Valid documents drawn from the whole schema, queries and mutations, with argument values both
real (the population's codes, numbers and IDs) and odd (empty, too long, the wrong form, far
dates, huge numbers), sent by every role. Whatever a caller may send, the answer is coded: never
a 500, never a traceback, never INTERNAL, and never a backend's error for the caller's input,
which would mean the gateway sent a system what it refuses (the mocks here do not fail)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    build_schema,
    get_named_type,
)

from gateway.access.auth import Role
from schema.relay import global_id
from tests.gateway.conftest import Gateway, open_gateway

SCHEMA = build_schema((Path(__file__).parents[2] / "schema.graphql").read_text(encoding="utf-8"))
ODD = ["", "x", "中文", "'; --", "\u0000", "a" * 600, "../../etc", "-1", "NaN", " 1 ", "R0001"]
ODD_TIMES = [
    "2026-10-01T00:00:00+08:00",
    "2026-10-01",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
]
ODD_INTS = [0, 1, 5, 51, 201, -1, -(2**31), 2**31 - 1]
DOCUMENTS_PER_SEED = 100


class Walk:
    """One seed's documents: fields picked at random, arguments as variables."""

    def __init__(self, seed: int, real: dict[str, list[str]]) -> None:
        self.random = random.Random(seed)
        self.real = real
        self.variables: dict[str, Any] = {}
        self.declared: list[str] = []

    def document(self, root: GraphQLObjectType) -> tuple[str, dict[str, Any]]:
        self.variables, self.declared = {}, []
        selection = self.selection(root, 0)
        head = f"({', '.join(self.declared)})" if self.declared else ""
        kind = "mutation" if root.name == "Mutation" else "query"
        return f"{kind} Walk{head} {selection}", self.variables

    def selection(self, kind: GraphQLNamedType, depth: int) -> str:
        if isinstance(kind, GraphQLUnionType):
            members = self.random.sample(kind.types, min(2, len(kind.types)))
            parts = [f"... on {m.name} {self.selection(m, depth + 1)}" for m in members]
            return "{ __typename " + " ".join(parts) + " }"
        assert isinstance(kind, GraphQLObjectType | GraphQLInterfaceType)
        fields = list(kind.fields.items())
        picked = self.random.sample(fields, min(len(fields), self.random.choice([1, 2, 4, 6])))
        out = []
        for name, field in picked:
            named = get_named_type(field.type)
            leaf = isinstance(named, GraphQLScalarType | GraphQLEnumType)
            if not leaf and depth >= 3:
                continue
            arguments = []
            for argument_name, argument in field.args.items():
                if isinstance(argument.type, GraphQLNonNull) or self.random.random() < 0.4:
                    variable = f"v{len(self.declared)}"
                    self.declared.append(f"${variable}: {argument.type}")
                    self.variables[variable] = self.value(argument.type, 0)
                    arguments.append(f"{argument_name}: ${variable}")
            text = name + (f"({', '.join(arguments)})" if arguments else "")
            out.append(text if leaf else f"{text} {self.selection(named, depth + 1)}")
        return "{ " + (" ".join(out) or "__typename") + " }"

    def value(self, kind: Any, depth: int) -> Any:
        if isinstance(kind, GraphQLNonNull):
            return self.value(kind.of_type, depth)
        if isinstance(kind, GraphQLList):
            return [self.value(kind.of_type, depth + 1) for _ in range(self.random.randint(0, 2))]
        if isinstance(kind, GraphQLEnumType):
            return self.random.choice(list(kind.values))
        if isinstance(kind, GraphQLInputObjectType):
            return {
                name: self.value(field.type, depth + 1)
                for name, field in kind.fields.items()
                if isinstance(field.type, GraphQLNonNull) or self.random.random() < 0.5
            }
        name = kind.name
        if name == "Int":
            return self.random.choice(ODD_INTS)
        if name == "Boolean":
            return self.random.random() < 0.5
        if name == "DateTime":
            return self.random.choice(ODD_TIMES)
        if name in ("ID", "String") and self.random.random() < 0.6 and self.real[name]:
            return self.random.choice(self.real[name])
        return self.random.choice(ODD)


REAL_KEYS = """{ residents(first: 20, filter: {grid: "320213001001001"}) { edges { node {
  id registryNumber idNumber phone household { id code } } } }
  grids(first: 20) { edges { node { id code } } } communities { id code }
  cases(first: 20) { edges { node { ... on UrbanCase { id number } ... on LegalAidCase { id number } } } }
  services { id code } departments { id code } }"""


def real_keys(data: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"ID": [], "String": []}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, str):
                    found["ID" if key == "id" else "String"].append(inner)
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(data)
    return found


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    async with open_gateway(
        "tiny", rate_public_requests_per_minute=100_000, rate_public_cost_per_minute=10_000_000
    ) as (gw, _):
        yield gw


WITH_CLAIMS = {Role.GRID_WORKER, Role.COMMUNITY_ADMIN, Role.DEPARTMENT, Role.RESIDENT}


def callers(gateway: Gateway) -> list[Gateway]:
    person = gateway.mocks.population.person(0)
    return [
        gateway,
        *(gateway.as_role(role) for role in Role if role not in WITH_CLAIMS),
        gateway.as_role(Role.GRID_WORKER, grids=["320213001001001"]),
        gateway.as_role(Role.COMMUNITY_ADMIN, communities=["320213001001"]),
        gateway.as_role(Role.DEPARTMENT, department="BM09"),
        gateway.as_role(
            Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
        ),
    ]


@pytest.mark.parametrize("seed", range(6))
async def test_whatever_the_schema_allows_is_answered_with_a_coded_error_or_data(
    gateway: Gateway, seed: int
) -> None:
    real = real_keys(await gateway.as_role(Role.DISTRICT_ADMIN).data(REAL_KEYS))
    real["ID"] += [global_id("Resident", "R0001"), global_id("Grid", "x"), "UmVzaWRlbnQ="]
    walk = Walk(seed, real)
    who = callers(gateway)
    roots: list[GraphQLObjectType] = [SCHEMA.query_type, SCHEMA.query_type, SCHEMA.mutation_type]  # type: ignore[list-item]
    for number in range(DOCUMENTS_PER_SEED):
        document, variables = walk.document(walk.random.choice(roots))
        response = await walk.random.choice(who).post(document, variables)  # a key for writes
        where = f"seed {seed}, document {number}: {document[:300]} {str(variables)[:300]}"
        assert response.status_code < 500, where
        assert "Traceback" not in response.text and 'File "' not in response.text, where
        for error in response.json().get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            assert code is not None, where
            assert code != "INTERNAL" and not code.startswith("BACKEND"), (code, where)
