"""Live updates over WebSocket at /graphql, by graphql-transport-ws (the protocol Apollo Client,
urql and graphql-ws speak), on Strawberry's protocol handler with the gateway's own rules (over
SSE and multipart HTTP: `gateway.http.live_streams`, with the same places per client):

- the token comes in `connection_init` (`{"authorization": "Bearer …"}`); a bad one closes the
  socket with 4401 and the reason, and the socket is closed with 4401 when the token expires;
- opening a socket and starting a subscription each count as a request of the client's rate
  (4429 for a socket beyond it, an error for a subscription);
- a client (an account, or an address for the public) holds at most
  `live_connections_per_client` sockets per worker (4429 beyond), and each socket at most
  `live_subscriptions_per_connection` operations;
- only subscriptions run here, after the same document checks as over HTTP, each taking from
  the client's rate allowance as over HTTP (queries and mutations go over HTTP);
- each operation has its own context, and each event its own data and audit record, so an
  event is read, masked and audited like a query's answer; errors are shown as over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from graphql import OperationType
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    Message,
    NextMessage,
)

from connectors.errors import AuditUnavailableError, AuthError
from gateway.access.auth import Principal
from gateway.http.checks import (
    TOO_MANY,
    DocumentRefused,
    RateRefused,
    parse_and_pick,
    within_limits_and_valid,
    within_rate,
)
from gateway.http.cors import origin_pattern, origins_of
from gateway.http.draining import Draining
from gateway.http.graphql import MASKED
from gateway.http.live_messages import shape_problem
from gateway.http.live_run import subscription_payloads
from gateway.http.requests import RequestRefused, errors_body, operation_of
from gateway.state.case_feed import LocalCaseFeed
from gateway.state.live_places import LivePlaces, Place

if TYPE_CHECKING:
    from gateway.http.graphql_http import GraphQLHTTP

log = logging.getLogger("govgraph.live")


class LiveConnection:
    """One socket: who is on it, once `connection_init` has said."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.address = websocket.client.host if websocket.client else ""
        self.connection_params: dict[str, Any] | None = None
        self.principal: Principal | None = None


class LiveHandler(BaseGraphQLTransportWSHandler[LiveConnection, None]):
    view: LiveView

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            await self.view.released(self)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        connection = self.context
        payload = message.get("payload") or {}
        if self.connection_init_received or not isinstance(payload, dict):
            await super().handle_connection_init(message)  # 4429 or 4400, as the protocol says
            return
        given = payload.get("authorization") or payload.get("Authorization")
        try:
            if given is not None and not isinstance(given, str):
                raise AuthError("authorization 应为字符串 / authorization must be a string")
            principal = self.view.http.authenticator.authenticate(given, connection.address)
        except AuthError as error:
            await self.websocket.close(code=4401, reason=_reason(error.message))
            return
        if await self.view.http.rate.admit(principal, 1):  # a socket opened is a request
            await self.websocket.close(code=4429, reason="too many requests")
            return
        if not await self.view.admitted(self, principal):
            await self.websocket.close(code=4429, reason="too many connections for this client")
            return
        connection.principal = principal
        if principal.expires_at:
            self.view.expire_at(self, principal.expires_at)
        await super().handle_connection_init(message)

    async def handle_message(self, message: Message) -> None:
        problem = shape_problem(message)
        if problem is not None:
            await self.handle_invalid_message(f"invalid message: {problem}")
            return
        await super().handle_message(message)

    async def run_operation(self, operation: Operation[LiveConnection, None]) -> None:
        try:
            await self._run(operation)
        except WebSocketDisconnected:
            return  # the client went away mid-operation: nothing to tell, nothing wrong
        except AuditUnavailableError as error:
            # The event is withheld, as an answer over HTTP is (503): it ends the subscription.
            with contextlib.suppress(Exception):
                await _send_errors(
                    operation, [{"message": error.message, "extensions": error.extensions}]
                )
        except Exception as error:
            # Past every check: the client is told, as over HTTP, and the log names the kind
            # of failure, not its values (no traceback).
            log.error("unexpected %s in a live operation", type(error).__name__)
            with contextlib.suppress(Exception):
                await _send_errors(
                    operation, [{"message": MASKED, "extensions": {"code": "INTERNAL"}}]
                )

    async def _run(self, operation: Operation[LiveConnection, None]) -> None:
        http = self.view.http
        principal = self.context.principal
        assert principal is not None  # noqa: S101  (acknowledged connections only)
        try:
            variables = _variables_of(operation)
            picked = parse_and_pick(
                http.documents, operation.query, operation.operation_name, variables
            )
            if picked.operation.operation != OperationType.SUBSCRIPTION:
                raise DocumentRefused(
                    errors_body(
                        "SUBSCRIPTIONS_ONLY",
                        "WebSocket 只用于订阅，查询和修改请用 HTTP / only subscriptions here",
                    )
                )
            analysis = within_limits_and_valid(
                http.documents,
                http.limits,
                operation.query,
                picked,
                operation.operation_name,
                variables,
            )
            # Each subscription takes from the client's allowance, as over HTTP.
            await within_rate(http.rate, http.limits, principal, analysis.cost)
        except DocumentRefused as refused:
            await _send_errors(operation, refused.body["errors"])
            return
        except RateRefused as refused:
            limited = {"code": "RATE_LIMITED", "retryAfter": refused.wait}
            await _send_errors(operation, [{"message": TOO_MANY, "extensions": limited}])
            return
        payloads = subscription_payloads(
            http,
            self.view.feed,
            principal,
            picked,
            operation.query,
            variables,
            operation.operation_name,
        )
        async with contextlib.aclosing(payloads):
            async for failed, payload, _ in payloads:
                if failed:
                    await _send_errors(operation, payload)
                    return
                message = {"id": operation.id, "type": "next", "payload": payload}
                await operation.send_operation_message(cast(NextMessage, message))
        await operation.send_operation_message({"id": operation.id, "type": "complete"})


