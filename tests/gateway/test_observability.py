"""Operators' view: metrics move where they should, logs carry no personal data, the request id
travels to the legacy systems, and traces nest backend calls under the request."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.access.auth import Role
from gateway.observability import MAX_OPERATION_LABELS
from tests.gateway.conftest import Gateway, open_gateway

ID_NUMBER = re.compile(r"(?<![0-9a-f])\d{17}[\dX](?![0-9a-f])")
PHONE = re.compile(r"(?<![0-9a-f])1[3-9]\d{9}(?![0-9a-f])")


def sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_move_per_backend_and_per_cache(gateway: Gateway) -> None:
    admin = gateway.as_role(Role.DISTRICT_ADMIN)
    query = 'query Dashboard { departments { code } residents(filter: {grid: "320213001001001"}, first: 3) { totalCount edges { node { household { code } } } } }'
    await admin.data(query)
    before = (await gateway.client.get("/metrics")).text
    await admin.data(query)
    await admin.query("{ grids(first: 1000) { totalCount } }")
    after = (await gateway.client.get("/metrics")).text
    assert (
        sample(after, "govgraph_requests_total", operation="Dashboard", outcome="ok")
        == sample(before, "govgraph_requests_total", operation="Dashboard", outcome="ok") + 1
    )
    civil = sample(
        after,
        "govgraph_backend_requests_total",
        backend="civil-affairs",
        operation="rk.queryByWgbm",
        status="200",
    )
    assert (
        civil
        == sample(
            before,
            "govgraph_backend_requests_total",
            backend="civil-affairs",
            operation="rk.queryByWgbm",
            status="200",
        )
        + 1
    )
    assert (
        sample(
            after,
            "govgraph_backend_latency_seconds_count",
            backend="civil-affairs",
            operation="rk.queryByWgbm",
        )
        >= 2
    )
    assert (
        sample(after, "govgraph_cache_hits", cache="departments")
        == sample(before, "govgraph_cache_hits", cache="departments") + 1
    )
    assert sample(after, "govgraph_cache_size", cache="departments") == 1
    assert sample(after, "govgraph_breaker_state", backend="urban-management") == 0
    assert sample(after, "govgraph_rejections_total", kind="limit", code="PAGE_SIZE_LIMIT") == 1
    # the three residents' households in one batch (a list per grid is a call of its own)
    assert sample(after, "govgraph_loader_batch_size_count", loader="load_households") >= 1
    assert "govgraph_backend_in_flight" in after
    labels = " ".join(
        re.findall(r"\{[^}]*\}", after)
    )  # values are numbers; people could only be in labels
    assert not ID_NUMBER.search(labels)
    assert not PHONE.search(labels)


async def test_failures_and_refusals_are_counted(gateway: Gateway) -> None:
    admin = gateway.as_role(Role.DISTRICT_ADMIN)
    gateway.mocks.legal.faults.outage = True
    await admin.query(
        '{ cases(filter: {kind: LEGAL_AID, community: "320213001001"}, first: 1) { totalCount } }'
    )
    await gateway.client.post(
        "/graphql",
        json={"query": "{ departments { code } }"},
        headers={"Authorization": "Bearer junk"},
    )
    text = (await gateway.client.get("/metrics")).text
    assert (
        sample(
            text,
            "govgraph_backend_requests_total",
            backend="legal-aid",
            operation="token",
            status="503",
        )
        >= 1
    )
    assert sample(text, "govgraph_backend_retries_total", backend="legal-aid") >= 1
    assert (
        sample(
            text, "govgraph_backend_errors_total", backend="legal-aid", code="BACKEND_UNAVAILABLE"
        )
        >= 1
    )
    assert (
        sample(text, "govgraph_rejections_total", kind="authentication", code="UNAUTHENTICATED")
        == 1
    )


async def test_request_log_lines_have_no_personal_data_and_ids_travel(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    population = gateway.mocks.population
    person = population.person(77)
    civil = gateway.as_role(Role.CIVIL_AFFAIRS)
    response = await gateway.client.post(
        "/graphql",
        json={
            "query": "query Who($id: String!) { resident(idNumber: $id) { name idNumber phone household { address } } }",
            "variables": {"id": person.id_number},
        },
        headers={**civil.headers, "X-Request-ID": "trace-me-123"},
    )
    assert response.headers["x-request-id"] == "trace-me-123"
    assert response.json()["data"]["resident"]["idNumber"] == person.id_number
    await civil.data(
        '{ residents(filter: {grid: "%s"}, first: 20) { edges { node { name phone idNumber } } } }'
        % person.grid.code
    )
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "govgraph.access"]
    assert len(lines) == 2
    first = lines[0]
    assert first["request_id"] == "trace-me-123"
    assert first["operation"] == "Who"
    assert first["status"] == 200
    assert first["backends"] == {"civil-affairs": 2}
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert not ID_NUMBER.search(everything)
    assert not PHONE.search(everything)
    assert person.name not in everything
    journal = gateway.mocks.civil.journal.snapshot()["recent"]
    assert {"trace-me-123"} <= {entry["request_id"] for entry in journal}


REPLACED = [b"caf\xe9", "编号一".encode(), b"a b", b"x" * 65, b""]
# a resident's phone or ID number would be written in every log and sent to every system
PERSONAL = [b"13812345678", b"req-138-1234-5678", b"110105194912310037", b"id_11010519491231003X"]


@pytest.mark.parametrize("given", REPLACED + PERSONAL)
async def test_a_request_id_that_could_not_travel_is_replaced(
    gateway: Gateway, given: bytes
) -> None:
    """Not ASCII letters, digits and -_. (at most 64): a legacy system's header could not carry
    it (a latin-1 byte once failed every backend call as INTERNAL), so the gateway makes one; as
    it does for an id that holds a phone or an ID number."""
    civil = gateway.as_role(Role.CIVIL_AFFAIRS)
    gateway.reset_journals()
    response = await gateway.client.post(
        "/graphql",
        json={"query": "{ departments { code } }"},
        headers=[(k.encode(), v.encode()) for k, v in civil.headers.items()]
        + [(b"X-Request-ID", given)],
    )
    assert response.status_code == 200
    assert "errors" not in response.json(), response.text
    made = response.headers["x-request-id"]
    assert made.encode() != given and len(made) == 16
    journal = gateway.mocks.urban.journal.snapshot()["recent"]
    assert {made} <= {entry["request_id"] for entry in journal}


async def test_a_trace_has_the_backend_calls_as_children(tmp_path: Path) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with open_gateway(audit_path=str(tmp_path / "a.log"), tracer_provider=provider) as (
        gateway,
        _app,
    ):
        admin = gateway.as_role(Role.DISTRICT_ADMIN)
        await admin.data(
            '{ cases(filter: {grid: "320213001001001"}, first: 20) { edges { node { ... on UrbanCase { reporter { method } } } } } }'
        )
        spans = exporter.get_finished_spans()
        roots = [s for s in spans if s.name == "graphql request"]
        assert len(roots) == 1
        trace_id = roots[0].context.trace_id
        assert {s.context.trace_id for s in spans} == {trace_id}
        backend_spans = [s for s in spans if s.name.startswith("backend ")]
        loader_spans = [s for s in spans if s.name.startswith("loader ")]
        assert any(s.name == "backend urban-management QueryCases" for s in backend_spans)
        assert loader_spans
        by_id = {s.context.span_id: s for s in spans}

        def root_of(span: Any) -> Any:
            while span.parent is not None:
                span = by_id[span.parent.span_id]
            return span

        assert all(root_of(s) is roots[0] for s in backend_spans)
        provider.shutdown()


async def test_a_callers_trace_context_is_continued(tmp_path: Path) -> None:
    """A router (or a client) that sends `traceparent` gets our spans in its trace."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    async with open_gateway(audit_path=str(tmp_path / "a.log"), tracer_provider=provider) as (
        gateway,
        _app,
    ):
        traced = gateway.as_role(Role.DISTRICT_ADMIN)
        traced.headers["traceparent"] = f"00-{trace_id}-{parent_id}-01"
        await traced.data("{ departments { name } }")
        roots = [s for s in exporter.get_finished_spans() if s.name == "graphql request"]
        assert len(roots) == 1
        assert f"{roots[0].context.trace_id:032x}" == trace_id
        assert roots[0].parent is not None
        assert f"{roots[0].parent.span_id:016x}" == parent_id
        provider.shutdown()


async def test_operation_names_chosen_by_callers_cannot_grow_the_series_without_end(
    gateway: Gateway,
) -> None:
    admin = gateway.as_role(Role.DISTRICT_ADMIN)
    for i in range(MAX_OPERATION_LABELS + 20):
        await admin.data(f"query Name{i} {{ departments {{ code }} }}")
    text = (await gateway.client.get("/metrics")).text
    labels = {
        s.labels["operation"]: s.value
        for family in text_string_to_metric_families(text)
        if family.name == "govgraph_requests"
        for s in family.samples
        if s.name == "govgraph_requests_total"
    }
    assert len(labels) == MAX_OPERATION_LABELS + 1
    assert labels["other"] == 20
    assert labels["Name0"] == 1  # names seen before the cap keep their own series
