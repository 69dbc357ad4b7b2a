"""The GraphQL-over-HTTP audit suite (`graphql-http`, from the committed lockfile in
`tests/node/`) against a running gateway with default settings: every audit, MUST, SHOULD and
MAY, passes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bench.processes import running_stack
from tests.node_tools import installed, tool

NODE = Path(__file__).parent / "node"


@pytest.mark.heavy
def test_the_graphql_over_http_audit_passes_whole(tmp_path: Path) -> None:
    installed(NODE)
    node = tool("node")
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