async def _send_errors(
    operation: Operation[LiveConnection, None], errors: list[dict[str, Any]]
) -> None:
    message = {"id": operation.id, "type": "error", "payload": errors}
    await operation.send_operation_message(cast(ErrorMessage, message))


def _variables_of(operation: Operation[LiveConnection, None]) -> dict[str, Any]:
    """The operation's variables, held to the rules of a GraphQL request over HTTP."""
    payload = {"query": operation.query, "variables": operation.variables}
    try:
        return dict(operation_of(payload).variables)
    except RequestRefused as refused:
        raise DocumentRefused(errors_body(refused.code, refused.message)) from None


def _reason(message: str) -> str:
    """A close reason is at most 123 bytes of UTF-8: the English half of our messages."""
    english = message.rsplit(" / ", 1)[-1]
    return english.encode()[:120].decode(errors="ignore")


class LiveView(GraphQL[LiveConnection, None]):
    graphql_transport_ws_handler_class = LiveHandler

    def __init__(self, http: GraphQLHTTP, feed: LocalCaseFeed, places: LivePlaces) -> None:
        settings = http.settings
        pattern = origin_pattern(origins_of(settings))
        super().__init__(
            http.schema,
            graphql_ide=None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=settings.live_init_timeout_s),
            max_subscriptions_per_connection=settings.live_subscriptions_per_connection,
        )
        # Pages on other origins may connect as they may call over HTTP (the CORS setting, with
        # its port and label wildcards); same-origin pages and non-browser clients always may.
        self._origins = re.compile(pattern) if pattern else None
        self.http = http
        self.feed = feed
        self.draining = Draining()  # streams over HTTP end as the server begins to shut down
        self.places = places
        self._holders: dict[int, Place] = {}
        self._timers: dict[int, asyncio.Task[None]] = {}

    def decode_json(self, data: str | bytes) -> object:
        try:
            return json.loads(data)
        except RecursionError:  # nested past what the parser reads: as any message not JSON
            raise json.JSONDecodeError("nested too deeply", str(data)[:40], 0) from None

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        return self._origins is not None and self._origins.match(origin) is not None

    async def get_context(self, request: Any, response: Any) -> LiveConnection:
        return LiveConnection(request)

    async def admitted(self, handler: LiveHandler, principal: Principal) -> bool:
        place = await self.claim(principal, handler.context.address)
        if place is not None:
            self._holders[id(handler)] = place
        return place is not None

    async def claim(self, principal: Principal, address: str) -> Place | None:
        """A place for one more socket or stream of this client (an account, or an address
        for the public), or None if it holds `live_connections_per_client` already, on any
        worker or replica (`gateway.state.live_places`)."""
        client = (
            f"{principal.role.value}:{principal.subject}"
            if principal.subject
            else f"address:{address}"
        )
        return await self.places.claim(client)

    async def let_go(self, place: Place) -> None:
        # Given back even when the connection's task is being cancelled (a client gone away):
        # else the place would count against the client until its lease ran out.
        await asyncio.shield(self.places.let_go(place))

    def expire_at(self, handler: LiveHandler, expires_at: float) -> None:
        async def close_when_expired() -> None:
            await asyncio.sleep(max(0.0, expires_at - time.time()))
            await handler.websocket.close(code=4401, reason="token expired")

        self._timers[id(handler)] = asyncio.create_task(close_when_expired())

    async def released(self, handler: LiveHandler) -> None:
        timer = self._timers.pop(id(handler), None)
        if timer is not None:
            timer.cancel()
        place = self._holders.pop(id(handler), None)
        if place is not None:
            await self.let_go(place)
