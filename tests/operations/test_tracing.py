"""One trace follows an appraisal from the API through the consumers: appraisal and training run as
their own processes with ``OTEL_EXPORTER_OTLP_ENDPOINT`` pointing at an OTLP/HTTP receiver of the test,
which decodes what they export (the OTLP protobuf). Without the variable nothing is exported."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from kinerja_testing import Infra, Keys, ServiceProcess, eventually, record_appraisal, register_employee, skip_history
from training.main import DEFINITION as TRAINING

pytestmark = pytest.mark.infra

APPRAISER = "197501012000031001"
SERVER, PRODUCER, CONSUMER = 2, 4, 5  # OTLP's SpanKind numbers


class Collected:
    """Spans received, as (service, trace id, span id, parent span id, name, kind)."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, str, str, str, int]] = []
        self.lock = threading.Lock()

    def add(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        with self.lock:
            for resource_spans in request.resource_spans:
                attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        self.spans.append(
                            (
                                attributes.get("service.name", ""),
                                span.trace_id.hex(),
                                span.span_id.hex(),
                                span.parent_span_id.hex(),
                                span.name,
                                span.kind,
                            )
                        )

    def of(self, service: str) -> list[tuple[str, str, str, str, str, int]]:
        with self.lock:
            return [span for span in self.spans if span[0] == service]


@pytest.fixture
def collector() -> Iterator[tuple[Collected, str]]:
    collected = Collected()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if self.path == "/v1/traces":
                collected.add(body)
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield collected, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def traced(
    infra: Infra, keys: Keys, tmp_path: Path, collector: tuple[Collected, str]
) -> Iterator[dict[str, ServiceProcess]]:
    run_id = os.urandom(4).hex()
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector[1], "OTEL_BSP_SCHEDULE_DELAY": "200"}
    processes = {
        name: ServiceProcess.configure(name, infra, keys, run_id, tmp_path, **env) for name in ("appraisal", "training")
    }
    yield processes
    for process in processes.values():
        if process.proc is not None:
            process.stop()


async def test_one_trace_spans_the_api_call_and_the_consumer_in_another_service(
    infra: Infra,
    keys: Keys,
    traced: dict[str, ServiceProcess],
    collector: tuple[Collected, str],
    new_nip: Callable[[], str],
) -> None:
    collected, _ = collector
    appraisal, training = traced["appraisal"], traced["training"]
    await skip_history(infra, training.env["TRAINING_CONSUMER_GROUP"], [str(t) for t in TRAINING.consumes])
    for process in traced.values():
        process.start()
    for process in traced.values():
        process.wait_ready()

    nip = new_nip()
    admin = keys.headers(APPRAISER, "admin_bkpsdm")
    trace_id = os.urandom(16).hex()
    caller = f"00-{trace_id}-{os.urandom(8).hex()}-01"  # the client's own trace, continued by the services
    async with httpx.AsyncClient() as http:
        await register_employee(http, admin, nip, url=appraisal.url)
        created = await record_appraisal(
            http, admin, nip, url=appraisal.url, period="2026-Q3", extra_headers={"traceparent": caller}
        )
    assert created.status_code == 201, created.text

    def every_side_exported() -> bool:
        """Each process exports on its own schedule: wait for the request, the publish and the consume."""
        seen = {(span[0], span[5]) for span in collected.spans if span[1] == trace_id}
        return {("appraisal", SERVER), ("appraisal", PRODUCER), ("training", CONSUMER)} <= seen

    assert await eventually(every_side_exported, within=60), [s for s in collected.spans if s[1] == trace_id]
    in_trace = [span for span in collected.spans if span[1] == trace_id]
    by_id = {span[2]: span for span in in_trace}
    server = next(s for s in in_trace if s[0] == "appraisal" and s[5] == SERVER)
    assert server[4].startswith("POST ")
    assert server[4].endswith("/appraisals")
    producer = next(s for s in in_trace if s[0] == "appraisal" and s[5] == PRODUCER and "appraisal.completed" in s[4])
    consumer = next(s for s in in_trace if s[0] == "training" and s[5] == CONSUMER)
    assert by_id[producer[3]] == server, "the relay publishes under the request that wrote the event"
    assert consumer[3] == producer[2], "training consumes under the span that published the event"
    assert {span[0] for span in in_trace} == {"appraisal", "training"}
