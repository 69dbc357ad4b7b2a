"""The shapes of graphql-transport-ws messages, checked before Strawberry's handler reads them.

The handler indexes a message as the protocol describes it and trusts the rest: a message that
is a JSON array, a `payload` that is a string, an `id` that is a number or a `query` that is no
string raised inside it, which dropped the socket without a close code (and logged a traceback),
or killed the operation with the client told nothing. The protocol's answer to a message it
cannot take is to close the socket with 4400 and a reason; this module says when, and why.
"""

from __future__ import annotations

from typing import Any

from gateway.http.requests import RequestRefused, operation_of

MAX_ID_CHARS = 128  # an operation's id is the client's name for it, not a place for data


def shape_problem(message: Any) -> str | None:
    """Why `message` is not a graphql-transport-ws message the gateway takes, or None."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return "a message is an object with a string type"
    kind = message["type"]
    if kind in ("connection_init", "ping", "pong"):
        payload = message.get("payload")
        return None if payload is None or isinstance(payload, dict) else f"{kind} payload"
    if kind not in ("subscribe", "complete"):
        return None  # an unknown type is the handler's to refuse, by name
    operation_id = message.get("id")
    if not isinstance(operation_id, str) or not 0 < len(operation_id) <= MAX_ID_CHARS:
        return f"{kind} needs an id, a string of 1-{MAX_ID_CHARS} characters"
    if kind == "complete":
        return None
    payload = message.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return "subscribe needs a payload with a string query"
    try:
        operation_of(payload)  # the payload's fields, by the rules of a GraphQL request over HTTP
    except RequestRefused as refused:
        # variables of the wrong kind are the operation's BAD_VARIABLES, not the socket's
        if refused.code != "BAD_VARIABLES":
            return refused.message.rsplit(" / ", 1)[-1]
    return None
