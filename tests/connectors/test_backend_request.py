"""`Backend.request` describes what the httpx client would build, without the client's merge
machinery: the same request for another transport, the same bytes on the wire for ours."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import Backend, BackendSettings
from connectors.wire import request_head

BASES = [
    "http://127.0.0.1:8001",
    "http://127.0.0.1:8001/",
    "http://127.0.0.1:8001/prefix",
    "http://127.0.0.1:8001/prefix/",
]
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/gateway/rk.queryBySfzh", {"data": {"data": "{}", "sign": "ab"}}),
    ("GET", "/api/v1/applications", {"params": {"applicant": "a b&c", "cursor": "零"}}),
    ("GET", "/api/v1/applications", {"params": {"q": "~*'()!/:?#[]@$,;+= %", "empty": ""}}),
    ("GET", "/api/v1/applications?page=2&size=", {"params": {"size": "50", "x": "零"}}),
    ("GET", "/api/v1/applications?page=2", {"params": {}}),
    ("POST", "/UrbanService.asmx", {"content": "<x/>".encode("gbk")}),
    ("POST", "/api/v1/applications", {"json": {"名字": "x", "n": 1}}),
    ("GET", "/api/v1/applications/FY2026", {}),
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_request_is_what_the_client_would_build(
    base: str, method: str, path: str, body: dict[str, Any]
) -> None:
    backend = Backend("test", BackendSettings(base, read_timeout_s=7, connect_timeout_s=3))
    headers = {"Authorization": "Bearer t", "Accept": "text/xml", "SOAPAction": '"x"'}
    for _ in range(2):  # the second time from the cached URL
        expected = backend.http.build_request(method, path, headers=headers, **body)
        call = backend.request(method, path, headers=headers, **body)
        assert call.head() == request_head(expected)
        assert call.content == expected.content
        made = call.as_httpx()
        assert made.method == expected.method
        assert str(made.url) == str(expected.url)
        assert sorted(made.headers.raw) == sorted(expected.headers.raw)
        assert made.content == expected.content
        assert (
            made.extensions
            == expected.extensions
            == {"timeout": {"connect": 3, "read": 7, "write": 7, "pool": 7}}
        )


def test_the_url_cache_is_bounded() -> None:
    backend = Backend("test", BackendSettings("http://127.0.0.1:8001"))
    for number in range(1000):
        assert str(backend.request("GET", f"/items/{number}").url).endswith(f"/items/{number}")
    assert len(backend._urls) <= 256


@settings(max_examples=200, deadline=None)
@given(params=st.dictionaries(st.text(max_size=8), st.text(max_size=12), min_size=1, max_size=4))
def test_any_parameters_go_on_the_wire_as_httpx_would_write_them(params: dict[str, str]) -> None:
    """Parameters are form-encoded by us where the URL has no query of its own; whatever they
    hold, the request line is httpx's, and the httpx request the call stands for is the same."""
    backend = Backend("test", BackendSettings("http://127.0.0.1:8001/prefix"))
    expected = backend.http.build_request("GET", "/api/v1/applications", params=params)
    call = backend.request("GET", "/api/v1/applications", params=params)
    assert call.query  # the fast way, not httpx's merge
    assert call.head() == request_head(expected)
    assert str(call.as_httpx().url) == str(expected.url)
