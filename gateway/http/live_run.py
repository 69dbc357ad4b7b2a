"""One subscription's run, whatever carries it (WebSocket in `gateway.http.live`, SSE or
multipart HTTP in `gateway.http.live_streams`): each event is the case read again through the
subscriber's scope, with its own data and audit record, on record before it is handed on."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, Any

from strawberry.types.execution import PreExecutionError

from gateway.access.audit import AuditRecord
from gateway.access.auth import Principal
from gateway.access.enforcement import GatewayContext
from gateway.http.checks import Picked
from gateway.http.documents import Documents
from gateway.http.graphql import present
from gateway.state.case_feed import CaseChange, LocalCaseFeed
from schema import Context, DataSource

if TYPE_CHECKING:
    from gateway.http.graphql_http import GraphQLHTTP


class LiveEvents:
    """A subscription's access to the feed, and a fresh request's data for each event."""

    def __init__(
        self,
        http: GraphQLHTTP,
        feed: LocalCaseFeed,
        principal: Principal,
        after: str | None = None,
    ) -> None:
        self.http = http
        self.feed = feed
        self.principal = principal
        self.after = after  # resumed after this position (an EventSource's Last-Event-ID)
        self.position = ""  # the position of the change the event being read is about

    async def changes(self) -> AsyncIterator[CaseChange]:
        # closed with this generator, so that the feed forgets its queue at once
        async with contextlib.aclosing(self.feed.changes(self.after)) as changes:
            async for change in changes:
                self.position = change.position
                yield change

    async def next_event(self, context: Context) -> DataSource:
        await self.finish(context)
        assert isinstance(context, GatewayContext)  # noqa: S101
        context.record = event_record(self.http, self.principal)
        context.data = data = self.http.scoped_data(self.principal, None, context.record)
        context.calls_ahead = {}
        return data

    async def finish(self, context: Context) -> None:
        """The event goes on record (once), with what it shows, before it is sent. (A
        subscription refused as it starts comes out as its first result: `denied`.)"""
        if isinstance(context, GatewayContext):
            await _on_record(self.http, context, "event")


async def subscription_payloads(
    http: GraphQLHTTP,
    feed: LocalCaseFeed,
    principal: Principal,
    picked: Picked,
    query: str,
    variables: dict[str, Any],
    operation_name: str | None,
    after: str | None = None,
) -> AsyncGenerator[tuple[bool, Any, str], None]:
    """`(False, payload, position)` for each event, on record before it is yielded, with the
    feed's position of its change (to resume `after`); or `(True, errors, "")` once, for
    variables that fail to coerce (which variable, never its value). Checked documents only
    (`gateway.http.checks`)."""
    record = event_record(http, principal)
    live = LiveEvents(http, feed, principal, after)
    context = GatewayContext(
        data=http.scoped_data(principal, None, record),
        page_size_cap=http.settings.page_size_cap,
        principal=principal,
        audit=http.audit,
        record=record,
        document=picked.document,
        live=live,
    )
    events = await http.schema.subscribe(
        query, variable_values=variables, context_value=context, operation_name=operation_name
    )
    first = True
    try:
        async with contextlib.aclosing(events):
            async for event in events:
                if first and isinstance(event, PreExecutionError):
                    await _on_record(http, context, "ended")  # before the client hears
                    shown = [
                        Documents.request_error(e, picked.operation) for e in event.errors or []
                    ]
                    yield True, shown, ""
                    return
                first = False
                await live.finish(context)  # the event on record before the client hears
                yield False, _shown(event), live.position
    finally:
        await _on_record(http, context, "ended")  # refused, or ended, before any event


def event_record(http: GraphQLHTTP, principal: Principal) -> AuditRecord:
    """A subscription's, or one event's, record: a request of its own on the trail."""
    return http.audit.begun(principal, secrets.token_hex(8))


def _shown(result: Any) -> dict[str, Any]:
    """A result as over HTTP: known errors with their code, anything else masked."""
    shown: dict[str, Any] = {"data": getattr(result, "data", None)}
    errors = getattr(result, "errors", None)
    if errors:
        shown["errors"] = [dict(present(e).formatted) for e in errors]
    return shown


async def _on_record(http: GraphQLHTTP, context: GatewayContext, outcome: str) -> None:
    """The context's record on the trail, once, if anything is on it: `denied` if all it holds
    is a refusal, else `outcome`."""
    record, context.record = context.record, None
    if record is not None and record.touched():
        outcome = "denied" if record.denied and not record.fields else outcome
        # Not given up if the client goes away meanwhile: the trail is not optional.
        await asyncio.shield(http.audit.record(record, outcome))
