"""Composition in CI: the gateway's subgraph SDL composes with both composers a city's router
may use, Apollo's and The Guild's (Hive Gateway's), with no errors; the supergraph is
committed (`supergraph.graphql`, The Guild's composition) and kept in sync here."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from graphql import parse

from schema import build_schema, client_sdl, subgraph_sdl
from schema.subgraphs import SUBGRAPHS as ALL_SUBGRAPHS
from tests.node_tools import ROOT, installed, tool

AGENCY_SUBGRAPHS = [name for name in ALL_SUBGRAPHS if name != "all"]

NODE = Path(__file__).parent / "node"
# The subgraphs a district runs: one per agency.


def sdl_of(name: str) -> str:
    return subgraph_sdl(build_schema(subgraph=name))


SUBGRAPHS: dict[str, Callable[[], str]] = {name: partial(sdl_of, name) for name in AGENCY_SUBGRAPHS}


def compose_services(arguments: list[str]) -> dict[str, dict[str, object]]:
    """Both composers over `name=sdl-path[=url]` subgraphs: their errors, hints, supergraph."""
    installed(NODE)
    done = subprocess.run(
        [tool("node"), str(NODE / "compose.mjs"), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, dict[str, object]] = json.loads(done.stdout)
    return result


def compose(tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, dict[str, object]]:
    arguments: list[str] = []
    sdls = {name: sdl() for name, sdl in SUBGRAPHS.items()} | (extra or {})
    for name, text in sdls.items():
        path = tmp_path / f"{name}.graphql"
        path.write_text(text, encoding="utf-8")
        arguments.append(f"{name}={path}")
    return compose_services(arguments)


def check(result: dict[str, dict[str, object]]) -> None:
    for composer, outcome in result.items():
        hints = list(outcome["hints"])  # type: ignore[call-overload]
        print(f"\n{composer}: {len(outcome['errors'])} errors, {len(hints)} hints")  # type: ignore[arg-type]
        for hint in hints:
            print(f"  hint: {hint}")
        assert outcome["errors"] == [], outcome["errors"]
        assert outcome["supergraph"]


@pytest.mark.heavy
def test_both_composers_accept_the_subgraphs_and_the_supergraph_is_committed(
    tmp_path: Path,
) -> None:
    result = compose(tmp_path)
    check(result)
    committed = (ROOT / "supergraph.graphql").read_text(encoding="utf-8")
    assert committed.strip() == str(result["guild"]["supergraph"]).strip(), (
        "run: python -m tests.test_federation_composition > supergraph.graphql"
    )


def fields_of(sdl: str) -> dict[str, set[str]]:
    """Every type's fields (or values) in an SDL, federation machinery left out."""
    found: dict[str, set[str]] = {}
    for definition in parse(sdl).definitions:
        name = getattr(getattr(definition, "name", None), "value", "")
        if definition.kind == "directive_definition":
            continue
        if not name or name.startswith(("_", "join__", "link__")):
            continue
        members = getattr(definition, "fields", None) or getattr(definition, "values", None) or []
        found.setdefault(name, set()).update(m.name.value for m in members)
    return found


@pytest.mark.heavy
def test_the_agencies_subgraphs_compose_into_the_monoliths_schema(tmp_path: Path) -> None:
    """What clients see through the router is what they see from the one gateway."""
    result = compose(tmp_path)
    supergraph = fields_of(str(result["apollo"]["supergraph"]))
    monolith = fields_of(client_sdl(build_schema()))
    # Live updates are the gateway's own, over its WebSocket, not routed (docs/federation.md).
    assert set(monolith.pop("Subscription")) == {"caseUpdated", "casesInGrid", "casesForDepartment"}
    assert supergraph == monolith


@pytest.mark.heavy
def test_the_whole_graph_as_one_subgraph_composes(tmp_path: Path) -> None:
    path = tmp_path / "all.graphql"
    path.write_text(subgraph_sdl(build_schema(subgraph="all")), encoding="utf-8")
    check(compose_services([f"all={path}"]))


@pytest.mark.heavy
def test_another_teams_subgraph_composes_with_ours(tmp_path: Path) -> None:
    """The fire-safety example (examples/fire-safety) extends Grid: both composers accept it
    with ours, with no hint (it leaves our descriptions alone)."""
    import runpy

    example = runpy.run_path(str(ROOT / "examples" / "fire-safety" / "app.py"))
    result = compose(tmp_path, {"fire-safety": example["schema"].as_str()})
    check(result)
    assert result["apollo"]["hints"] == []
    assert "fireAlarms" in str(result["guild"]["supergraph"])


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        print(compose(Path(directory))["guild"]["supergraph"])
