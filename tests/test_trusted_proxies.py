"""The client a served gateway records is the one its trusted proxies name in X-Forwarded-For,
and only theirs: the address keys the public rate limits and goes on the audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from bench.processes import running_stack

pytestmark = pytest.mark.heavy


def test_a_trusted_proxy_names_the_client_and_another_hop_does_not(tmp_path: Path) -> None:
    sides = [
        {"GOVGRAPH_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"},  # the balancer is this host
        {"GOVGRAPH_TRUSTED_PROXIES": "10.9.9.9"},  # a balancer elsewhere; this host is not it
    ]
    with running_stack(tmp_path, scale="tiny", each_gateway=sides, gateways=2) as stack:
        for index, url in enumerate(stack.gateway_urls):
            answer = httpx.post(
                f"{url}/graphql",
                json={"query": "{ departments { code } }"},
                headers={
                    "Authorization": "Bearer not-a-token",
                    "X-Forwarded-For": "203.0.113.7",
                    "X-Request-ID": f"proxied-{index}",
                },
                timeout=10,
            )
            assert answer.status_code == 401
    lines = [json.loads(line) for line in (tmp_path / "audit.log").read_text().splitlines()]
    client = {line["request_id"]: line["client"] for line in lines if "request_id" in line}
    assert client["proxied-0"] == "203.0.113.7"
    assert client["proxied-1"] == "127.0.0.1"
