"""A real supergraph router in front of the gateway: Hive Gateway (from `federation/router`'s
lockfile) over the committed supergraph, the gateway a subgraph (`subgraph = "all"`) in a
process of its own. The README's cross-system queries answer through the router as they do
from the gateway itself, for each role; the caller's token, purpose and request id reach the
subgraph, which masks and audits."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.processes import free_port, on_fresh_ports, running_stack, wait_until_up
from gateway.access.auth import Role
from gateway.cli.router import ROUTER, start_router, stop_router, supergraph_for
from mocks import DEFAULT_PORTS, Population
from schema import build_schema, subgraph_sdl
from schema.subgraphs import SUBGRAPHS as ALL_SUBGRAPHS
from tests.gateway.conftest import token
from tests.node_tools import ROOT, installed
from tests.test_federation_composition import compose_services

pytestmark = pytest.mark.heavy
SUBGRAPHS = tuple(name for name in ALL_SUBGRAPHS if name != "all")  # a process each


MOCKS: dict[str, str] = {}  # the running mocks' URLs, by system


@dataclass
class Federated:
    router: str
    subgraph: str
    audit: Path
    population: Population


@contextlib.contextmanager
def router_over(supergraph: Path, options: list[str] | None = None) -> Iterator[str]:
    """Hive Gateway serving `supergraph` on a free port, as the demo starts it, stopped after."""
    installed(ROUTER)
    port = free_port()
    router = start_router(port, supergraph, options or [], quiet=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthcheck", router)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        stop_router(router)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """The mocks, and one gateway process for each agency's subgraph."""
    work = tmp_path_factory.mktemp("federated")
    each = [{"GOVGRAPH_SUBGRAPH": name} for name in SUBGRAPHS]
    with running_stack(work, scale="tiny", gateways=len(SUBGRAPHS), each_gateway=each) as running:
        MOCKS.update(running.mock_urls)
        urls = [f"{url}/graphql" for url in running.gateway_urls]
        yield work, dict(zip(SUBGRAPHS, urls, strict=True))


@pytest.fixture(scope="module")
def federated(stack: tuple[Path, dict[str, str]]) -> Iterator[Federated]:
    work, subgraphs = stack
    supergraph = supergraph_for(subgraphs, work / "supergraph.graphql")
    with router_over(supergraph) as router:
        # The urban subgraph's gateway answers every query alone too: the monolith to compare with.
        monolith = subgraphs["urban"]
        yield Federated(router, monolith, work / "audit.log", Population(seed=1, preset="tiny"))


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
    # One line per subgraph operation: civil affairs' (the resident, household, enrolments),
    # urban management's (the grid, the cases reported) and legal aid's (applications,
    # disputes), one request id and purpose on each.
    assert len(lines) == 3
    assert len({line["writer"] for line in lines}) == 3
    assert {line["purpose"] for line in lines} == {"核实低保资格"}
    assert {line["role"] for line in lines} == {"civil_affairs"}


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


FIRE = ROOT / "examples" / "fire-safety" / "app.py"


