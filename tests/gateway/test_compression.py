"""Answers gzipped for clients that accept it, above `compress_min_bytes`: the same JSON in a
fraction of the bytes; small answers, streams and clients that do not ask are sent as they are."""

from __future__ import annotations

import gzip
import json

from starlette.types import Message, Receive, Scope, Send

from gateway.access.auth import Role
from gateway.http.compression import GzipAnswers, accepts_gzip
from tests.gateway.conftest import open_gateway

CASES = "query($g: String!) { cases(filter: {grid: $g}, first: 100) { edges { node { number } } } }"
DEPARTMENTS = "{ departments { code } }"


async def test_a_large_answer_is_gzipped_for_a_client_that_accepts_it() -> None:
    async with open_gateway() as (gateway, _app):
        grid = gateway.mocks.population.geography.grids[0].code
        urban = gateway.as_role(Role.URBAN_MANAGEMENT)
        body = {"query": CASES, "variables": {"g": grid}}
        plain = await gateway.client.post(
            "/graphql", json=body, headers={**urban.headers, "Accept-Encoding": "identity"}
        )
        raw: list[bytes] = []
        async with gateway.client.stream(
            "POST", "/graphql", json=body, headers={**urban.headers, "Accept-Encoding": "gzip"}
        ) as zipped:
            raw = [chunk async for chunk in zipped.aiter_raw()]
        assert "content-encoding" not in plain.headers
        assert zipped.headers["content-encoding"] == "gzip"
        assert "accept-encoding" in zipped.headers["vary"].lower()
        assert len(plain.content) > 1024 and len(plain.json()["data"]["cases"]["edges"]) > 10
        squeezed = b"".join(raw)
        assert json.loads(gzip.decompress(squeezed)) == plain.json()
        assert len(squeezed) < len(plain.content) / 3

        small = await urban.client.post(
            "/graphql",
            json={"query": DEPARTMENTS},
            headers={**urban.headers, "Accept-Encoding": "gzip"},
        )
        assert len(small.content) < 1024 and "content-encoding" not in small.headers

        streamed = await gateway.client.post(
            "/graphql",
            json=body,
            headers={**urban.headers, "Accept-Encoding": "gzip", "Accept": "text/event-stream"},
        )
        assert streamed.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in streamed.headers  # each event as it comes


async def test_compression_can_be_turned_off() -> None:
    async with open_gateway(compress_min_bytes=0) as (gateway, _app):
        grid = gateway.mocks.population.geography.grids[0].code
        urban = gateway.as_role(Role.URBAN_MANAGEMENT)
        answer = await urban.client.post(
            "/graphql",
            json={"query": CASES, "variables": {"g": grid}},
            headers={**urban.headers, "Accept-Encoding": "gzip"},
        )
        assert len(answer.content) > 1024 and "content-encoding" not in answer.headers


def test_gzip_is_taken_only_where_the_client_weighs_it_above_zero() -> None:
    def asks(value: str) -> bool:
        return accepts_gzip([(b"accept", b"*/*"), (b"accept-encoding", value.encode())])

    assert asks("gzip") and asks("br, GZIP;q=0.5") and asks("deflate, *") and asks("gzip;q=1.0")
    assert not asks("identity") and not asks("gzip;q=0") and not asks("br, *;q=0")
    assert not asks("gzip;q=0.000") and not asks("x-gzip2")
    assert not accepts_gzip([(b"accept", b"*/*")])


async def test_pictures_and_encoded_answers_pass_as_they_are() -> None:
    picture = b"\xff\xd8" + bytes(range(256)) * 20
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["path"].strip("/").encode()
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", kind)]}
        )
        await send({"type": "http.response.body", "body": picture})

    async def record(message: Message) -> None:
        sent.append(message)

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    squeezer = GzipAnswers(app, min_bytes=1024)
    for path in ("/image/jpeg", "/application/json"):
        scope = {"type": "http", "path": path, "headers": [(b"accept-encoding", b"gzip")]}
        await squeezer(scope, nothing, record)
    jpeg_head, jpeg_body, json_head, json_body = sent
    assert jpeg_body["body"] == picture and jpeg_head["headers"] == [
        (b"content-type", b"image/jpeg")
    ]
    assert gzip.decompress(json_body["body"]) == picture
    assert (b"content-encoding", b"gzip") in json_head["headers"]
