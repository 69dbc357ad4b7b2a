"""`govgraph bench --profile`: what the gateway writes for each named request."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
from starlette.types import Receive, Scope, Send

from gateway.http.profiling import RequestProfiles


def parse_answer(number: int) -> int:
    total = 0
    for step in range(3000):
        total += (number * step) % 7
    return total


async def one_answer(number: int) -> int:
    await asyncio.sleep(0)
    return parse_answer(number)


async def dashboard_like(scope: Scope, receive: Receive, send: Send) -> None:
    """Like a dashboard: many short tasks, none near 1 % of the whole on its own."""
    answers = await asyncio.gather(*(one_answer(n) for n in range(300)))
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(sum(answers)).encode()})


async def test_a_dashboard_like_requests_flame_graph_holds_its_frames(tmp_path: Path) -> None:
    profiles = RequestProfiles(dashboard_like, str(tmp_path))
    transport = httpx.ASGITransport(app=profiles)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        for _ in range(3):
            answer = await client.get("/", headers={"X-Profile-As": "dashboard_like"})
            assert answer.status_code == 200
        await client.get("/")  # not named: not profiled
    written = profiles.write()
    assert sorted(path.name for path in written) == [
        "dashboard_like.speedscope.json",
        "dashboard_like.txt",
    ]
    flame = json.loads((tmp_path / "dashboard_like.speedscope.json").read_text(encoding="utf-8"))
    names = {frame["name"] for frame in flame["shared"]["frames"]}
    assert "parse_answer" in names
    events = flame["profiles"][0]["events"]
    opened = [event for event in events if event["type"] == "O"]
    # summed, as a flame graph: the 900 calls of parse_answer are one node under one_answer
    parse = [e for e in opened if flame["shared"]["frames"][e["frame"]]["name"] == "parse_answer"]
    assert len(parse) == 1
    assert "parse_answer" in (tmp_path / "dashboard_like.txt").read_text(encoding="utf-8")


async def test_a_request_with_an_unsafe_name_is_not_profiled(tmp_path: Path) -> None:
    profiles = RequestProfiles(dashboard_like, str(tmp_path))
    transport = httpx.ASGITransport(app=profiles)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        await client.get("/", headers={"X-Profile-As": "../escape"})
    assert profiles.write() == []
