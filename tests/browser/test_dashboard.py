"""The leaders' dashboard in a real browser, served by `govgraph demo` and from another origin:
its charts are drawn, and every figure it shows is the API's, summed here independently from
the same periods' statistics."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.access.auth import Role
from tests.browser.conftest import Demo, static_site
from tests.gateway.conftest import token

pytestmark = pytest.mark.browser

STATISTICS = """query($since: DateTime!, $until: DateTime!) { communities { code name
  statistics(since: $since, until: $until) { reported closed overdue averageDaysToClose
  onTimeRate satisfactionRate rated } } }"""
DEPARTMENTS = """query($since: DateTime!, $until: DateTime!) { departments { shortName
  statistics(since: $since, until: $until) { overdue } } }"""
CHARTS = ("chart-monthly", "chart-days", "chart-rates", "chart-classes", "chart-departments")


def api(demo: Demo, bearer: str, query: str, period: dict[str, str]) -> dict[str, Any]:
    answer = httpx.post(
        f"{demo.url}/graphql",
        json={"query": query, "variables": period},
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=60,
    ).json()
    data: dict[str, Any] = answer["data"]
    return data


def summed(parts: list[dict[str, Any]]) -> dict[str, Any]:
    def weighted(value: str, weight: str) -> float | None:
        pairs = [(p[value], p[weight]) for p in parts if p[value] is not None and p[weight]]
        total = sum(w for _, w in pairs)
        return sum(v * w for v, w in pairs) / total if total else None

    return {
        "reported": sum(p["reported"] for p in parts),
        "closed": sum(p["closed"] for p in parts),
        "overdue": sum(p["overdue"] for p in parts),
        "averageDaysToClose": weighted("averageDaysToClose", "closed"),
        "onTimeRate": weighted("onTimeRate", "closed"),
        "satisfactionRate": weighted("satisfactionRate", "rated"),
    }


def expected(demo: Demo, bearer: str, periods: list[dict[str, str]], scope: str) -> Any:
    monthly, every = [], []
    for period in periods:
        parts = [
            c["statistics"]
            for c in api(demo, bearer, STATISTICS, period)["communities"]
            if c["statistics"] is not None and scope in ("", c["code"])
        ]
        monthly.append(summed(parts))
        every += parts
    return monthly, summed(every)


def load(page: Any, url: str, bearer: str) -> dict[str, Any]:
    page.goto(url)
    page.fill("#token", bearer)
    page.click("#login button")
    page.wait_for_function(
        "['ready', 'error'].includes(document.body.dataset.state)", timeout=120_000
    )
    state: dict[str, Any] = page.evaluate("window.govgraphDashboard")
    assert state["state"] == "ready", page.inner_text("#status")
    return state


def close(shown: float | None, figure: float | None, digits: int) -> bool:
    if shown is None or figure is None:
        return shown is figure
    return bool(abs(shown - figure) <= 0.51 * 10**-digits)


def matches(state: dict[str, Any], monthly: list[dict[str, Any]], total: dict[str, Any]) -> bool:
    counts = ("reported", "closed", "overdue")
    return (
        all(state["total"][k] == total[k] for k in counts)
        and [m["reported"] for m in state["monthly"]] == [m["reported"] for m in monthly]
        and [m["closed"] for m in state["monthly"]] == [m["closed"] for m in monthly]
        and all(
            close(shown["averageDaysToClose"], figure["averageDaysToClose"], 6)
            and close(shown["satisfactionRate"], figure["satisfactionRate"], 6)
            for shown, figure in zip(state["monthly"], monthly, strict=True)
        )
    )


def assert_drawn(page: Any, state: dict[str, Any]) -> None:
    for chart in CHARTS:
        shapes = page.eval_on_selector(f"#{chart}", "e => e.querySelectorAll('svg path').length")
        assert shapes >= 3, chart
    monthly = state["options"]["chart-monthly"]["series"]
    assert monthly[0]["data"] == [m["reported"] for m in state["monthly"]]
    assert monthly[1]["data"] == [m["closed"] for m in state["monthly"]]
    days = state["options"]["chart-days"]["series"][0]["data"]
    for point, month in zip(days, state["monthly"], strict=True):
        assert close(point, month["averageDaysToClose"], 2)


def tile(page: Any, name: str) -> str:
    text: str = page.inner_text(f"[data-figure='{name}'] .value")
    return text


def test_the_district_dashboard_draws_the_apis_figures(page: Any, demo: Demo) -> None:
    bearer = token(Role.DISTRICT_ADMIN)
    state = load(page, f"{demo.url}/dashboard/", bearer)
    assert len(state["labels"]) == 12
    assert state["hidden"] == []
    assert_drawn(page, state)
    # The mock's figures move with its clock (a case closes, a minute passes): the page's must
    # be the API's just before or just after the page was read.
    after = expected(demo, bearer, state["periods"], "")
    if not matches(state, *after):
        state = load(page, f"{demo.url}/dashboard/", bearer)
        after = expected(demo, bearer, state["periods"], "")
    assert matches(state, *after)
    total = after[1]
    assert tile(page, "reported") == f"{total['reported']:,}"
    assert tile(page, "closed") == f"{total['closed']:,}"
    assert abs(float(tile(page, "averageDaysToClose")) - total["averageDaysToClose"]) <= 0.051
    assert (
        abs(float(tile(page, "satisfactionRate").rstrip("%")) - 100 * total["satisfactionRate"])
        <= 0.051
    )
    whole = {"since": state["periods"][0]["since"], "until": state["periods"][-1]["until"]}
    departments = api(demo, bearer, DEPARTMENTS, whole)["departments"]
    assert sorted((d["name"], d["overdue"]) for d in state["departments"]) == sorted(
        (d["shortName"], d["statistics"]["overdue"]) for d in departments
    )
    assert len(departments) == 10


def test_a_community_admin_sees_their_community_only(page: Any, demo: Demo) -> None:
    own = httpx.post(f"{demo.url}/graphql", json={"query": "{ communities { code } }"}).json()
    codes = [c["code"] for c in own["data"]["communities"]]
    bearer = token(Role.COMMUNITY_ADMIN, communities=[codes[0]])
    state = load(page, f"{demo.url}/dashboard/", bearer)
    assert len(state["hidden"]) == len(codes) - 1
    assert state["departments"] == []  # department figures are not a community's to see
    monthly, total = expected(demo, bearer, state["periods"], codes[0])
    if not matches(state, monthly, total):
        state = load(page, f"{demo.url}/dashboard/", bearer)
        monthly, total = expected(demo, bearer, state["periods"], codes[0])
    assert matches(state, monthly, total)


def test_the_dashboard_from_its_own_origin_through_cors(page: Any, demo: Demo) -> None:
    with static_site(demo.dashboard) as site:
        state = load(
            page, f"{site}/index.html?gateway={demo.url}/graphql", token(Role.DISTRICT_ADMIN)
        )
    assert state["total"]["reported"] > 0
    assert page.inner_text("#gateway") == f"{demo.url}/graphql"


def test_a_token_that_sees_no_statistics_is_told_so(page: Any, demo: Demo) -> None:
    page.goto(f"{demo.url}/dashboard/")
    page.fill("#token", token(Role.GRID_WORKER, grids=["320213001001001"]))
    page.click("#login button")
    page.wait_for_function("document.body.dataset.state === 'error'", timeout=60_000)
    assert "无权" in page.inner_text("#status")
