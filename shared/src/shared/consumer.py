"""At-least-once Kafka consumption in batches, with bounded retries and dead letters.

Every subscription of every service goes through ``subscribe``:

- records are read in batches (up to ``BatchPolicy.max_records`` from all the partitions the
  consumer holds); each value is read as raw bytes and validated against the event's contract here,
  so an undecodable or schema-invalid message, or one out of the bounds every consumer holds events to
  (``shared.events.bounds``: dates, NIPs, periods, OPD codes, lengths, numbers), goes to
  ``<topic>.dlq`` at once instead of crashing the consumer, being skipped silently, or reaching a
  handler;
- the valid events of a batch go to the handler together, which applies them with one bulk write;
  the batch is retried with exponential backoff on transient errors, up to ``RetryPolicy.attempts``;
- if the batch still fails (or the handler raises ``PermanentError``), each event is tried once on
  its own, so one bad message cannot hold up the others: the events that fail alone go to the DLQ
  with headers that say why (error, consumer group, original topic/partition/offset, attempts);
- when the database is unreachable or failing over (``shared.mongo.is_transient``: a lost
  connection, a retryable error label, a write-concern or step-down error), nothing is
  dead-lettered: the whole batch is handed back (every partition rewinds to its first record) and
  read again after a pause, so an outage delays events but never loses or dead-letters them;
- dead letters are sent once the rest of the batch is applied, so a batch handed back and read
  again does not dead-letter the same record twice;
- offsets are committed once per batch, only after every event of it was applied or dead-lettered
  (``AckPolicy.NACK_ON_ERROR``: if even the DLQ publish fails, or the service is stopped in the
  middle, the batch is delivered again, never skipped);
- handlers must be idempotent (deduplicate on ``event_id``, or keep the newest revision, in the same
  write as their effect) and tolerate any order: redelivery after a crash or a rebalance is normal,
  and a batch may hold several events of the same key.

A bad message therefore never blocks its partition, and never stops the service.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from opentelemetry.trace import NoOpTracer, SpanKind
from prometheus_client import CollectorRegistry, Counter, Histogram
from pydantic import ValidationError

from shared.events import Event, bounds
from shared.logs import event_id_var
from shared.mongo import is_transient
from shared.tracing import Tracing, context_of, header_traceparent, links_to

logger = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)

MAX_ERROR_CHARS = 1000


class PermanentError(Exception):
    """The message can never be handled (a business rule says no): dead-letter it without retrying."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    initial_backoff_s: float = 0.2
    max_backoff_s: float = 5.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return float(min(self.initial_backoff_s * 2 ** (attempt - 1), self.max_backoff_s))


@dataclass(frozen=True)
class BatchPolicy:
    max_records: int = 500
    """Most records handed to a handler at once (from all partitions of the consumer)."""
    timeout_ms: int = 100
    """How long a poll waits for the first record; an idle consumer sees a new event within ~2x this."""


@dataclass(frozen=True)
class Subscription(Generic[E]):
    """One topic a service consumes, the contract its values must meet, and the use case that applies
    a batch of its events (idempotent, order-tolerant, one bulk write)."""

    topic: str
    event_type: type[E]
    handle: Callable[[Sequence[E]], Awaitable[object]]

    @property
    def name(self) -> str:
        """``appraisal.completed.v1`` -> ``appraisal-completed``: the consumer group suffix."""
        return consumer_name(self.topic)


def consumer_name(topic: str) -> str:
    return re.sub(r"\.v[0-9]+$", "", topic).replace(".", "-").replace("_", "-")


def group_id_for(group_prefix: str, topic: str) -> str:
    """The consumer group of a service's subscription to ``topic``: ``<prefix>.<topic without version>``."""
    return f"{group_prefix}.{consumer_name(topic)}"


class ConsumerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.dead_lettered = Counter(
            "consumer_dead_lettered_total",
            "Messages sent to a dead-letter topic",
            ["topic", "group", "reason"],
            registry=registry,
        )
        self.retries = Counter(
            "consumer_handler_retries_total",
            "Handler attempts (of a whole batch) that failed and were retried",
            ["topic", "group"],
            registry=registry,
        )
        self.batch_size = Histogram(
            "consumer_batch_events",
            "Valid events handed to a handler in one batch",
            ["topic", "group"],
            buckets=(1, 10, 50, 100, 250, 500, 1000),
            registry=registry,
        )
        self.unavailable = Counter(
            "consumer_batches_redelivered_total",
            "Batches handed back to Kafka because the database was unavailable",
            ["topic", "group"],
            registry=registry,
        )