def test_another_teams_subgraph_and_ours_in_one_query(stack: tuple[Path, dict[str, str]]) -> None:
    """The fire-safety example extends our Grid; one request through the router asks both."""
    import runpy
    import sys

    work, subgraphs = stack
    port = free_port()
    fire = subprocess.Popen(
        [sys.executable, str(FIRE), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/graphql?query=%7B__typename%7D", fire)
        arguments = []
        for name, url in subgraphs.items():
            ours = work / f"{name}.graphql"
            ours.write_text(subgraph_sdl(build_schema(subgraph=name)), encoding="utf-8")
            arguments.append(f"{name}={ours}={url}")
        theirs = work / "fire.graphql"
        example = runpy.run_path(str(FIRE))
        theirs.write_text(example["schema"].as_str(), encoding="utf-8")
        arguments.append(f"fire-safety={theirs}=http://127.0.0.1:{port}/graphql")
        composed = compose_services(arguments)
        assert composed["guild"]["errors"] == []
        supergraph = work / "city.graphql"
        supergraph.write_text(str(composed["guild"]["supergraph"]), encoding="utf-8")
        population = Population(seed=1, preset="tiny")
        grid = population.geography.grids[0].code
        query = """query($grid: String!) { grid(code: $grid) { name
          cases(first: 2) { totalCount } fireAlarms { sensorId kind handled } } }"""
        headers = callers(population)["grid_worker"]
        with router_over(supergraph) as router:
            body = post(router, query, {"grid": grid}, headers)
        assert "errors" not in body, body
        answer = body["data"]["grid"]
        assert answer["name"] == population.geography.grids[0].name  # ours
        assert answer["cases"]["totalCount"] > 0  # ours, masked and scoped by us
        expected = [a.sensor_id for a in example["alarms_of"](grid)]
        assert [a["sensorId"] for a in answer["fireAlarms"]] == expected  # theirs
    finally:
        fire.terminate()
        fire.wait(timeout=20)


def journals() -> dict[str, dict[str, int]]:
    return {
        name: httpx.get(f"{url}/__admin/requests", timeout=10).json()["by_operation"]
        for name, url in MOCKS.items()
    }


def reset() -> None:
    for url in MOCKS.values():
        httpx.post(f"{url}/__admin/reset", timeout=10)


def test_fifty_cases_with_reporters_cost_the_same_through_the_router(
    federated: Federated,
) -> None:
    population = federated.population
    grid = population.geography.grids[0].code
    query = """query($grid: String!) { cases(filter: {grid: $grid}, first: 50) { edges { node {
      ... on UrbanCase { number reporter { method resident { name phone } } } } } } }"""
    headers = callers(population)["community_admin"]
    post(federated.subgraph, query, {"grid": grid}, headers)  # warm the reference caches
    counted = []
    for url in (federated.subgraph, federated.router):
        reset()
        body = post(url, query, {"grid": grid}, headers)
        assert len(body["data"]["cases"]["edges"]) == 50
        counted.append(journals())
    direct, routed = counted
    assert routed == direct
    assert sum(sum(ops.values()) for ops in routed.values()) > 0


def test_govgraph_demo_federated_serves_through_the_router_and_takes_it_down() -> None:
    import sys

    installed(ROUTER)

    def start() -> tuple[int, subprocess.Popen[bytes]]:
        port = free_ports_in_a_row(len(SUBGRAPHS) + 1)  # the router's, then each subgraph's
        command = ["-m", "gateway.cli.main", "demo", "--federated", "--scale", "tiny"]
        command += ["--port", str(port)]
        for system in DEFAULT_PORTS:
            command += [f"--{system}-port", str(free_port())]
        demo = subprocess.Popen(
            [sys.executable, *command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthcheck", demo)
        except BaseException:
            demo.terminate()  # it takes its router down with it
            demo.wait(timeout=30)
            raise
        return port, demo

    # A port free when asked can be taken before the demo binds it (one CI run lost one here).
    port, demo = on_fresh_ports(start)
    try:
        body = post(
            f"http://127.0.0.1:{port}/graphql",
            "{ grids(first: 1) { edges { node { name } } } }",
            {},
            {},
        )
        assert body["data"]["grids"]["edges"][0]["node"]["name"]
    finally:
        demo.terminate()
        demo.wait(timeout=30)
    assert router_gone(f"http://127.0.0.1:{port}/healthcheck")  # it went with the demo


def free_ports_in_a_row(count: int) -> int:
    import socket

    for _ in range(50):
        base = free_port()
        try:
            with contextlib.ExitStack() as held:
                for offset in range(1, count):
                    sock = held.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
    raise RuntimeError(f"no {count} free ports in a row")


def router_gone(url: str) -> bool:
    import time

    for _ in range(50):
        try:
            httpx.get(url, timeout=1)
        except httpx.TransportError:
            return True
        time.sleep(0.2)
    return False


def test_a_query_across_the_agencies_subgraphs_answers_as_the_monolith(
    federated: Federated,
) -> None:
    """The router joins urban management's grid and civil affairs' resident with the engagement
    platform's fields, by grid code and by the resident's opaque id only."""
    population = federated.population
    person = population.person(0)
    query = """query($grid: String!, $n: String!) {
      grid(code: $grid) { name activities(first: 2) { title organiser { nickname } }
        wishes(first: 2) { content status } }
      resident(registryNumber: $n) { name volunteering { points { balance } hours } } }"""
    variables = {"grid": person.grid.code, "n": person.registry_number}
    for role in ("grid_worker", "community_admin", "civil_affairs", "resident"):
        headers = callers(population)[role]
        direct = post(federated.subgraph, query, variables, headers)
        routed = post(federated.router, query, variables, headers)
        assert routed.get("data") == direct.get("data"), role
        assert codes(routed) == codes(direct), role
    assert routed["data"]["grid"]["activities"]
    # One request id, on record in each subgraph the router asked.
    joined = {**callers(population)["civil_affairs"], "X-Request-ID": "across-subgraphs-1"}
    post(federated.router, query, variables, joined)
    writers = {
        json.loads(line)["writer"]
        for line in federated.audit.read_text(encoding="utf-8").splitlines()
        if "across-subgraphs-1" in line
    }
    # Civil affairs' (the resident's name) and the engagement platform's (points, nicknames)
    # read personal data and wrote their lines; urban management's grid part read none.
    assert len(writers) == 2


def test_one_trace_across_the_router_and_the_subgraphs(stack: tuple[Path, dict[str, str]]) -> None:
    """With OpenTelemetry on in the router and the subgraphs, one request is one trace."""
    import time

    from tests.otlp_receiver import otlp_receiver

    work, _ = stack
    (work / "traced").mkdir(exist_ok=True)
    with otlp_receiver() as (endpoint, spans):
        each = [{"GOVGRAPH_SUBGRAPH": n, "GOVGRAPH_OTLP_ENDPOINT": endpoint} for n in SUBGRAPHS]
        with running_stack(
            work / "traced", scale="tiny", gateways=len(SUBGRAPHS), each_gateway=each
        ) as traced:
            urls = [f"{url}/graphql" for url in traced.gateway_urls]
            supergraph = supergraph_for(
                dict(zip(SUBGRAPHS, urls, strict=True)), work / "traced.graphql"
            )
            population = Population(seed=1, preset="tiny")
            person = population.person(0)
            query = """query($grid: String!) { grid(code: $grid) { name
              activities(first: 1) { title } } }"""
            with router_over(supergraph, ["--opentelemetry", endpoint]) as router:
                post(router, query, {"grid": person.grid.code}, callers(population)["grid_worker"])
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    services: dict[Any, set[Any]] = {}
                    for service, trace, _name in spans:
                        services.setdefault(trace, set()).add(service)
                    joined = [
                        t
                        for t, s in services.items()
                        if {"govgraph-urban", "govgraph-engagement"} <= s and len(s) >= 3
                    ]
                    if joined:
                        break
                    time.sleep(0.5)
    services_seen = {s for s, _, _ in spans}
    traces: dict[str, set[str]] = {}
    for service, trace, _name in spans:
        traces.setdefault(trace, set()).add(service)
    assert joined, (services_seen, sorted(map(sorted, traces.values())))


def test_entities_at_the_registrys_subgraph_keep_to_the_callers_scope(
    stack: tuple[Path, dict[str, str]],
) -> None:
    """What a router sends civil affairs for a grid worker: another grid's resident is null,
    and the subgraph's audit line names the denial."""
    import base64

    work, subgraphs = stack
    population = Population(seed=1, preset="tiny")
    own, other = population.geography.grids[0], population.geography.grids[1]
    theirs = next(i for i in range(200) if population.person(i).grid.code == other.code)
    number = population.person(theirs).registry_number
    reference = base64.urlsafe_b64encode(f"Resident:{number}".encode()).decode()
    worker = {
        "Authorization": f"Bearer {token(Role.GRID_WORKER, grids=[own.code])}",
        "X-Request-ID": "entities-out-of-scope",
    }
    body = post(
        subgraphs["civil"],
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Resident { name } } }",
        {"r": [{"__typename": "Resident", "id": reference}]},
        worker,
    )
    assert body["data"]["_entities"] == [None]
    line = next(
        json.loads(x)
        for x in (work / "audit.log").read_text(encoding="utf-8").splitlines()
        if "entities-out-of-scope" in x
    )
    assert "_entities.Resident" in line["denied"]
    assert population.person(theirs).name not in json.dumps(line, ensure_ascii=False)
