"""The examples in `examples/`, run as a frontend developer would run them, against gateway
processes over real sockets: the TypeScript client (Apollo Client 4, the codegen client preset,
`tsc --noEmit --strict`, a subscription over multipart HTTP) with automatic persisted queries on
two gateways sharing one Redis and with trusted documents in strict mode, the same documents
through urql, and the Python `gql` client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from bench.processes import running_stack
from gateway.access.auth import Role
from mocks import Population
from tests.gateway.conftest import token
from tests.node_tools import EXAMPLES, built_examples, tool
from tests.redis_server import RedisServer

pytestmark = pytest.mark.heavy


@pytest.fixture(scope="module")
def examples() -> Path:
    return built_examples()


@pytest.fixture(scope="module")
def people() -> dict[str, str]:
    population = Population(seed=1, preset="tiny")
    grid = population.geography.grids[0]
    person = next(
        p
        for p in (population.person(i) for i in range(40))
        if p.grid.code == grid.code and p.birth.year <= 2000
    )
    return {
        "grid": grid.code,
        "staff": token(Role.GRID_WORKER, grids=[grid.code]),
        "reporter": token(
            Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
        ),
    }


def node_example(script: str, url: str, people: dict[str, str], **more: str) -> Any:
    """A bundled example run by Node against a gateway, with the grid and the staff's token."""
    return subprocess.run(
        [tool("node"), str(EXAMPLES / script / "dist" / "main.mjs")],
        env={
            **os.environ,
            "GOVGRAPH_URL": f"{url}/graphql",
            "GOVGRAPH_GRID": people["grid"],
            "GOVGRAPH_TOKEN": people["staff"],
            **more,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def last_line(done: Any) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def run_client(url: str, mode: str, people: dict[str, str], report: bool) -> dict[str, Any]:
    reporter = {"GOVGRAPH_REPORTER_TOKEN": people["reporter"]} if report else {}
    return last_line(node_example("client", url, people, GOVGRAPH_MODE=mode, **reporter))


def assert_pages_and_cache(summary: dict[str, Any]) -> None:
    first, second = summary["firstPage"], summary["secondPage"]
    assert len(first) == 2
    assert len(second) == 2
    assert not set(first) & set(second)
    assert summary["merged"] == first + second  # relayStylePagination merged the pages
    assert summary["fragmentNumber"] == summary["expectedNumber"]  # possibleTypes at work
    assert summary["cachedRepeatSent"] == 0


def test_the_typescript_client_with_apq_on_two_gateways_sharing_redis(
    examples: Path, people: dict[str, str], tmp_path: Path, redis_server: RedisServer
) -> None:
    shared = {
        "GOVGRAPH_STATE_URL": redis_server.url,
        "GOVGRAPH_STATE_NAMESPACE": f"ex{uuid.uuid4().hex[:8]}",
    }
    with running_stack(tmp_path, scale="tiny", gateway_env=shared, gateways=2) as stack:
        one = run_client(stack.gateway_urls[0], "apq", people, report=True)
        other = run_client(stack.gateway_urls[1], "apq", people, report=False)
    assert_pages_and_cache(one)
    assert_pages_and_cache(other)
    sent = one["sent"]
    # Each query: a hash alone, PERSISTED_QUERY_NOT_FOUND, the document with its hash...
    first = [s for s in sent if s["operation"] == "GridCases"]
    assert first[0] == {**first[0], "document": False, "notFound": True}
    assert first[1] == {**first[1], "document": True, "notFound": False}
    # ...and from then on the hash alone is enough (fetchMore's page is a hit).
    assert all(not s["document"] and not s["notFound"] for s in first[2:])
    assert len(first) >= 3
    # The same key twice: one case, the first answer again.
    reported = one["reported"]
    assert reported[0] and reported[0] == reported[1]
    # The staff's subscription, over multipart HTTP by Apollo Client's own HttpLink, heard it.
    assert one["heardLive"] == {"number": reported[0], "status": "RECEIVED"}
    # The second gateway knows every hash the first registered: no miss, no document sent.
    assert other["sent"]
    assert all(not s["notFound"] and not s["document"] for s in other["sent"])


def test_the_typescript_client_with_trusted_documents_in_strict_mode(
    examples: Path, people: dict[str, str], tmp_path: Path
) -> None:
    strict = {
        "GOVGRAPH_TRUSTED_DOCUMENTS_PATH": str(examples / "generated" / "persisted-documents.json"),
        "GOVGRAPH_TRUSTED_DOCUMENTS_STRICT": "true",
    }
    with running_stack(tmp_path, scale="tiny", gateway_env=strict) as stack:
        summary = run_client(stack.gateway_url, "trusted", people, report=True)
        plain = node_example("client", stack.gateway_url, people, GOVGRAPH_MODE="plain")
    assert_pages_and_cache(summary)
    assert summary["sent"]
    assert all(not s["document"] and not s["notFound"] for s in summary["sent"])
    assert summary["reported"][0] == summary["reported"][1]
    assert summary["heardLive"] == {"number": summary["reported"][0], "status": "RECEIVED"}
    # Text the manifest does not hold (Apollo's own print of the documents) is refused.
    assert plain.returncode == 1
    assert "allow-list" in plain.stderr


def test_the_python_gql_client(people: dict[str, str], tmp_path: Path) -> None:
    with running_stack(tmp_path, scale="tiny") as stack:
        done = subprocess.run(
            [
                sys.executable,
                str(EXAMPLES / "python" / "client.py"),
                "--url",
                f"{stack.gateway_url}/graphql",
                "--token",
                people["staff"],
                "--grid",
                people["grid"],
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        reporter = subprocess.run(
            [
                sys.executable,
                str(EXAMPLES / "python" / "client.py"),
                "--url",
                f"{stack.gateway_url}/graphql",
                "--token",
                people["reporter"],
                "--grid",
                people["grid"],
                "--report",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    summary = json.loads(done.stdout)
    assert len(summary["numbers"]) == 6
    assert len(set(summary["numbers"])) == 6  # two pages by cursor, nothing repeated
    assert summary["totalCount"] >= 6
    assert summary["refusedLocally"]  # validated against schema.graphql, never sent
    filed = json.loads(reporter.stdout)
    assert "error" not in filed, filed
    assert len(filed["reported"]) == 2
    assert filed["reported"][0] == filed["reported"][1]


def test_the_urql_client(examples: Path, people: dict[str, str], tmp_path: Path) -> None:
    """urql as it comes: queries by GET with its own Accept list, its document cache, a
    subscription over fetch (it asks for SSE first) and a keyed mutation sent twice."""
    with running_stack(tmp_path, scale="tiny") as stack:
        done = node_example(
            "urql", stack.gateway_url, people, GOVGRAPH_REPORTER_TOKEN=people["reporter"]
        )
    summary = last_line(done)
    assert len(summary["numbers"]) == 3 and summary["totalCount"] >= 3
    assert summary["repeatedSame"] and summary["cachedRepeatSent"] == 0
    number, again = summary["reported"]
    assert number and number == again, summary["mutationErrors"]
    assert summary["heardLive"] == {"number": number, "status": "RECEIVED"}
    assert summary["subscriptionErrors"] == []
    query, subscription, *mutations = summary["sent"]
    assert query["method"] == "GET" and query["status"] == 200
    assert query["contentType"].startswith("application/graphql-response+json")
    assert subscription["accept"].startswith("text/event-stream")
    assert subscription["contentType"].startswith("text/event-stream")
    assert [m["method"] for m in mutations] == ["POST", "POST"]
    assert all(m["status"] == 200 for m in mutations)
