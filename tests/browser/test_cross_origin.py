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
