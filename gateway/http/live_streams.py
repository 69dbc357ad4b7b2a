"""Live updates over plain HTTP, for clients and networks that do not use WebSocket (a proxy or
a gateway in front that refuses the upgrade is common on government networks): a subscription
POSTed (or GET) to /graphql is answered as a stream when the Accept header asks for one.

- GraphQL over SSE, distinct connections mode (`Accept: text/event-stream`: graphql-sse, urql,
  Hive Gateway's clients): each event an `event: next`, then `event: complete`. A query or a
  mutation asked for this way is answered the same way, one `next` and `complete`.
- Apollo's multipart subscriptions (`Accept: multipart/mixed;subscriptionSpec=1.0`: Apollo
  Client's HttpLink, Apollo Kotlin and iOS): each event a part `{"payload": …}`, heartbeats `{}`.

The rules are the socket's (`gateway.http.live`): the token from the Authorization header,
checked like any request's, ends the stream when it expires; the same document checks, rate
limit and cost; one place of `live_connections_per_client` per stream (429 beyond); each event
read through the subscriber's scope and on record before it is sent (`gateway.http.live_run`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from connectors.errors import AuditUnavailableError
from gateway.access.auth import Principal
from gateway.http.checks import Picked
from gateway.http.draining import Draining
from gateway.http.graphql import MASKED
from gateway.http.live_run import subscription_payloads
from gateway.http.requests import JSON, SSE, GraphQLBody, errors_body

if TYPE_CHECKING:
    from gateway.http.graphql_http import GraphQLHTTP
    from gateway.http.live import LiveView

log = logging.getLogger("govgraph.live")

FIRST = asyncio.FIRST_COMPLETED
# a subscription's results: (refused, payload or errors, the feed's position of its change)
Payloads = AsyncGenerator[tuple[bool, Any, str], None]

BOUNDARY = "graphql"
LIVE_HOW = (
    "订阅请通过 WebSocket（graphql-transport-ws）、SSE（Accept: text/event-stream）或 multipart"
    "（Accept: multipart/mixed;subscriptionSpec=1.0）/ subscribe over WebSocket, SSE or multipart"
)
EXPIRED = {"message": "令牌已过期 / token expired", "extensions": {"code": "UNAUTHENTICATED"}}
SHUTTING_DOWN = {
    "message": "网关正在重启，请重新订阅 / the gateway is restarting; subscribe again",
    "extensions": {"code": "SHUTTING_DOWN"},
}


# nginx and its kin pass each event on at once, and nothing caches or compresses the stream
STREAMED = {"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"}


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


class SSEFrames:
    """GraphQL over SSE, distinct connections mode."""

    headers: ClassVar[Mapping[str, str]] = {"Content-Type": SSE, **STREAMED}
    heartbeat_s = 12.0  # a comment line, under the 15-60 s idle limits of common proxies

    def opening(self) -> str:
        return ""

    def next(self, payload: dict[str, Any], position: str = "") -> str:
        # The change's place in the feed as the event's id: an EventSource that connects again
        # sends it back (Last-Event-ID), and is first given what it missed meanwhile. Last, so
        # that clients that look for `event: next` first, as the protocol shows it, still do.
        named = f"id: {position}\n" if position else ""
        return f"event: next\ndata: {_json(payload)}\n{named}\n"

    def fatal(self, errors: list[dict[str, Any]]) -> str:
        return self.next({"errors": errors})

    def complete(self) -> str:
        return "event: complete\ndata: \n\n"

    def heartbeat(self) -> str:
        return ":\n\n"

    def last_on_shutdown(self) -> str:
        # No `complete`: the stream just ends, which graphql-sse's client and the browser's
        # EventSource take as a broken connection, and connect again (to a replica that is up).
        return ": the gateway is restarting\n\n"


class MultipartFrames:
    """Apollo's multipart HTTP protocol for subscriptions (on incremental delivery's framing)."""

    headers: ClassVar[Mapping[str, str]] = {
        "Content-Type": f'multipart/mixed;boundary="{BOUNDARY}";subscriptionSpec="1.0"',
        **STREAMED,
    }
    heartbeat_s = 5.0  # as Apollo's router: its clients expect a part at least this often

    def opening(self) -> str:
        return self._part({})  # a heartbeat first, so that the client hears at once

    def _part(self, value: dict[str, Any]) -> str:
        return f"\r\n--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{_json(value)}"

    def next(self, payload: dict[str, Any], position: str = "") -> str:
        return self._part({"payload": payload})  # Apollo's clients do not resume: no position

    def fatal(self, errors: list[dict[str, Any]]) -> str:
        return self._part({"payload": None, "errors": errors})  # the transport's own error

    def complete(self) -> str:
        return f"\r\n--{BOUNDARY}--\r\n"

    def heartbeat(self) -> str:
        return self._part({})

    def last_on_shutdown(self) -> str:
        # Apollo's clients have no reconnection of their own: a transport error with its code
        # (as the router ends subscriptions on a reload), then the closing boundary.
        return self.fatal([SHUTTING_DOWN]) + self.complete()


Frames = SSEFrames | MultipartFrames


def stream_frames(accept: str | None) -> Frames | None:
    """The stream a client's Accept header asks for, the first it lists (not refused by q=0),
    or None."""
    for offered in (accept or "").split(","):
        kind, *parameters = (part.strip() for part in offered.split(";"))
        named = {
            key.strip().lower(): value.strip().strip("\"'")
            for key, _, value in (p.partition("=") for p in parameters)
        }
        if named.get("q", "1").rstrip("0").rstrip(".") in ("", "0"):
            continue
        if kind.lower() == SSE:
            return SSEFrames()
        if kind.lower() == "multipart/mixed" and named.get("subscriptionspec", "").startswith(
            "1.0"
        ):
            return MultipartFrames()
    return None


@dataclass(frozen=True, slots=True)
class LiveStream:
    """A subscription that has passed every check, to be answered as a stream."""

    frames: Frames
    principal: Principal
    picked: Picked
    query: str
    variables: dict[str, Any]
    operation_name: str | None
    after: str | None = None  # Last-Event-ID: the feed's position this client last heard


async def respond(
    http: GraphQLHTTP, status: int, payload: Any, media: str, headers: dict[str, str], *asgi: Any
) -> int:
    """A GraphQL request's answer sent (its HTTP status, for the access line): as JSON, as a
    stream of events, or, to an SSE client, a query's answer as a stream of one."""
    if isinstance(payload, LiveStream):
        assert http.live is not None  # noqa: S101  (streams are offered only with it)
        return await stream_response(payload, http.live, headers, *asgi)
    if media == SSE and status == 200:
        frames = SSEFrames()
        events = "".join(
            frames.next(b) for b in (payload if isinstance(payload, list) else [payload])
        )
        await Response(events + frames.complete(), 200, headers={**frames.headers, **headers})(
            *asgi
        )
        return 200
    # A refusal before any stream (401, 405, 415, 429 …) is a JSON body, labelled as one.
    await GraphQLBody(payload, status, media_type=JSON if media == SSE else media, headers=headers)(
        *asgi
    )
    return status


