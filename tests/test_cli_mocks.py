"""Smoke test over real sockets: the CLI itself is the subject."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import httpx

from mocks import DEFAULT_PORTS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_govgraph_mocks_serves_every_system_and_stops_on_ctrl_c() -> None:
    ports = {name: free_port() for name in DEFAULT_PORTS}
    command = [
        sys.executable,
        "-m",
        "gateway.cli.main",
        "mocks",
        "--scale",
        "tiny",
        *(f"--{name}-port={port}" for name, port in ports.items()),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        systems: dict[str, str] = {}
        deadline = time.monotonic() + 60
        while len(systems) < len(ports) and time.monotonic() < deadline and process.poll() is None:
            for name, port in ports.items():
                if name in systems:
                    continue
                try:
                    info = httpx.get(f"http://127.0.0.1:{port}/__admin/info", timeout=1).json()
                    systems[name] = info["system"]
                except httpx.TransportError:
                    time.sleep(0.05)
        assert systems == {
            "urban": "urban-management",
            "civil": "civil-affairs",
            "legal": "legal-aid",
            "engage": "engagement",
        }
        wsdl = httpx.get(f"http://127.0.0.1:{ports['urban']}/UrbanService.asmx?wsdl", timeout=5)
        assert wsdl.status_code == 200
        assert b"wsdl:definitions" in wsdl.content
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"http://127.0.0.1:{ports['civil']}/gateway/api/" in out
    assert "credentials" in out
    assert "Traceback" not in err
