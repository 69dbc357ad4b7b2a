"""What every mock has besides its protocol: the request journal, fault switches and the admin
API (`/__admin/...`, as WireMock offers), wrapped around the mock's ASGI app.

Faults are off by default. Each one imitates what integrators meet on the real systems: a slow
or jittery backend, a share of failed calls in the system's own error format, an outage behind
a reverse proxy (503 HTML), a truncated body, a body that trickles in, and an answer that comes
late after the work was done (a write whose caller timed out).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .arrival import arrived_at
from .journal import NOTE_KEY, BodyReader, CallNote, Journal, sent_by, utf8_text
from .json_contract import parse_json

OUTAGE_BODY = b"<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>"
DRIP_CHUNK_BYTES = 16
MAX_KEPT_BYTES = 16_384  # of a request body, for the journal (attachments are not kept whole)


@dataclass(slots=True)
class Faults:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    outage: bool = False
    malformed: bool = False
    slow_drip: float = 0.0  # milliseconds between 16-byte chunks; 0 is off
    respond_after_ms: float = 0.0  # the request is handled at once, the answer sent this late
    too_many_requests: bool = False  # every call answered 429 with Retry-After: 1 (a 429 storm)

    @classmethod
    def parse(cls, payload: object) -> Faults:
        """Faults from the admin API's JSON; raises ValueError naming a bad field."""
        if not isinstance(payload, dict):
            raise ValueError("body must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(payload) - known)
        if unknown:
            raise ValueError(f"unknown fault: {unknown[0]}")
        faults = cls()
        for name, value in payload.items():
            if name in ("outage", "malformed", "too_many_requests"):
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
                setattr(faults, name, value)
                continue
            if name == "slow_drip" and isinstance(value, bool):
                value = 200.0 if value else 0.0
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a non-negative number")
            if name == "error_rate" and value > 1:
                raise ValueError("error_rate must be between 0 and 1")
            setattr(faults, name, float(value))
        return faults


@dataclass(frozen=True, slots=True)
class MockIdentity:
    system: str
    endpoint: str
    contract: str
    credentials: dict[str, str]


Classifier = Callable[[Scope], str]
ErrorResponder = Callable[[], Response]


class Harness:
    """ASGI middleware: journals every service call and applies the configured faults."""

    def __init__(
        self,
        identity: MockIdentity,
        classify: Classifier,
        native_error: ErrorResponder,
        seed: int = 0,
        read_body: BodyReader = utf8_text,
    ) -> None:
        self.app: ASGIApp | None = None
        self.read_body = read_body
        # Requests are checked against the system's contract unless this is turned off (admin
        # API) or a call says `X-Mock-Contract: off`, for a negative test of a client.
        self.validate = True
        # set by `build_mocks`: scenarios span every system, so any one's admin API takes them
        self.scenario_player: Callable[[str], dict[str, Any]] | None = None
        self.identity = identity
        self.classify = classify
        self.native_error = native_error
        self.journal = Journal()
        self.faults = Faults()
        self._random = random.Random(seed)

    def wrap(self, app: ASGIApp) -> Harness:
        self.app = app
        return self

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "Harness.wrap(app) first"  # noqa: S101
        if scope["type"] != "http" or scope["path"].startswith("/__admin"):
            await self.app(scope, receive, send)
            return
        operation = self.classify(scope)
        headers = dict(scope["headers"])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        note = CallNote(
            validate=self.validate and headers.get(b"x-mock-contract", b"").lower() != b"off"
        )
        scope = {**scope, NOTE_KEY: note}
        arrived = arrived_at(scope)  # timed from here: the call's whole time at the system
        status = 0
        body: list[bytes] = []

        async def kept_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and sum(map(len, body)) < MAX_KEPT_BYTES:
                body.append(message.get("body", b""))
            return message

        recorded = False

        def record() -> None:
            nonlocal recorded
            if recorded:
                return
            recorded = True
            sent = sent_by(
                scope["method"],
                scope["path"],
                scope.get("query_string", b""),
                b"".join(body)[:MAX_KEPT_BYTES],
                self.read_body,
            )
            self.journal.end(operation, status, arrived, request_id, sent, note)

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                record()  # before the caller can have the answer, so its test sees the call
            await send(message)

        self.journal.begin(operation)
        try:
            await self._serve(scope, kept_receive, record_status, arrived)
        finally:
            record()

    async def _serve(self, scope: Scope, receive: Receive, send: Send, arrived: float) -> None:
        assert self.app is not None  # noqa: S101
        faults = self.faults
        delay = faults.latency_ms + self._random.uniform(-faults.jitter_ms, faults.jitter_ms)
        # The set latency is the call's whole time at the system, its own work included, as a
        # real system's response time is: counted from the call's arrival (`mocks.arrival`),
        # the mock does its work at once and holds the answer until the latency has passed,
        # rather than adding its Python time, or its wait for the process, on top of it.
        due = arrived + delay / 1000
        failed = bool(faults.error_rate) and self._random.random() < faults.error_rate
        if faults.outage or faults.too_many_requests or failed:
            await _until(due)
        if faults.outage:
            await Response(OUTAGE_BODY, 503, media_type="text/html")(scope, receive, send)
            return
        if faults.too_many_requests:
            throttled = Response(
                b"Too Many Requests", 429, headers={"Retry-After": "1"}, media_type="text/plain"
            )
            await throttled(scope, receive, send)
            return
        if failed:
            await self.native_error()(scope, receive, send)
            return
        if not (faults.malformed or faults.slow_drip or faults.respond_after_ms):
            await self.app(scope, receive, _held_until(due, send))
            return
        start, body = await _capture(self.app, scope, receive)
        await _until(due)
        if faults.respond_after_ms:
            # The write is done; only the answer is late (the caller may give up first).
            await asyncio.sleep(faults.respond_after_ms / 1000)
        if faults.malformed:
            body = body[: max(1, len(body) // 2)]
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        if faults.slow_drip:
            for offset in range(0, len(body), DRIP_CHUNK_BYTES):
                chunk = body[offset : offset + DRIP_CHUNK_BYTES]
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await asyncio.sleep(faults.slow_drip / 1000)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def admin_routes(self) -> list[Route]:
        return [
            Route("/__admin/info", self._info, methods=["GET"]),
            Route("/__admin/requests", self._requests, methods=["GET"]),
            Route("/__admin/reset", self._reset, methods=["POST"]),
            Route("/__admin/faults", self._faults, methods=["GET", "POST", "DELETE"]),
            Route("/__admin/contract", self._contract, methods=["GET", "POST"]),
            Route("/__admin/scenario", self._scenario, methods=["POST"]),
        ]

    async def _info(self, request: Request) -> Response:
        return JSONResponse(asdict(self.identity))

    async def _requests(self, request: Request) -> Response:
        return JSONResponse(self.journal.snapshot(request.query_params.get("operation")))

    async def _scenario(self, request: Request) -> Response:
        """A scenario (TOML, or JSON) added to the population all the mocks share, its fault
        timeline started now; 400 with every problem named if it does not validate."""
        if self.scenario_player is None:
            return JSONResponse({"error": "this mock runs without a scenario player"}, 404)
        try:
            played = self.scenario_player((await request.body()).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:  # ScenarioError is a ValueError
            return JSONResponse({"error": str(error)[:2000]}, 400)
        return JSONResponse(played)

    async def _contract(self, request: Request) -> Response:
        """Whether requests are checked against the contract: `{"validate": false}` turns the
        checks off for every call until turned on again (or the mock is reset)."""
        if request.method == "POST":
            try:
                given = parse_json(await request.body() or b"{}")
            except ValueError:
                given = None
            if not isinstance(given, dict) or not isinstance(given.get("validate"), bool):
                return JSONResponse({"error": 'body must be {"validate": true|false}'}, 400)
            self.validate = given["validate"]
        return JSONResponse({"validate": self.validate})

    async def _reset(self, request: Request) -> Response:
        self.journal.reset()
        self.validate = True
        return JSONResponse({"reset": True})

    async def _faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults = Faults()
        elif request.method == "POST":
            try:
                self.faults = Faults.parse(parse_json(await request.body() or b"{}"))
            except ValueError as error:  # json.JSONDecodeError is a ValueError
                return JSONResponse({"error": str(error)}, 400)
        return JSONResponse(asdict(self.faults))


async def _until(due: float) -> None:
    wait = due - time.perf_counter()
    if wait > 0:
        await asyncio.sleep(wait)


def _held_until(due: float, send: Send) -> Send:
    """`send`, with the answer's first message held until `due`."""
    held = True

    async def send_when_due(message: Message) -> None:
        nonlocal held
        if held:
            held = False
            await _until(due)
        await send(message)

    return send_when_due


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
    start: Message = {}
    chunks: list[bytes] = []

    async def collect(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, collect)
    return start, b"".join(chunks)
