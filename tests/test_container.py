"""The mocks' OCI image (`Containerfile`): what it copies and declares is checked everywhere, the
command it runs is run here as the image would run it, and the image itself is built and
probed where a container builder works (and the skip says so where none does)."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import uuid
from pathlib import Path

import httpx
import pytest

from mocks import DEFAULT_PORTS
from tests.test_cli_mocks import free_port

ROOT = Path(__file__).resolve().parent.parent
CONTAINERFILE = (ROOT / "Containerfile").read_text(encoding="utf-8")
OUTAGE = ROOT / "tests" / "scenarios" / "legal_aid_outage.toml"


def _instruction(name: str) -> list[str]:
    found = re.search(rf"^{name} (\[.*\])$", CONTAINERFILE, re.M)
    assert found is not None, name
    value: list[str] = json.loads(found.group(1))
    return value


def test_the_containerfile_copies_every_package_and_exposes_every_mock() -> None:
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"][
        "targets"
    ]["wheel"]["packages"]
    for package in packages:
        assert re.search(rf"^COPY {package} {package}$", CONTAINERFILE, re.M), package
    exposed = re.search(r"^EXPOSE (.+)$", CONTAINERFILE, re.M)
    assert exposed is not None
    assert sorted(map(int, exposed.group(1).split())) == sorted(DEFAULT_PORTS.values())
    assert "--no-index" in CONTAINERFILE  # installed from the wheels built in the image
    assert re.search(r"^USER 10001$", CONTAINERFILE, re.M)  # not root


def test_the_images_command_serves_the_mocks_with_a_scenario() -> None:
    """The ENTRYPOINT and CMD as the image runs them, on this machine's loopback and free
    ports, with a scenario mounted as a pipeline would."""
    command = _instruction("ENTRYPOINT") + _instruction("CMD")
    assert command[:2] == ["govgraph", "mocks"]
    command[command.index("--host") + 1] = "127.0.0.1"
    ports = {name: free_port() for name in DEFAULT_PORTS}
    argv = [
        sys.executable,
        "-m",
        "gateway.cli.main",
        *command[1:],
        "--scenario",
        str(OUTAGE),
        *(f"--{name}-port={port}" for name, port in ports.items()),
    ]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        legal = f"http://127.0.0.1:{ports['legal']}"
        status = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = httpx.get(f"{legal}/api/v1/lawyers", timeout=1).status_code
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert status == 503  # the scenario's outage, from 0 s
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "scenario legal aid down for two seconds" in out
    assert "Traceback" not in err


def _builder() -> str | None:
    for tool in ("podman", "docker"):
        path = shutil.which(tool)
        if path is None:
            continue
        probe = subprocess.run([path, "info"], capture_output=True, check=False, timeout=60)
        if probe.returncode == 0:
            return path
    return None


@pytest.mark.heavy
def test_the_image_builds_and_serves_the_mocks() -> None:
    builder = _builder()
    if builder is None:
        pytest.skip(
            "no working container builder on this machine (podman or docker with its daemon); "
            "the image's command is run without it by the test above"
        )
    tag = f"govgraph-mocks-test:{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [builder, "build", "-f", "Containerfile", "-t", tag, "."],
        cwd=ROOT,
        check=True,
        timeout=1800,
    )
    port = free_port()
    name = f"govgraph-mocks-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [builder, "run", "-d", "--rm", "--name", name, "-p", f"127.0.0.1:{port}:8102", tag],
        check=True,
        timeout=120,
    )
    try:
        info: dict[str, str] = {}
        deadline = time.monotonic() + 120
        while not info and time.monotonic() < deadline:
            try:
                info = httpx.get(f"http://127.0.0.1:{port}/__admin/info", timeout=2).json()
            except httpx.TransportError:
                time.sleep(0.5)
        assert info.get("system") == "civil-affairs"
    finally:
        subprocess.run([builder, "rm", "-f", name], check=False, timeout=60)
        subprocess.run([builder, "rmi", "-f", tag], check=False, timeout=120)
