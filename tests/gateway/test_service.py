"""The service around the schema: explorer, health, readiness, SDL, masked errors."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gateway.http.graphql import MASKED
from gateway.systems import SYSTEMS
from schema import build_schema, client_sdl
from tests.gateway.conftest import Gateway, open_gateway

ROOT = Path(__file__).resolve().parents[2]


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]


async def test_explorer_page_references_nothing_outside_the_gateway(gateway: Gateway) -> None:
    page = await gateway.client.get("/explorer/")
    assert page.status_code == 200
    assert "GraphiQL" in page.text or "graphiql" in page.text
    parser = References()
    parser.feed(page.text)
    assert len(parser.urls) == 6  # five assets and the favicon
    for url in parser.urls:
        assert not re.match(r"^([a-z]+:)?//", url), url
        path = url if url.startswith("/") else f"/explorer/{url.removeprefix('./')}"
        asset = await gateway.client.get(path)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100
    script = (await gateway.client.get("/explorer/explorer.js")).text
    assert "http" not in script
    assert (await gateway.client.get("/", follow_redirects=False)).headers[
        "location"
    ] == "/explorer/"


async def test_health_and_readiness() -> None:
    async with open_gateway(readiness_cache_s=0) as (gateway, _app):
        assert (await gateway.client.get("/healthz")).json() == {"status": "ok"}
        ready = await gateway.client.get("/readyz")
        assert ready.status_code == 200
        assert set(ready.json()["backends"]) == {s.name for s in SYSTEMS}
        assert "engagement" in ready.json()["backends"]
        gateway.mocks.civil.faults.outage = True
        down = await gateway.client.get("/readyz")
        assert down.status_code == 503
        assert down.json()["backends"]["civil-affairs"]["reachable"] is False


def probes(gateway: Gateway) -> int:
    return sum(app.journal.total for app in gateway.mocks.apps().values())


async def test_readiness_asks_each_system_once_however_often_it_is_asked() -> None:
    """/readyz answers the balancer without a token: it must not be a way to knock on the
    legacy systems as often as one can send a GET."""
    async with open_gateway(readiness_cache_s=0.3) as (gateway, _app):
        together = await asyncio.gather(*(gateway.client.get("/readyz") for _ in range(20)))
        assert {answer.status_code for answer in together} == {200}
        assert probes(gateway) == len(SYSTEMS)
        for _ in range(20):
            assert (await gateway.client.get("/readyz")).status_code == 200
        assert probes(gateway) == len(SYSTEMS)
        gateway.mocks.civil.faults.outage = True
        await asyncio.sleep(0.35)  # the last answer has aged: the systems are asked again
        down = await gateway.client.get("/readyz")
        assert down.status_code == 503 and probes(gateway) == 2 * len(SYSTEMS)


async def test_a_worker_shutting_down_is_not_ready(tmp_path: Path) -> None:
    """A balancer still probing over a kept connection is told to move on."""
    async with open_gateway(audit_path=str(tmp_path / "audit.log")) as (gateway, app):
        assert (await gateway.client.get("/readyz")).status_code == 200
        app.state.draining.begin()  # as the server's protocol does when shutdown begins
        leaving = await gateway.client.get("/readyz")
        assert leaving.status_code == 503 and leaving.json()["draining"] is True


async def test_get_runs_queries_but_not_mutations(gateway: Gateway) -> None:
    preflight = {"X-GovGraph-Preflight": "1"}
    response = await gateway.client.get(
        "/graphql", params={"query": "{ departments { code } }"}, headers=preflight
    )
    assert response.status_code == 200
    assert len(response.json()["data"]["departments"]) == 10
    mutation = await gateway.client.get(
        "/graphql",
        params={
            "query": 'mutation { rateCase(input: {caseNumber: "1", satisfaction: SATISFIED}) { errors { field } } }'
        },
        headers=preflight,
    )
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert "RateCase" not in gateway.calls()["urban"]
    # No cookie, no CSRF: a plain GET (the GraphQL-over-HTTP audit's) runs.
    plain = await gateway.client.get("/graphql", params={"query": "{ departments { code } }"})
    assert plain.status_code == 200 and plain.json()["data"]["departments"]
    with_cookie = await gateway.client.get(
        "/graphql",
        params={"query": "{ departments { code } }"},
        headers={"Cookie": "session=abc"},
    )
    assert with_cookie.status_code == 400
    assert with_cookie.json()["errors"][0]["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"


async def test_unexpected_failures_are_masked(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from gateway.backends.data import RequestData

    async def broken(self: RequestData) -> list[object]:
        raise RuntimeError("secret 11010519491231002X")

    monkeypatch.setattr(RequestData, "departments", broken)
    body = (
        await gateway.client.post("/graphql", json={"query": "{ departments { code } }"})
    ).json()
    assert body["errors"][0]["message"] == MASKED
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL"}
    assert "11010519491231002X" not in str(body)
    assert "11010519491231002X" not in caplog.text
    assert "Traceback" not in caplog.text


def test_committed_sdl_is_the_schema() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed.strip() == client_sdl(build_schema()).strip(), (
        "run: govgraph schema > schema.graphql"
    )


def test_every_type_and_field_has_a_chinese_and_english_description() -> None:
    schema = build_schema()._schema
    missing = []
    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in (
            "String",
            "Int",
            "Float",
            "Boolean",
            "ID",
            "DateTime",
            "Date",
        ):
            continue
        if not kind.description or " / " not in kind.description:
            missing.append(name)
        for field_name, field in getattr(kind, "fields", {}).items():
            if not field.description or " / " not in field.description:
                missing.append(f"{name}.{field_name}")
    assert missing == []


def test_schema_command_prints_the_sdl() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli.main", "schema"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "type Query" in result.stdout
    assert "interface Case implements Node" in result.stdout


async def test_the_explorers_first_query_runs(gateway: Gateway) -> None:
    script = (await gateway.client.get("/explorer/explorer.js")).text
    lines = re.findall(r'^\s*"(.*)",$', script, flags=re.M)
    query = "\n".join(line for line in lines if not line.startswith("#"))
    data = await gateway.data(query)
    assert len(data["grids"]["edges"]) == 5


async def test_a_favicon_for_the_browser_tab(gateway: Gateway) -> None:
    answer = await gateway.client.get("/favicon.ico")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.content.startswith(b"<svg")
    page = await gateway.client.get("/explorer/")
    assert 'rel="icon" href="/favicon.ico"' in page.text
