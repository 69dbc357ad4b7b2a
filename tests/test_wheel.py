"""Every `govgraph` command works from a built wheel installed in a fresh environment, run from
another directory: nothing depends on the checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.heavy
def test_every_command_runs_from_an_installed_wheel(tmp_path: Path) -> None:
    built = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(built), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = built.glob("govgraph-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"{wheel}[bench]"], check=True, timeout=600
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def govgraph(*args: str) -> str:
        done = subprocess.run(
            [str(venv / "bin" / "govgraph"), *args],
            cwd=elsewhere,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)},
        )
        assert done.returncode == 0, (args, done.stderr[-2000:])
        return done.stdout

    where = subprocess.run(
        [
            str(python),
            "-c",
            "import gateway, bench, mocks; print(gateway.__file__, bench.__file__)",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(ROOT) not in where and str(venv) in where
    assert "serve" in govgraph("--help") and "bench" in govgraph("--help")
    assert govgraph("schema") == (ROOT / "schema.graphql").read_text(encoding="utf-8")
    for command in ("bench", "mocks", "demo", "serve", "token", "audit"):
        assert "usage" in govgraph(command, "--help")
    queries = venv.glob("lib/python*/site-packages/bench/queries/*.graphql")
    assert len(list(queries)) >= 7, "the benchmark's standard queries are in the wheel"
    plugins = subprocess.run(
        [
            str(python),
            "-c",
            "from importlib.metadata import entry_points; "
            "print([e.value for e in entry_points(group='pytest11') if e.name == 'govgraph'])",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert plugins.strip() == "['gateway.testing.plugin']"  # pytest loads it when installed
