"""The router of `govgraph demo --federated`: Hive Gateway, from `federation/router`'s lockfile,
over the committed supergraph with the local subgraph's address put in."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUTER = ROOT / "federation" / "router"
SUPERGRAPH = ROOT / "supergraph.graphql"

INSTALL = "npm --prefix federation/router ci"
BIN = ROUTER / "node_modules" / "@graphql-hive" / "gateway" / "dist" / "bin.js"


def missing() -> str | None:
    """Why the router cannot start here, or None."""
    if shutil.which("node") is None:
        return "Node 20 is needed for the router"
    if not SUPERGRAPH.is_file():
        return "supergraph.graphql is part of a source checkout; run from one"
    if not BIN.is_file():
        return f"the router is not installed: {INSTALL}"
    return None


def _die_with_parent() -> None:
    """Linux: the router gets SIGTERM when the demo goes, however the demo goes."""
    if sys.platform == "linux":
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def placeholder(subgraph: str) -> str:
    """A subgraph's address in the committed supergraph, until a deployment puts in its own."""
    return f"http://{subgraph}.subgraph.invalid/graphql"


def supergraph_for(subgraph_urls: dict[str, str], path: Path) -> Path:
    """The committed supergraph with each subgraph's real address, written to `path`."""
    text = SUPERGRAPH.read_text(encoding="utf-8")
    for name, url in subgraph_urls.items():
        if placeholder(name) not in text:
            raise ValueError(f"supergraph.graphql has no subgraph {name}")
        text = text.replace(placeholder(name), url)
    path.write_text(text, encoding="utf-8")
    return path


def start_router(
    port: int, supergraph: Path, options: Sequence[str] = (), quiet: bool = False
) -> subprocess.Popen[bytes]:
    """Hive Gateway serving `supergraph` on 127.0.0.1:`port` (with its CLI `options`)."""
    node = shutil.which("node") or "node"
    output = subprocess.DEVNULL if quiet else None
    return subprocess.Popen(  # noqa: S603  (our node, our files)
        [
            node,
            str(BIN),
            "supergraph",
            str(supergraph),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            *options,
        ],
        cwd=ROUTER,
        stdout=output,
        stderr=output,
        start_new_session=True,  # node's own children go with it
        preexec_fn=_die_with_parent,
        env={**os.environ, "NODE_ENV": "production"},
    )


def stop_router(router: subprocess.Popen[bytes]) -> None:
    if router.poll() is None:
        os.killpg(router.pid, signal.SIGTERM)
        router.wait(timeout=20)