async def stream_response(
    stream: LiveStream,
    view: LiveView,
    headers: dict[str, str],
    scope: Scope,
    receive: Receive,
    send: Send,
) -> int:
    """The stream sent (its HTTP status, for the access line), holding one of the client's
    live places while it lasts."""
    place = await view.claim(stream.principal, stream.principal.client)
    if place is None:
        body = errors_body("LIVE_LIMIT", "实时连接过多 / too many live connections for this client")
        await GraphQLBody(body, 429, headers=headers)(scope, receive, send)
        return 429
    try:
        frames = _framed(stream, view)
        response = StreamingResponse(frames, 200, headers={**stream.frames.headers, **headers})
        await response(scope, receive, send)
    finally:
        await view.let_go(place)
    return 200


async def _framed(stream: LiveStream, view: LiveView) -> AsyncGenerator[str, None]:
    frames = stream.frames
    if opening := frames.opening():
        yield opening
    payloads = subscription_payloads(
        view.http,
        view.feed,
        stream.principal,
        stream.picked,
        stream.query,
        stream.variables,
        stream.operation_name,
        stream.after,
    )
    try:
        async with contextlib.aclosing(
            _with_heartbeats(payloads, frames, stream.principal, view.draining)
        ) as events:
            async for kind, payload in events:
                if kind == "heartbeat":
                    yield frames.heartbeat()
                elif kind == "shutdown":
                    yield frames.last_on_shutdown()
                    return
                elif kind == "expired":
                    yield frames.fatal([EXPIRED])
                    break
                elif kind == "refused":  # variables that fail to coerce: which, never the value
                    yield frames.next({"errors": payload})
                    break
                else:
                    shown, position = payload
                    yield frames.next(shown, position)
    except AuditUnavailableError as error:  # the event is withheld, as an answer over HTTP is
        yield frames.fatal([{"message": error.message, "extensions": error.extensions}])
    except Exception as error:
        log.error("unexpected %s in a live stream", type(error).__name__)
        yield frames.fatal([{"message": MASKED, "extensions": {"code": "INTERNAL"}}])
    yield frames.complete()


async def _with_heartbeats(
    payloads: Payloads,
    frames: Frames,
    principal: Principal,
    draining: Draining,
) -> AsyncGenerator[tuple[str, Any], None]:
    """`("event", (payload, position))` or `("refused", errors)` as they come, `("heartbeat", None)`
    whenever none has come for a while, `("expired", None)` once the token has expired, and
    `("shutdown", None)` once the server begins to shut down. The generator is stepped in a
    task of its own, which a heartbeat never cancels, so a subscription is not broken off
    mid-read."""
    step: asyncio.Future[tuple[bool, Any, str]] | None = None
    shutdown: asyncio.Future[Any] = asyncio.ensure_future(draining.wait())
    try:
        while True:
            if step is None:
                step = asyncio.ensure_future(anext(payloads))
            wait = frames.heartbeat_s
            if principal.expires_at:
                wait = min(wait, principal.expires_at - time.time())
                if wait <= 0:
                    yield "expired", None
                    return
            done, _ = await asyncio.wait((step, shutdown), timeout=wait, return_when=FIRST)
            if shutdown in done:
                yield "shutdown", None
                return
            if not done:
                if not principal.expires_at or principal.expires_at > time.time():
                    yield "heartbeat", None
                continue
            try:
                refused, payload, position = step.result()
            except StopAsyncIteration:
                return
            step = None
            yield ("refused", payload) if refused else ("event", (payload, position))
    finally:
        shutdown.cancel()
        # In a task of its own: a client gone away cancels the response's task again at each
        # await (anyio's cancel scopes), and the subscription must still be wound up.
        await asyncio.shield(_wound_up(step, payloads))


async def _wound_up(step: asyncio.Future[tuple[bool, Any, str]] | None, payloads: Payloads) -> None:
    """The subscription ended: its pending read cancelled, its generator closed (which leaves
    the feed and puts the subscription's own record on the trail)."""
    if step is not None and not step.done():
        step.cancel()
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
            await step
    await payloads.aclose()
