"""ASGI apps served over real sockets from a background thread, so a test (sync or async, any
event loop) talks to them as to any service: each on 127.0.0.1 and a port the OS picked."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Literal

import uvicorn

from gateway.http.one_write import PROTOCOL as ONE_WRITE

START_TIMEOUT_S = 30.0


class BackgroundServers:
    def __init__(
        self,
        apps: dict[str, Any],
        lifespan: dict[str, Literal["on", "off"]] | None = None,
        http: type[asyncio.Protocol] | str = ONE_WRITE,
    ) -> None:
        self._servers = {
            name: uvicorn.Server(
                uvicorn.Config(
                    app,
                    host="127.0.0.1",
                    port=0,
                    http=http,
                    log_level="warning",
                    lifespan=(lifespan or {}).get(name, "off"),
                )
            )
            for name, app in apps.items()
        }
        self._thread: threading.Thread | None = None
        self.urls: dict[str, str] = {}

    def start(self) -> BackgroundServers:
        self._thread = threading.Thread(target=self._run, name="govgraph-servers", daemon=True)
        self._thread.start()
        for name, server in self._servers.items():
            if not _wait_for(server):
                self.stop()
                raise RuntimeError(f"{name} did not start within {START_TIMEOUT_S:.0f} s")
            port = server.servers[0].sockets[0].getsockname()[1]
            self.urls[name] = f"http://127.0.0.1:{port}"
        return self

    def _run(self) -> None:
        async def serve_all() -> None:
            await asyncio.gather(*(s.serve() for s in self._servers.values()))

        asyncio.run(serve_all())

    def stop(self) -> None:
        for server in self._servers.values():
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)


def _wait_for(server: uvicorn.Server) -> bool:
    started = threading.Event()
    for _ in range(int(START_TIMEOUT_S / 0.02)):
        if server.started and server.servers:
            return True
        started.wait(0.02)
    return False
