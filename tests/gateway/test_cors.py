"""Browsers on other origins: allowed origins get CORS headers and a cached preflight; others
get none (the browser blocks the answer), and are counted; `*` is refused in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.access.auth import Role
from gateway.settings import Settings
from tests.gateway.conftest import open_gateway

PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}


async def test_allowed_and_refused_origins(tmp_path: Path) -> None:
    async with open_gateway(
        audit_path=str(tmp_path / "audit.log"),
        cors_origins="http://localhost:*,https://*.district.example",
    ) as (gateway, _app):
        for origin in ("http://localhost:5173", "https://dashboard.district.example"):
            answer = await gateway.client.options(
                "/graphql", headers={"Origin": origin, **PREFLIGHT}
            )
            assert answer.status_code == 200
            assert answer.headers["access-control-allow-origin"] == origin
            assert answer.headers["access-control-max-age"] == "600"
            assert "idempotency-key" in answer.headers["access-control-allow-headers"].lower()
            assert "access-control-allow-credentials" not in answer.headers
        refused = await gateway.client.options(
            "/graphql", headers={"Origin": "https://evil.example", **PREFLIGHT}
        )
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers

        caller = gateway.as_role(Role.DISTRICT_ADMIN)
        allowed = await gateway.client.post(
            "/graphql",
            json={"query": "{ departments { code } }"},
            headers={**caller.headers, "Origin": "http://localhost:5173"},
        )
        assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
        assert "X-Request-ID" in allowed.headers["access-control-expose-headers"]
        other = await gateway.client.post(
            "/graphql",
            json={"query": "{ departments { code } }"},
            headers={**caller.headers, "Origin": "https://evil.example"},
        )
        assert "access-control-allow-origin" not in other.headers
        metrics = (await gateway.client.get("/metrics")).text
        assert "govgraph_cors_refused_total 2.0" in metrics


@pytest.mark.parametrize(
    "sent",
    [
        "apollographql-client-name, apollographql-client-version",  # Apollo's clientAwareness
        "x-apollo-operation-name",  # Apollo's CSRF-safe header (iOS, Kotlin)
        "traceparent, tracestate",  # browser tracing, joined to the gateway's trace
        "x-purpose, apollo-require-preflight, x-request-id",
    ],
)
async def test_headers_that_clients_send_on_their_own_pass_the_preflight_of_a_short_list(
    sent: str,
) -> None:
    # an operator's list of headers adds to these, which clients send on their own
    async with open_gateway(
        cors_origins="http://localhost:*", cors_allow_headers="X-Team-Header"
    ) as (gateway, _app):
        answer = await gateway.client.options(
            "/graphql",
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": f"authorization, content-type, {sent}",
            },
        )
        assert answer.status_code == 200, answer.text
        allowed = {
            h.strip() for h in answer.headers["access-control-allow-headers"].lower().split(",")
        }
        assert {h.strip() for h in sent.split(",")} <= allowed


async def _preflight(gateway: Any, origin: str, asked: str) -> Any:
    return await gateway.client.options(
        "/graphql",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": asked,
        },
    )


TOOLS = "authorization, content-type, sentry-trace, baggage, x-datadog-trace-id, x-client-version"


async def test_an_allowed_page_may_send_what_its_own_tools_add_and_others_still_may_not() -> None:
    async with open_gateway(cors_origins="http://localhost:*") as (gateway, _app):
        allowed = await _preflight(gateway, "http://localhost:5173", TOOLS)
        assert allowed.status_code == 200, allowed.text
        granted = {h.strip() for h in allowed.headers["access-control-allow-headers"].split(",")}
        assert {h.strip() for h in TOOLS.split(",")} <= granted
        refused = await _preflight(gateway, "https://evil.example", TOOLS)
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers  # the browser blocks it


async def test_a_short_list_of_headers_refuses_the_rest() -> None:
    async with open_gateway(
        cors_origins="http://localhost:*", cors_allow_headers="X-Client-Version"
    ) as (gateway, _app):
        listed = await _preflight(
            gateway, "http://localhost:5173", "authorization, x-client-version"
        )
        assert listed.status_code == 200, listed.text
        unlisted = await _preflight(gateway, "http://localhost:5173", "sentry-trace")
        assert unlisted.status_code == 400


async def test_no_origins_configured_means_no_cors(gateway) -> None:  # type: ignore[no-untyped-def]
    answer = await gateway.client.options(
        "/graphql", headers={"Origin": "http://localhost:5173", **PREFLIGHT}
    )
    assert "access-control-allow-origin" not in answer.headers


def test_production_refuses_any_origin() -> None:
    settings = Settings().with_values(
        {
            "production": True,
            "jwt_secret": "s" * 40,
            "audit_hmac_key": "a-production-key",
            "cors_origins": "*",
        }
    )
    with pytest.raises(ValueError, match="CORS"):
        settings.check()
