"""A real supergraph router in front of the gateway: Hive Gateway (from `federation/router`'s
lockfile) over the committed supergraph, the gateway a subgraph (`subgraph = "all"`) in a
process of its own. The README's cross-system queries answer through the router as they do
from the gateway itself, for each role; the caller's token, purpose and request id reach the
subgraph, which masks and audits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.processes import free_port, running_stack, wait_until_up
from gateway.access.auth import Role
from mocks import Population
from tests.gateway.conftest import token
from tests.node_tools import ROOT, installed, tool

pytestmark = pytest.mark.heavy
ROUTER = ROOT / "federation" / "router"
PLACEHOLDER = "http://govgraph.subgraph.invalid/graphql"


@dataclass
class Federated:
    router: str
    subgraph: str
    audit: Path
    population: Population


@pytest.fixture(scope="module")
def federated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federated]:
    installed(ROUTER)
    work = tmp_path_factory.mktemp("federated")
    with running_stack(work, scale="tiny", gateway_env={"GOVGRAPH_SUBGRAPH": "all"}) as stack:
        supergraph = work / "supergraph.graphql"
        committed = (ROOT / "supergraph.graphql").read_text(encoding="utf-8")
        assert PLACEHOLDER in committed
        supergraph.write_text(
            committed.replace(PLACEHOLDER, f"{stack.gateway_url}/graphql"), encoding="utf-8"
        )
        port = free_port()
        router = subprocess.Popen(
            [
                tool("node"),
                str(ROUTER / "node_modules" / "@graphql-hive" / "gateway" / "dist" / "bin.js"),
                "supergraph",
                str(supergraph),
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
            ],
            cwd=ROUTER,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "NODE_ENV": "production"},
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthcheck", router)
            yield Federated(
                f"http://127.0.0.1:{port}/graphql",
                f"{stack.gateway_url}/graphql",
                work / "audit.log",
                Population(seed=1, preset="tiny"),
            )
        finally:
            os.killpg(router.pid, signal.SIGTERM)
            router.wait(timeout=20)


def post(url: str, query: str, variables: dict[str, Any], headers: dict[str, Any]) -> Any:
    answer = httpx.post(
        url, json={"query": query, "variables": variables}, headers=headers, timeout=60
    )
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()


ONE_PERSON = """query($id: String!) { resident(idNumber: $id) { name grid { name }
  household { address } reportedCases { number status } legalAidCases { number statusLabel }
  disputes { kind } enrolments { service { name } } } }"""
GRID_CASES = """query($grid: String!) { cases(filter: {grid: $grid}, first: 20) { totalCount
  edges { node { ... on UrbanCase { number subClass status overdue
  reporter { method resident { name } } department { name } } } } } }"""


def callers(population: Population) -> dict[str, dict[str, str]]:
    person = population.person(0)
    grid = person.grid
    claims: dict[Role, dict[str, Any]] = {
        Role.RESIDENT: {"registry_number": person.registry_number, "id_number": person.id_number},
        Role.GRID_WORKER: {"grids": [grid.code]},
        Role.COMMUNITY_ADMIN: {"communities": [grid.community.code]},
        Role.CIVIL_AFFAIRS: {},
    }
    found: dict[str, dict[str, str]] = {"public": {}}
    for role, given in claims.items():
        found[role.value] = {
            "Authorization": f"Bearer {token(role, **given)}",
            "X-Purpose": "router test",
        }
    return found


def codes(body: Any) -> list[str]:
    return sorted(e.get("extensions", {}).get("code", "") for e in body.get("errors", []))


def test_the_readme_queries_answer_the_same_through_the_router(federated: Federated) -> None:
    population = federated.population
    person = population.person(0)
    cases = [
        (ONE_PERSON, {"id": person.id_number}),
        (GRID_CASES, {"grid": person.grid.code}),
    ]
    compared = 0
    for role, headers in callers(population).items():
        for query, variables in cases:
            direct = post(federated.subgraph, query, variables, headers)
            routed = post(federated.router, query, variables, headers)
            assert routed.get("data") == direct.get("data"), (role, query[:30])
            assert codes(routed) == codes(direct), (role, query[:30])
            compared += 1
    assert compared == 10


@pytest.mark.parametrize(
    "purpose",
    [b"%E6%A0%B8%E5%AE%9E%E4%BD%8E%E4%BF%9D%E8%B5%84%E6%A0%BC", "核实低保资格".encode()],
    ids=["percent-encoded", "raw-utf8"],
)
def test_the_request_id_and_purpose_reach_the_subgraph_which_audits(
    federated: Federated, purpose: bytes
) -> None:
    person = federated.population.person(0)
    request_id = f"router-join-{len(purpose)}"
    headers: dict[str, Any] = {
        **callers(federated.population)["civil_affairs"],
        "X-Request-ID": request_id,
        "X-Purpose": purpose,
    }
    body = post(federated.router, ONE_PERSON, {"id": person.id_number}, headers)
    assert ((body.get("data") or {}).get("resident") or {}).get("name") == person.name, body
    lines = [
        json.loads(line)
        for line in federated.audit.read_text(encoding="utf-8").splitlines()
        if request_id in line
    ]
    assert len(lines) == 1  # one subgraph operation, on record once
    assert lines[0]["purpose"] == "核实低保资格"
    assert lines[0]["role"] == "civil_affairs"


def test_a_bad_token_through_the_router_is_the_subgraphs_refusal(federated: Federated) -> None:
    answer = httpx.post(
        federated.router,
        json={"query": "{ grids(first: 1) { totalCount } }"},
        headers={"Authorization": "Bearer not-a-token"},
        timeout=30,
    )
    body = answer.json()
    assert body.get("data") in (None, {"grids": None})
    assert "UNAUTHENTICATED" in json.dumps(body)
