"""shared.tracing without a collector: spans are no-ops, nothing is propagated; and the parsing of the
traceparent a client or a Kafka header hands in (hostile input)."""

from __future__ import annotations

import os

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import NoOpTracer, SpanKind

from shared.logs import trace_ids_var
from shared.tracing import MAX_LINKS, Tracing, context_of, current_traceparent, header_traceparent, links_to


def traceparent() -> str:
    return f"00-{os.urandom(16).hex()}-{os.urandom(8).hex()}-01"


def test_without_an_endpoint_spans_are_no_ops_and_nothing_is_propagated() -> None:
    tracing = Tracing.create("appraisal", None)
    assert isinstance(tracing.tracer, NoOpTracer)
    with tracing.span("POST /x", SpanKind.SERVER) as span:
        assert not span.get_span_context().is_valid
        assert current_traceparent() is None
        assert trace_ids_var.get() is None
    with tracing.span("consume t", SpanKind.CONSUMER, parent=context_of(traceparent())):
        assert current_traceparent() is None  # a caller's trace is not carried on while tracing is off
        assert trace_ids_var.get() is None
    tracing.shutdown()


def test_a_recording_span_continues_its_parent_and_is_in_the_logs() -> None:
    tracing = Tracing(TracerProvider().get_tracer("test"))  # the SDK's tracer, with no exporter
    parent = traceparent()
    with tracing.span("consume t", SpanKind.CONSUMER, parent=context_of(parent)) as span:
        context = span.get_span_context()
        assert format(context.trace_id, "032x") == parent.split("-")[1]
        assert current_traceparent() == f"00-{parent.split('-')[1]}-{format(context.span_id, '016x')}-01"
        assert trace_ids_var.get() == (parent.split("-")[1], format(context.span_id, "016x"))
    assert trace_ids_var.get() is None


def test_malformed_or_oversized_traceparents_are_ignored() -> None:
    assert context_of(None) is None
    assert context_of("") is None
    assert context_of("00-zz-yy-01") is None
    assert context_of(f"00-{'0' * 32}-{'0' * 16}-01") is None  # all-zero ids are invalid
    assert header_traceparent([("traceparent", b"x" * 200)]) is None
    assert header_traceparent(None) is None
    good = traceparent()
    assert header_traceparent([("event_id", b"e"), ("traceparent", good.encode())]) == good
    assert context_of(good) is not None


def test_a_batch_links_to_at_most_max_links_traces() -> None:
    links = links_to([traceparent() for _ in range(MAX_LINKS + 10)] + ["bad", None])
    assert len(links) == MAX_LINKS
    assert links_to(["bad", None]) == []
