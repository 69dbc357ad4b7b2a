"""The integrator's sample suite in `examples/integrator/`, run as its owners would run it: its
own pytest, its own ini file, nothing from this repository's tests; only govgraph's plugin
(loaded by its entry point), a scenario file and the client under test."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parent.parent / "examples" / "integrator"


@pytest.mark.heavy
def test_the_integrator_example_suite_passes() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly"],
        cwd=SUITE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    passed = re.search(r"(\d+) passed", run.stdout)
    assert passed is not None and int(passed.group(1)) == 8, run.stdout[-2000:]
    assert "skipped" not in run.stdout and "error" not in run.stdout.lower()
