"""Composition in CI: the gateway's subgraph SDL composes with both composers a city's router
may use, Apollo's and The Guild's (Hive Gateway's), with no errors; the supergraph is
committed (`supergraph.graphql`, The Guild's composition) and kept in sync here."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from schema import build_schema, subgraph_sdl
from tests.node_tools import ROOT, installed, tool

NODE = Path(__file__).parent / "node"
SUBGRAPHS = {"govgraph": lambda: subgraph_sdl(build_schema(subgraph=True))}


def compose(tmp_path: Path) -> dict[str, dict[str, object]]:
    installed(NODE)
    arguments = []
    for name, sdl in SUBGRAPHS.items():
        path = tmp_path / f"{name}.graphql"
        path.write_text(sdl(), encoding="utf-8")
        arguments.append(f"{name}={path}")
    done = subprocess.run(
        [tool("node"), str(NODE / "compose.mjs"), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, dict[str, object]] = json.loads(done.stdout)
    return result


@pytest.mark.heavy
def test_both_composers_accept_the_subgraphs_and_the_supergraph_is_committed(
    tmp_path: Path,
) -> None:
    result = compose(tmp_path)
    for composer, outcome in result.items():
        print(f"\n{composer}: {len(outcome['errors'])} errors, {len(outcome['hints'])} hints")  # type: ignore[arg-type]
        for hint in outcome["hints"]:  # type: ignore[attr-defined]
            print(f"  hint: {hint}")
        assert outcome["errors"] == [], outcome["errors"]
        assert outcome["supergraph"]
    committed = (ROOT / "supergraph.graphql").read_text(encoding="utf-8")
    assert committed.strip() == str(result["guild"]["supergraph"]).strip(), (
        "run: python -m tests.test_federation_composition > supergraph.graphql"
    )


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        print(compose(Path(directory))["guild"]["supergraph"])
