"""The least a Python gateway does for the peer query, as a floor beside govgraph and the peer.

uvicorn, configured as govgraph's server (httptools, uvloop, the answer in one write), runs a
bare ASGI callable: it reads the request, makes the application's one GET to the legal-aid
system over a kept-alive connection, and answers its fields as JSON. No token, limits,
GraphQL, policy, adapter or audit. Not a product: what the runtime and the two hops cost, so
that a run shows how much of govgraph's overhead at concurrency 1 is its own work."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from bench.processes import free_port, gateway_python, stop, wait_until_up

LEGAL_URL, BEARER, CODE = "BARE_LEGAL_URL", "BARE_BEARER", "BARE_CODE"
Receive = Any
Send = Any
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class LegalApplication:
    """One application's GET, on connections kept alive between requests."""

    def __init__(self, legal_url: str, bearer: str, code: str) -> None:
        where = urlsplit(legal_url)
        self.host, self.port = where.hostname or "127.0.0.1", where.port or 80
        self.head = (
            f"GET /api/v1/applications/{code} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {bearer}\r\nAccept: application/json\r\n\r\n"
        ).encode()
        self.idle: list[Connection] = []

    async def fetch(self) -> dict[str, Any]:
        while self.idle:
            reader, writer = self.idle.pop()
            if not reader.at_eof() and not writer.is_closing():
                try:
                    return await self._exchange(reader, writer)
                except (asyncio.IncompleteReadError, ConnectionError):
                    writer.close()  # closed by the system while idle: a new one
        return await self._exchange(*await asyncio.open_connection(self.host, self.port))

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> dict[str, Any]:
        writer.write(self.head)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await reader.readexactly(length)
        self.idle.append((reader, writer))
        record: dict[str, Any] = json.loads(body)
        return record


def application(legal: LegalApplication) -> Any:
    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        record = await legal.fetch()
        case = {
            "number": record.get("record_code"),
            "status": record.get("status"),
            "aidType": record.get("aid_type"),
            "caseType": record.get("case_type"),
        }
        body = json.dumps({"data": {"case": case}}, ensure_ascii=False).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def serve() -> None:
    import uvicorn

    from gateway.http.one_write import PROTOCOL

    legal = LegalApplication(os.environ[LEGAL_URL], os.environ[BEARER], os.environ[CODE])
    port = int(os.environ["BARE_PORT"])
    uvicorn.run(application(legal), host="127.0.0.1", port=port, http=PROTOCOL, log_level="warning")


@contextlib.contextmanager
def running_bare_proxy(legal_url: str, bearer: str, code: str) -> Iterator[tuple[str, int]]:
    """The bare proxy in a process of its own, under the gateway's interpreter: its URL, its pid."""
    port = free_port()
    env = {**os.environ, LEGAL_URL: legal_url, BEARER: bearer, CODE: code, "BARE_PORT": str(port)}
    command = [gateway_python(), "-c", "from bench.bare_proxy import serve; serve()"]
    process = subprocess.Popen(command, env=env)
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        wait_until_up(url, process)
        yield url, process.pid
    finally:
        stop([process])
