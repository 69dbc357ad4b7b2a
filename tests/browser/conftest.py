"""A real browser for the tests: Debian's `chromium` (installed by `.ci/run`), driven by
Playwright without a browser download of its own. Where none is installed only these tests skip,
and say why; in CI (`CI=true`) a missing browser fails them instead."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bench.processes import free_port, wait_until_up
from mocks import DEFAULT_PORTS
from tests.node_tools import built_examples

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = os.environ.get("GOVGRAPH_CHROMIUM") or next(
        (path for path in map(shutil.which, BROWSERS) if path), None
    )
    if found is None:
        message = "no chromium on this machine: `apt-get install chromium` (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; in CI the browser tests must run")
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    """Per module: Playwright's sync API keeps an event loop running in this thread while it is
    open, which the asyncio tests of other modules must not find."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    yield opened
    context.close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def static_site(directory: Path) -> Iterator[str]:
    """`directory` served on a free loopback port: a page on an origin of its own."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Demo:
    url: str
    dashboard: Path


@pytest.fixture(scope="module")
def demo(chromium_path: str) -> Iterator[Demo]:
    """`govgraph demo` as a newcomer runs it (tiny population, free ports), dashboard built."""
    dashboard = built_examples() / "dashboard" / "dist"
    port = free_port()
    command = [sys.executable, "-m", "gateway.cli.main", "demo", "--scale", "tiny"]
    command += ["--port", str(port)]
    for system in DEFAULT_PORTS:
        command += [f"--{system}-port", str(free_port())]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        yield Demo(f"http://127.0.0.1:{port}", dashboard)
    finally:
        process.terminate()
        process.wait(timeout=20)
