"""A tiny OTLP/HTTP trace receiver for the tests: collects (service, trace id, span name) from
every export, protobuf (Python's exporter) or JSON (JavaScript's), on a free loopback port."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from bench.processes import free_port

Span = tuple[str, str, str]  # service, trace id (hex), span name


def _from_protobuf(body: bytes) -> list[Span]:
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    found = []
    for resource in request.resource_spans:
        attributes = {a.key: a.value.string_value for a in resource.resource.attributes}
        service = attributes.get("service.name", "")
        for scope in resource.scope_spans:
            found += [(service, s.trace_id.hex(), s.name) for s in scope.spans]
    return found


def _from_json(body: bytes) -> list[Span]:
    found = []
    for resource in json.loads(body).get("resourceSpans", []):
        attributes = {
            a["key"]: a.get("value", {}).get("stringValue", "")
            for a in resource.get("resource", {}).get("attributes", [])
        }
        service = attributes.get("service.name", "")
        for scope in resource.get("scopeSpans", []):
            found += [(service, s["traceId"].lower(), s["name"]) for s in scope.get("spans", [])]
    return found


@contextlib.contextmanager
def otlp_receiver() -> Iterator[tuple[str, list[Span]]]:
    spans: list[Span] = []

    class Receiver(BaseHTTPRequestHandler):
        def body(self) -> bytes:
            if "chunked" not in (self.headers.get("transfer-encoding") or ""):
                return self.rfile.read(int(self.headers.get("content-length") or 0))
            chunks = []  # Node's exporter sends its JSON chunked
            while size := int(self.rfile.readline().strip().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)

        def do_POST(self) -> None:
            body = self.body()
            json_body = "json" in (self.headers.get("content-type") or "")
            spans.extend(_from_json(body) if json_body else _from_protobuf(body))
            self.send_response(200)
            self.send_header("content-type", self.headers.get("content-type") or "")
            self.send_header("content-length", "2" if json_body else "0")
            self.end_headers()
            if json_body:
                self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/traces", spans
    finally:
        server.shutdown()
        server.server_close()
