"""Property-based: whatever document, variables or body arrive, never a 500, never a traceback,
always a JSON body with coded errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.gateway.conftest import Gateway, make_gateway

NAMES = [
    "departments",
    "grids",
    "grid",
    "residents",
    "resident",
    "cases",
    "node",
    "code",
    "name",
    "edges",
    "node",
    "first",
    "after",
    "filter",
    "idNumber",
    "__typename",
    "__schema",
    "x",
]
PUNCTUATION = [
    "{",
    "}",
    "(",
    ")",
    ":",
    "$",
    "!",
    "@",
    "...",
    "[",
    "]",
    "=",
    '"',
    ",",
    "#",
    "\n",
    " ",
    "on",
    "fragment",
    "query",
    "mutation",
    "true",
    "null",
    "1",
    "-1",
    "1e9",
    '"320213001001001"',
]
tokens = st.sampled_from(NAMES + PUNCTUATION)
documents = st.lists(tokens, max_size=60).map(" ".join) | st.text(max_size=200)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.run_until_complete(cancel_leftover_tasks())
    loop.close()


async def cancel_leftover_tasks() -> None:
    """Background timers of libraries (the rate limiter's expiry) outlive the app under test."""
    current = asyncio.current_task()
    leftover = [task for task in asyncio.all_tasks() if task is not current]
    for task in leftover:
        task.cancel()
    await asyncio.gather(*leftover, return_exceptions=True)


@pytest.fixture(scope="module")
def tiny_gateway(
    loop: asyncio.AbstractEventLoop, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    path: Path = tmp_path_factory.mktemp("audit") / "audit.log"
    gateway, app = loop.run_until_complete(
        make_gateway(
            "tiny",
            audit_path=str(path),
            rate_public_requests_per_minute=100_000,
            rate_public_cost_per_minute=10_000_000,
        )
    )
    yield gateway
    loop.run_until_complete(gateway.client.aclose())
    loop.run_until_complete(app.state.backends.aclose())


def check(response: Any) -> None:
    assert response.status_code < 500, response.text[:300]
    assert "Traceback" not in response.text
    body = response.json()
    if response.status_code != 200 or "data" not in body:
        assert all("code" in e.get("extensions", {}) for e in body["errors"])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=documents, variables=json_values, operation=st.none() | st.text(max_size=10))
def test_any_document_and_variables(
    loop: asyncio.AbstractEventLoop,
    tiny_gateway: Gateway,
    document: str,
    variables: Any,
    operation: str | None,
) -> None:
    payload = {"query": document, "variables": variables, "operationName": operation}
    response = loop.run_until_complete(tiny_gateway.client.post("/graphql", json=payload))
    check(response)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/graphql-response+json",
            "text/plain",
            "",
            "application/json; charset=gbk",
        ]
    ),
    accept=st.sampled_from(
        ["", "*/*", "application/graphql-response+json", "text/html", "application/json;q=0.5, */*"]
    ),
)
def test_any_body_and_headers(
    loop: asyncio.AbstractEventLoop,
    tiny_gateway: Gateway,
    body: bytes,
    content_type: str,
    accept: str,
) -> None:
    headers = {k: v for k, v in (("Content-Type", content_type), ("Accept", accept)) if v}
    response = loop.run_until_complete(
        tiny_gateway.client.post("/graphql", content=body, headers=headers)
    )
    check(response)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    id_number=st.text(max_size=25),
    grid=st.text(max_size=20),
    first=st.integers(min_value=-(2**40), max_value=2**40),
    after=st.none() | st.text(max_size=20),
)
@example(id_number="path", grid="", first=0, after=None)
def test_any_argument_values(
    loop: asyncio.AbstractEventLoop,
    tiny_gateway: Gateway,
    id_number: str,
    grid: str,
    first: int,
    after: str | None,
) -> None:
    query = """query($id: String!, $grid: String!, $first: Int, $after: String) {
        resident(idNumber: $id) { name } residents(filter: {grid: $grid}, first: $first, after: $after) { totalCount } }"""

    def post(id_value: str) -> Any:
        variables = {"id": id_value, "grid": grid, "first": first, "after": after}
        return loop.run_until_complete(
            tiny_gateway.client.post("/graphql", json={"query": query, "variables": variables})
        )

    response = post(id_number)
    check(response)
    # Words the response carries anyway (field names, codes, messages) are not an echo:
    # they appear just the same for an ID that cannot occur in them.
    vocabulary = post("\u2603").text + query
    assert id_number not in response.text or len(id_number) < 4 or id_number in vocabulary
