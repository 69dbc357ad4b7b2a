"""Start the mocks and the gateway as separate processes on free loopback ports, and stop them."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from bench.harness import JITTER_SHARE
from mocks import DEFAULT_PORTS

T = TypeVar("T")

# The interpreter the gateway processes run under: this one unless `govgraph bench
# --gateway-python` names another (the deployed build, say), with govgraph installed.
GATEWAY_PYTHON = "GOVGRAPH_BENCH_GATEWAY_PYTHON"


def gateway_python() -> str:
    return os.environ.get(GATEWAY_PYTHON) or sys.executable


def runs_the_gateway(python: str) -> bool:
    """Whether `python` (the operator's own, from the command line) can import the gateway."""
    try:
        done = subprocess.run(
            [python, "-c", "import gateway.http.app"], capture_output=True, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def interpreter_of(python: str) -> dict[str, str]:
    """Which Python a process runs under, and how it was built, for the report."""
    probe = (
        "import platform, sysconfig; print(platform.python_version()); "
        "print(sysconfig.get_config_var('CONFIG_ARGS') or '')"
    )
    output = subprocess.run(
        [python, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()
    configured = output[1] if len(output) > 1 else ""
    return {
        "path": python,
        "version": output[0] if output else "",
        # As configured; a distribution may optimise its build in ways this line does not show.
        "enable_optimizations": str("--enable-optimizations" in configured).lower(),
        "with_lto": str("--with-lto" in configured).lower(),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# uvicorn's exit code when it cannot start, a port it was given being taken among the causes:
# a free port is free when asked, and another process may bind it before ours does.
STARTUP_FAILURE = 3
START_ATTEMPTS = 3


class StartupFailed(RuntimeError):
    """A process exited as it started (`STARTUP_FAILURE`); on fresh ports it may start."""


def wait_until_up(url: str, process: subprocess.Popen[Any], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            failed = StartupFailed if process.returncode == STARTUP_FAILURE else RuntimeError
            raise failed(f"process for {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Stack:
    gateway_url: str
    mock_urls: dict[str, str]
    gateway_pid: int
    gateway_urls: list[str]


@contextlib.contextmanager
def running_stack(
    workdir: Path,
    scale: str = "demo",
    latency_ms: float = 0.0,
    gateway_env: dict[str, str] | None = None,
    each_gateway: list[dict[str, str]] | None = None,
    legal_rps: float = 20.0,
    gateways: int = 1,
    workers: int = 1,
) -> Iterator[Stack]:
    """The mocks in one process and `gateways` gateway processes (replicas) against them;
    `each_gateway` gives each its own settings besides (subgraphs of one graph, say)."""
    stack, processes = on_fresh_ports(
        lambda: _started(
            workdir, scale, latency_ms, gateway_env, each_gateway, legal_rps, gateways, workers
        )
    )
    try:
        yield stack
    finally:
        stop(processes)


def on_fresh_ports(start: Callable[[], T]) -> T:
    """`start()`, again up to `START_ATTEMPTS` times while a process it starts exits as it starts
    (`StartupFailed`): `start` picks its ports afresh each time."""
    for _ in range(START_ATTEMPTS - 1):
        try:
            return start()
        except StartupFailed:
            continue
    return start()


def _started(
    workdir: Path,
    scale: str,
    latency_ms: float,
    gateway_env: dict[str, str] | None,
    each_gateway: list[dict[str, str]] | None,
    legal_rps: float,
    gateways: int,
    workers: int,
) -> tuple[Stack, list[subprocess.Popen[bytes]]]:
    """The processes of a stack on fresh ports, once each answers; stopped if one does not."""
    systems = tuple(DEFAULT_PORTS)  # every registered mock
    ports = {name: free_port() for name in systems}
    gateway_ports = [free_port() for _ in range(gateways)]
    mocks_command = [
        sys.executable,
        "-m",
        "gateway.cli.main",
        "mocks",
        "--scale",
        scale,
        "--latency-ms",
        str(latency_ms),
        "--jitter-ms",
        str(latency_ms * JITTER_SHARE),
        "--legal-rps",
        str(legal_rps),
        *(f"--{name}-port={port}" for name, port in ports.items()),
    ]
    env = {
        **os.environ,
        **{
            f"GOVGRAPH_{name.upper()}_URL": f"http://127.0.0.1:{port}"
            for name, port in ports.items()
        },
        "GOVGRAPH_AUDIT_PATH": str(workdir / "audit.log"),
        **(gateway_env or {}),
    }
    mocks = subprocess.Popen(mocks_command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = [
        subprocess.Popen(
            [
                gateway_python(),
                "-m",
                "gateway.cli.main",
                "serve",
                "--port",
                str(port),
                *(["--workers", str(workers)] if workers > 1 else []),
            ],
            env={**env, **(each_gateway[index] if each_gateway else {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for index, port in enumerate(gateway_ports)
    ]
    processes = [*started, mocks]
    try:
        mock_urls = {name: f"http://127.0.0.1:{ports[name]}" for name in systems}
        for url in mock_urls.values():
            wait_until_up(f"{url}/__admin/info", mocks)
        urls = [f"http://127.0.0.1:{port}" for port in gateway_ports]
        for url, process in zip(urls, started, strict=True):
            wait_until_up(f"{url}/healthz", process)
    except BaseException:
        stop(processes)
        raise
    return Stack(urls[0], mock_urls, started[0].pid, urls), processes
