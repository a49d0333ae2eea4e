"""At-least-once Kafka consumption with bounded retries and dead letters.

Every subscription of every service goes through ``subscribe``:

- the value is read as raw bytes and validated against the event's contract here, so an
  undecodable or schema-invalid message goes to ``<topic>.dlq`` at once instead of crashing the
  consumer or being skipped silently;
- the handler is retried with exponential backoff on transient errors (a database hiccup), up to
  ``RetryPolicy.attempts``; a ``PermanentError`` skips the retries; then the message goes to the DLQ
  with headers that say why (error, consumer group, original topic/partition/offset, attempts);
- the offset is committed only after the handler finished or the DLQ publish succeeded
  (``AckPolicy.NACK_ON_ERROR``: if even the DLQ publish fails, or the service is stopped in the
  middle, the message is delivered again, never skipped);
- handlers must be idempotent (deduplicate on ``event_id`` in the same write as their effect):
  redelivery after a crash or a rebalance is normal.

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
from prometheus_client import CollectorRegistry, Counter
from pydantic import ValidationError

from shared.events import Event

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
class Subscription(Generic[E]):
    """One topic a service consumes, the contract its values must meet, and the use case to call."""

    topic: str
    event_type: type[E]
    handle: Callable[[E], Awaitable[object]]

    @property
    def name(self) -> str:
        """``appraisal.completed.v1`` -> ``appraisal-completed``: the consumer group suffix."""
        return consumer_name(self.topic)


def consumer_name(topic: str) -> str:
    return re.sub(r"\.v\d+$", "", topic).replace(".", "-").replace("_", "-")


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
            "Handler attempts that failed and were retried",
            ["topic", "group"],
            registry=registry,
        )


@dataclass(frozen=True)
class DeadLetter:
    reason: str  # "invalid" | "permanent" | "retries_exhausted"
    error: BaseException
    attempts: int


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


async def _lenient_parser(record: ConsumerRecord[Any, Any], original: Callable[..., Awaitable[Any]]) -> Any:
    """FastStream decodes headers as strict UTF-8 and fails on anything else (issue #2458), before any
    handler could dead-letter the message; replace such bytes instead."""
    headers = list(record.headers or ())
    if any(value is None or not _is_utf8(value) for _, value in headers):
        record.headers = [(name, (value or b"").decode("utf-8", "replace").encode()) for name, value in headers]
    return await original(record)


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode()
    except UnicodeDecodeError:
        return False
    return True


async def _raw_decoder(msg: StreamMessage[Any]) -> bytes:
    """Hand the value over as bytes: validation happens in ``subscribe``, where a failure can be dead-lettered."""
    return msg.body


def subscribe(
    broker: KafkaBroker,
    subscription: Subscription[E],
    *,
    group_id: str,
    metrics: ConsumerMetrics,
    retry: RetryPolicy = RetryPolicy(),
) -> None:
    topic = subscription.topic
    dlq = f"{topic}.dlq"

    async def send_to_dlq(record: ConsumerRecord[Any, Any], letter: DeadLetter) -> None:
        # If this publish fails the exception propagates: the message is nacked and delivered again.
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
                "error": f"{type(letter.error).__name__}: {str(letter.error)[:300]}",
                "attempts": letter.attempts,
            },
        )

    async def consume(body: bytes, msg: KafkaMessage) -> None:
        record: ConsumerRecord[Any, Any] = msg.raw_message
        try:
            event = subscription.event_type.model_validate_json(body)
        except ValidationError as exc:
            await send_to_dlq(record, DeadLetter("invalid", exc, 0))
            return
        for attempt in range(1, retry.attempts + 1):
            try:
                await subscription.handle(event)
                return
            except PermanentError as exc:
                await send_to_dlq(record, DeadLetter("permanent", exc, attempt))
                return
            except Exception as exc:
                if attempt == retry.attempts:
                    await send_to_dlq(record, DeadLetter("retries_exhausted", exc, attempt))
                    return
                metrics.retries.labels(topic, group_id).inc()
                delay = retry.backoff(attempt)
                logger.warning(
                    "handler failed; retrying in %.1fs (attempt %d of %d): %s",
                    delay,
                    attempt,
                    retry.attempts,
                    exc,
                    extra={"topic": topic, "offset": record.offset, "event_id": str(event.event_id)},
                )
                await asyncio.sleep(delay)

    consume.__name__ = f"on_{subscription.name.replace('-', '_')}"
    broker.subscriber(
        topic,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
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
) -> None:
    """Register every subscription; each gets its own consumer group ``<group_prefix>.<name>``."""
    metrics = ConsumerMetrics(registry)
    for subscription in subscriptions:
        subscribe(
            broker, subscription, group_id=group_id_for(group_prefix, subscription.topic), metrics=metrics, retry=retry
        )
