"""The GraphQL-over-HTTP audit suite (`graphql-http`, from the committed lockfile in
`tests/node/`) against a running gateway with default settings: every audit, MUST, SHOULD and
MAY, passes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bench.processes import running_stack

NODE = Path(__file__).parent / "node"


def node_tools() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("Node 20 and npm are part of this project's machine: install them")
    if not (NODE / "node_modules" / "graphql-http").exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=NODE, check=True, timeout=300
        )
    return node


@pytest.mark.heavy
def test_the_graphql_over_http_audit_passes_whole(tmp_path: Path) -> None:
    node = node_tools()
    with running_stack(tmp_path, scale="tiny") as stack:
        done = subprocess.run(
            [node, str(NODE / "audit.mjs"), f"{stack.gateway_url}/graphql"],
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )
    results = json.loads(done.stdout)
    failing = [r for r in results if r["status"] != "ok"]
    print(f"\ngraphql-http audit: {len(results) - len(failing)}/{len(results)} ok")
    assert len(results) >= 61
    assert failing == []
