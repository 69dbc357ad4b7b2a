"""Node 20 and npm are part of this project's machine; the Node tools the tests run come from
committed lockfiles (`tests/node/`, `examples/`), installed by `npm ci` on first use."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is part of this project's machine (Node 20 and npm): install it")
    return found


def installed(directory: Path) -> Path:
    """`npm ci` in `directory` unless its lockfile's packages are already there."""
    marker = directory / "node_modules" / ".package-lock.json"
    lock = directory / "package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < lock.stat().st_mtime:
        npm(directory, "ci", "--no-audit", "--no-fund", "--silent")
    return directory


def npm(directory: Path, *arguments: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [tool("npm"), *arguments],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"npm {' '.join(arguments)} in {directory.name}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def built_examples() -> Path:
    """The examples generated, type-checked (`tsc --noEmit --strict`) and bundled."""
    npm(installed(EXAMPLES), "run", "build")
    return EXAMPLES
