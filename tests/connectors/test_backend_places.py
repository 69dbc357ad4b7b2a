"""A call waiting for one of a system's places under the in-flight cap leaves as soon as the
call before it is answered, before that answer is read on by its caller."""

from __future__ import annotations

import asyncio

import httpx

from connectors.base import Backend, BackendSettings


async def _calls_in_order(idempotent: bool) -> list[str]:
    events: list[str] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        events.append(f"sent {request.url.path}")
        await asyncio.sleep(0)  # the system takes a while: the other calls queue for the place
        return httpx.Response(200, content=b"{}")

    backend = Backend(
        "test",
        BackendSettings("http://system.test", max_in_flight=1),
        transport=httpx.MockTransport(answer),
    )

    async def one(name: str) -> None:
        call = backend.request("POST", f"/{name}", json={})
        await backend.send(name, call, idempotent=idempotent)
        events.append(f"read {name}")

    try:
        await asyncio.gather(one("a"), one("b"), one("c"))
    finally:
        await backend.aclose()
    return events


async def test_a_waiting_call_leaves_before_the_answer_that_freed_its_place_is_read() -> None:
    assert await _calls_in_order(idempotent=True) == [
        "sent /a",
        "sent /b",
        "read a",
        "sent /c",
        "read b",
        "read c",
    ]


async def test_a_write_is_read_on_at_once_with_no_turn_given_up() -> None:
    # A write's answer gains no extra point at which its request could be cancelled.
    assert await _calls_in_order(idempotent=False) == [
        "sent /a",
        "read a",
        "sent /b",
        "read b",
        "sent /c",
        "read c",
    ]