@dataclass(frozen=True)
class DeadLetter:
    reason: str  # "invalid" | "permanent" | "retries_exhausted"
    error: BaseException
    attempts: int


Letter = tuple[ConsumerRecord[Any, Any], DeadLetter]


def error_summary(error: BaseException) -> str:
    """What a log line may say of an error: its type, and for a contract violation the fields and what
    was wrong with them, never the values (an event carries NIPs and names; the letter's own headers,
    readable by the administrator alone, keep the full message)."""
    if isinstance(error, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']) or '-'}: {e['type']}"
            for e in error.errors(include_input=False, include_url=False)[:10]
        )
        return f"ValidationError: {problems}"[:300]
    return f"{type(error).__name__}: {str(error)[:300]}"


def dead_letter_headers(record: ConsumerRecord[Any, Any], group_id: str, letter: DeadLetter) -> dict[str, str]:
    """The original headers (decoded leniently) plus the ``x-`` headers that say why and where from."""
    headers = {name: (value or b"").decode("utf-8", "replace") for name, value in record.headers or ()}
    headers.pop("content-type", None)
    headers.update(
        {
            "x-original-topic": record.topic,
            "x-original-partition": str(record.partition),
            "x-original-offset": str(record.offset),
            "x-consumer-group": group_id,
            "x-dead-letter-reason": letter.reason,
            "x-exception-type": type(letter.error).__name__,
            "x-exception-message": str(letter.error)[:MAX_ERROR_CHARS],
            "x-attempts": str(letter.attempts),
            "x-failed-at": datetime.now(UTC).isoformat(),
        }
    )
    return headers


async def _lenient_parser(
    records: tuple[ConsumerRecord[Any, Any], ...], original: Callable[..., Awaitable[Any]]
) -> Any:
    """FastStream decodes headers as strict UTF-8 and fails on anything else (issue #2458), before any
    handler could dead-letter the message; replace such bytes instead."""
    for record in records:
        headers = list(record.headers or ())
        if any(value is None or not _is_utf8(value) for _, value in headers):
            record.headers = [(name, (value or b"").decode("utf-8", "replace").encode()) for name, value in headers]
    return await original(records)


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode()
    except UnicodeDecodeError:
        return False
    return True


async def _raw_decoder(msg: StreamMessage[Any]) -> list[bytes]:
    """Hand the values over as bytes: validation happens in ``subscribe``, where a failure can be dead-lettered."""
    return [record.value or b"" for record in msg.raw_message]


