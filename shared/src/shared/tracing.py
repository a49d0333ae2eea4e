"""OpenTelemetry tracing across HTTP and Kafka, off by default.

With ``OTEL_EXPORTER_OTLP_ENDPOINT`` set (an OTLP/HTTP collector, e.g. ``http://otel-collector:4318``),
each service exports its spans to ``<endpoint>/v1/traces``; without it every span is a no-op.

One trace follows a change from the API through every consumer:

- the HTTP middleware opens a SERVER span per request, child of the caller's ``traceparent``;
- an event written by a use case carries the W3C ``traceparent`` of the span in scope in its outbox
  record (beside the event, never in it), and the relay publishes it under a PRODUCER span with that
  parent, putting the producer span's ``traceparent`` in the Kafka message headers;
- a consumer opens a CONSUMER span per batch, child of the first record's ``traceparent`` and linked
  to the others' (a batch mixes traces); the events its handler publishes are children of that span.

The log formatter writes the ``trace_id`` and ``span_id`` in scope (``shared.logs``). The tracer is the
service's own (``Runtime.tracing``), not a process-wide global.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import INVALID_SPAN, Link, NoOpTracer, Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.logs import trace_ids_var

PROPAGATOR = TraceContextTextMapPropagator()
MAX_LINKS = 32
"""Links a batch span keeps to the traces of its other records (a batch holds up to 500)."""
TRACEPARENT = "traceparent"
EXPORT_TIMEOUT_S = 2
"""The longest one export of spans (and the flush at shutdown) may take."""


@dataclass
class Tracing:
    """A service's tracer, and its provider when spans are exported (to flush them at shutdown)."""

    tracer: Tracer
    provider: Any = None

    @classmethod
    def create(cls, service: str, endpoint: str | None, version: str = "") -> Tracing:
        if not endpoint:
            return cls(NoOpTracer())
        # Imported only when tracing is on: the SDK and exporter are not needed otherwise.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=Resource.create({"service.name": service, "service.version": version}))
        exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces", timeout=EXPORT_TIMEOUT_S)
        # Bounded: a collector that hangs must not hold up a request, nor the stop past SHUTDOWN_TIMEOUT_S.
        provider.add_span_processor(BatchSpanProcessor(exporter, export_timeout_millis=EXPORT_TIMEOUT_S * 1000))
        return cls(provider.get_tracer("kinerja-asn", version), provider)

    def shutdown(self) -> None:
        if self.provider is not None:
            self.provider.shutdown()

    @contextlib.contextmanager
    def span(
        self,
        name: str,
        kind: SpanKind,
        *,
        parent: Context | None = None,
        links: Sequence[Link] = (),
        attributes: Mapping[str, str | int] | None = None,
    ) -> Iterator[Span]:
        """A span made current (for the events written and the log lines within it). With tracing off,
        nothing: a caller's ``traceparent`` is not carried on (into events, headers or logs) either."""
        if isinstance(self.tracer, NoOpTracer):
            yield INVALID_SPAN
            return
        with self.tracer.start_as_current_span(
            name, context=parent, kind=kind, links=list(links), attributes=dict(attributes or {})
        ) as span:
            context = span.get_span_context()
            token = trace_ids_var.set(
                (format(context.trace_id, "032x"), format(context.span_id, "016x")) if context.is_valid else None
            )
            try:
                yield span
            finally:
                trace_ids_var.reset(token)


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the span in scope (None when there is none, or tracing is off)."""
    carrier: dict[str, str] = {}
    PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT)


def context_of(traceparent: str | None) -> Context | None:
    """The parent context a ``traceparent`` names (None when absent or malformed)."""
    if not traceparent:
        return None
    context = PROPAGATOR.extract({TRACEPARENT: traceparent})
    return context if trace.get_current_span(context).get_span_context().is_valid else None


def header_traceparent(headers: Iterable[tuple[str, bytes | None]] | None) -> str | None:
    """The ``traceparent`` of a Kafka record's headers, if any (bounded: a W3C value is 55 characters)."""
    for name, value in headers or ():
        if name == TRACEPARENT and value and len(value) <= 128:
            return value.decode("ascii", "replace")
    return None


def links_to(traceparents: Iterable[str | None]) -> list[Link]:
    """Links to the spans ``traceparents`` name (at most ``MAX_LINKS``, malformed ones left out)."""
    links: list[Link] = []
    for traceparent in traceparents:
        context = context_of(traceparent)
        if context is not None:
            links.append(Link(trace.get_current_span(context).get_span_context()))
        if len(links) == MAX_LINKS:
            break
    return links
