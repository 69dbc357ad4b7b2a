"""The explorer of `govgraph demo` in a real browser: it loads from the package (nothing from a
CDN), runs a query, tells a caller without a token that the empty answer is the public role's,
and offers the demo tokens, with which the same query sees residents."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Demo

pytestmark = pytest.mark.browser

RESULT = ".result-window"


def run_query(page: Any) -> str:
    page.click(".graphiql-execute-button")
    page.wait_for_function(
        "document.querySelector('.result-window')?.innerText.includes('totalCount')",
        timeout=30_000,
    )
    text: str = page.inner_text(RESULT)
    return text


def test_the_explorer_runs_a_query_and_offers_the_demo_tokens(page: Any, demo: Demo) -> None:
    external: list[str] = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(demo.url) else None,
    )
    page.goto(f"{demo.url}/explorer/")
    page.wait_for_selector(".graphiql-execute-button")
    page.wait_for_selector("#tokens button")
    labels = page.eval_on_selector_all("#tokens button", "bs => bs.map(b => b.textContent)")
    assert len(labels) == 7  # no token, and the demo's six roles
    assert any(label.startswith("grid worker") for label in labels)

    anonymous = run_query(page)
    assert '"totalCount": 0' in anonymous
    page.wait_for_selector("#hint", state="visible")

    page.click("#tokens button:has-text('grid worker')")
    page.wait_for_selector(".graphiql-execute-button")
    with_token = run_query(page)
    counts = [int(n) for n in re.findall(r'"totalCount": (\d+)', with_token)]
    assert counts
    assert counts[0] > 0  # the grid worker sees the residents of their grid
    assert page.is_hidden("#hint")
    assert external == []  # everything came from the gateway itself


def test_the_favicon_and_the_tokens_are_served_by_the_demo(demo: Demo) -> None:
    icon = httpx.get(f"{demo.url}/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    tokens = httpx.get(f"{demo.url}/explorer/tokens.json").json()
    assert len(tokens) == 6
    assert all(value.count(".") == 2 for value in tokens.values())  # JWTs