def subscribe(
    broker: KafkaBroker,
    subscription: Subscription[E],
    *,
    group_id: str,
    metrics: ConsumerMetrics,
    retry: RetryPolicy = RetryPolicy(),
    batch: BatchPolicy = BatchPolicy(),
    tracing: Tracing | None = None,
) -> None:
    topic = subscription.topic
    spans = tracing or Tracing(NoOpTracer())
    dlq = f"{topic}.dlq"

    async def send_to_dlq(record: ConsumerRecord[Any, Any], letter: DeadLetter) -> None:
        # If this publish fails the exception propagates: the batch is nacked and delivered again.
        await broker.publish(
            record.value or b"",
            topic=dlq,
            key=record.key,
            headers=dead_letter_headers(record, group_id, letter),
        )
        metrics.dead_lettered.labels(topic, group_id, letter.reason).inc()
        logger.error(
            "message dead-lettered",
            extra={
                "topic": topic,
                "partition": record.partition,
                "offset": record.offset,
                "group": group_id,
                "reason": letter.reason,
                "error": error_summary(letter.error),
                "attempts": letter.attempts,
            },
        )

    async def unavailable(exc: Exception) -> None:
        """Nothing can be applied while the database is unreachable or failing over: hand the batch
        back (every partition rewinds to its first record), after a pause."""
        metrics.unavailable.labels(topic, group_id).inc()
        delay = retry.max_backoff_s
        logger.warning("database unavailable; the batch is read again in %.1fs: %s", delay, exc, extra={"topic": topic})
        await asyncio.sleep(delay)
        raise exc

    async def apply_batch(events: list[E]) -> bool:
        """The whole batch, with retries; False when it still fails (or a handler says it never can)."""
        for attempt in range(1, retry.attempts + 1):
            try:
                await subscription.handle(events)
                return True
            except PermanentError:
                return False
            except Exception as exc:
                if attempt == retry.attempts:
                    if is_transient(exc):
                        await unavailable(exc)
                    return False
                metrics.retries.labels(topic, group_id).inc()
                delay = retry.backoff(attempt)
                logger.warning(
                    "handler failed on a batch of %d; retrying in %.1fs (attempt %d of %d): %s",
                    len(events),
                    delay,
                    attempt,
                    retry.attempts,
                    error_summary(exc),
                    extra={"topic": topic},
                )
                await asyncio.sleep(delay)
        return False

    async def apply_one_by_one(valid: list[tuple[ConsumerRecord[Any, Any], E]], letters: list[Letter]) -> None:
        """Find the events that fail on their own (they join ``letters``) and apply the rest."""
        for record, event in valid:
            token = event_id_var.set(str(event.event_id))
            try:
                await subscription.handle([event])
            except PermanentError as exc:
                letters.append((record, DeadLetter("permanent", exc, 2)))
            except Exception as exc:
                if is_transient(exc):
                    await unavailable(exc)
                letters.append((record, DeadLetter("retries_exhausted", exc, retry.attempts + 1)))
            finally:
                event_id_var.reset(token)

    async def consume(values: list[bytes], msg: KafkaMessage) -> None:
        records: tuple[ConsumerRecord[Any, Any], ...] = msg.raw_message
        parents = [header_traceparent(record.headers) for record in records]
        with spans.span(
            f"consume {topic}",
            SpanKind.CONSUMER,
            parent=context_of(parents[0] if parents else None),
            links=links_to(parents[1:]),
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": topic,
                "messaging.consumer.group.name": group_id,
                "messaging.batch.message_count": len(records),
            },
        ):
            await consume_batch(records, values)

    async def consume_batch(records: tuple[ConsumerRecord[Any, Any], ...], values: list[bytes]) -> None:
        valid: list[tuple[ConsumerRecord[Any, Any], E]] = []
        letters: list[Letter] = []
        for record, value in zip(records, values, strict=True):
            try:
                event = subscription.event_type.model_validate_json(value)
                bounds.check(event)
            except (ValidationError, bounds.OutOfBounds) as exc:
                letters.append((record, DeadLetter("invalid", exc, 0)))
            else:
                valid.append((record, event))
        if valid:
            metrics.batch_size.labels(topic, group_id).observe(len(valid))
            if not await apply_batch([event for _, event in valid]):
                await apply_one_by_one(valid, letters)
        # Dead letters go out only once the rest of the batch is applied: a batch handed back (an
        # unavailable database) sends none, so a redelivered batch does not dead-letter twice.
        for record, letter in letters:
            await send_to_dlq(record, letter)

    consume.__name__ = f"on_{subscription.name.replace('-', '_')}"
    broker.subscriber(
        topic,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        batch=True,
        max_records=batch.max_records,
        batch_timeout_ms=batch.timeout_ms,
        parser=_lenient_parser,
        decoder=_raw_decoder,
        title=f"{group_id}:{topic}",
        description=subscription.event_type.__doc__,
    )(consume)


def subscribe_all(
    broker: KafkaBroker,
    subscriptions: Sequence[Subscription[Any]],
    *,
    group_prefix: str,
    registry: CollectorRegistry,
    retry: RetryPolicy = RetryPolicy(),
    batch: BatchPolicy = BatchPolicy(),
    tracing: Tracing | None = None,
) -> None:
    """Register every subscription; each gets its own consumer group ``<group_prefix>.<name>``."""
    metrics = ConsumerMetrics(registry)
    for subscription in subscriptions:
        group_id = group_id_for(group_prefix, subscription.topic)
        subscribe(broker, subscription, group_id=group_id, metrics=metrics, retry=retry, batch=batch, tracing=tracing)
