"""Answers gzipped for clients that accept it, above `compress_min_bytes`: the same JSON in a
fraction of the bytes; small answers, streams and clients that do not ask are sent as they are."""

from __future__ import annotations

import gzip
import json

from gateway.access.auth import Role
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
