"""A page on one origin calls the gateway on another, in a real browser: the allowed origin's
`fetch` (preflighted, since it carries a Bearer token) succeeds and can read the exposed headers;
another origin's is blocked by the browser and counted by the gateway."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.processes import running_stack
from gateway.access.auth import Role
from mocks import Population
from tests.browser.conftest import static_site
from tests.gateway.conftest import token

pytestmark = pytest.mark.browser

CALL = """async ([url, token]) => {
  try {
    const response = await fetch(url, {
      method: "POST",
      // as Apollo Client with clientAwareness and a page with OpenTelemetry's fetch tracing send
      headers: {"Content-Type": "application/json", "Authorization": `Bearer ${token}`,
                "apollographql-client-name": "dashboard", "apollographql-client-version": "1.0",
                "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "sentry-trace": "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1",
                "baggage": "sentry-environment=production"},
      body: JSON.stringify({query: "{ grids(first: 2) { totalCount edges { node { code } } } }"}),
    });
    return {ok: true, status: response.status, requestId: response.headers.get("X-Request-ID"),
            body: await response.json()};
  } catch (error) {
    return {ok: false, error: String(error)};
  }
}"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text("<!doctype html><title>a dashboard</title>", encoding="utf-8")
    with static_site(root) as allowed, static_site(root) as refused:
        env = {"GOVGRAPH_CORS_ORIGINS": allowed, "GOVGRAPH_CORS_MAX_AGE_S": "120"}
        with running_stack(Path(root), scale="tiny", gateway_env=env) as stack:
            yield stack.gateway_url, allowed, refused


def refused_count(gateway: str) -> float:
    metrics = httpx.get(f"{gateway}/metrics").text
    lines = [x for x in metrics.splitlines() if x.startswith("govgraph_cors_refused_total")]
    return float(lines[0].split()[-1]) if lines else 0.0


def test_an_allowed_origin_calls_the_gateway(page: Any, sites: tuple[str, str, str]) -> None:
    gateway, allowed, _ = sites
    page.goto(f"{allowed}/index.html")
    answer = page.evaluate(CALL, [f"{gateway}/graphql", token(Role.DISTRICT_ADMIN)])
    assert answer["ok"], answer
    assert answer["status"] == 200
    assert answer["body"]["data"]["grids"]["totalCount"] > 0
    assert answer["requestId"]  # exposed, so a page can quote it to support


def test_another_origin_is_blocked_and_counted(page: Any, sites: tuple[str, str, str]) -> None:
    gateway, _, refused = sites
    before = refused_count(gateway)
    page.goto(f"{refused}/index.html")
    answer = page.evaluate(CALL, [f"{gateway}/graphql", token(Role.DISTRICT_ADMIN)])
    assert not answer["ok"]
    assert "Failed to fetch" in answer["error"]
    assert refused_count(gateway) > before


def test_the_preflight_answers_as_configured(sites: tuple[str, str, str]) -> None:
    gateway, allowed, refused = sites
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
    }
    ok = httpx.options(f"{gateway}/graphql", headers={"Origin": allowed, **asked})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == allowed
    assert ok.headers["access-control-max-age"] == "120"
    assert "access-control-allow-credentials" not in ok.headers
    allowed_headers = ok.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= {
        h.strip() for h in allowed_headers.split(",")
    }
    no = httpx.options(f"{gateway}/graphql", headers={"Origin": refused, **asked})
    assert "access-control-allow-origin" not in no.headers


FOLLOW = """([url, token, grid]) => {
  window.__events = [];
  window.__stream = (async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "text/event-stream",
                "Authorization": `Bearer ${token}`},
      body: JSON.stringify({
        query: "subscription($g: String!) { casesInGrid(grid: $g) { number status } }",
        variables: {g: grid},
      }),
    });
    window.__opened = {status: response.status, type: response.headers.get("Content-Type")};
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\\n\\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split("\\n").find((line) => line.startsWith("data: "));
        if (block.startsWith("event: next") && data) window.__events.push(JSON.parse(data.slice(6)));
      }
    }
  })().catch((error) => { window.__failed = String(error); });
}"""


def test_an_allowed_origin_follows_a_grid_over_sse(page: Any, sites: tuple[str, str, str]) -> None:
    """Live updates from another origin without WebSocket: a `fetch` stream (GraphQL over SSE),
    preflighted like any call with a token, hears of a case reported meanwhile."""
    gateway, allowed, _ = sites
    population = Population(seed=1, preset="tiny")
    person = population.person(12)
    page.goto(f"{allowed}/index.html")
    page.evaluate(FOLLOW, [f"{gateway}/graphql", token(Role.DISTRICT_ADMIN), person.grid.code])
    page.wait_for_function("window.__opened !== undefined", timeout=10_000)
    resident = token(
        Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
    )
    reported = httpx.post(
        f"{gateway}/graphql",
        json={
            "query": 'mutation($g: String!) { reportCase(input: {gridCode: $g, subClassCode: "1101", source: MINI_PROGRAM, description: "路灯不亮", address: "北苑路1号"}) { case { number } } }',
            "variables": {"g": person.grid.code},
        },
        headers={"Authorization": f"Bearer {resident}", "Idempotency-Key": "browser-sse-1"},
        timeout=30,
    ).json()
    number = reported["data"]["reportCase"]["case"]["number"]
    page.wait_for_function(
        "([n]) => window.__failed || window.__events.some("
        "(e) => e.data && e.data.casesInGrid.number === n)",
        arg=[number],
        timeout=10_000,
    )
    opened = page.evaluate("window.__opened")
    assert page.evaluate("window.__failed || null") is None
    assert opened["status"] == 200 and opened["type"].startswith("text/event-stream")
    heard = [
        e for e in page.evaluate("window.__events") if e["data"]["casesInGrid"]["number"] == number
    ]
    assert heard[0]["data"]["casesInGrid"] == {"number": number, "status": "RECEIVED"}
