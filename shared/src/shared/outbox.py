"""Transactional outbox relay.

A use case writes its state change and the events it causes in ONE document write: the events sit
in the document's ``outbox`` array and ``outbox_since`` holds the time of the oldest of them
(``shared.events.outbox.with_events`` / ``push_events``). The relay publishes them (idempotent
producer, ``acks=all``) and then removes them from the array.

- The use case names the document it wrote (``wake(collection, id)``): the relay publishes from it
  at once. A scan of every watched collection (``outbox_since`` is indexed, so the scan reads only
  documents with events) runs at start-up, after a failure and every poll interval; it is the safety
  net that finds what a crash left behind.
- Work is done in batches: up to ``batch_size`` documents are read in one query, all their events
  are handed to the producer at once (it batches them per partition, in order), and the published
  events are removed in one bulk write.
- A crash between the write and the publish loses nothing: the next scan finds the events still
  there. A crash between publish and removal publishes the event again; consumers deduplicate on
  ``event_id``. Several replicas may run the relay at once: each removes only what it published,
  and duplicates are, again, deduplicated by consumers.
- While Kafka is unreachable the relay backs off (doubling up to a minute) and the events wait.

Metrics: ``outbox_pending_documents``, ``outbox_oldest_pending_age_seconds``,
``outbox_published_total``, ``outbox_publish_failures_total`` and ``outbox_parked_total``; and the
business counters of the events published (``shared.business``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError
from faststream.kafka import KafkaBroker
from opentelemetry.trace import NoOpTracer, SpanKind
from prometheus_client import CollectorRegistry, Counter, Gauge
from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from shared.business import BusinessMetrics
from shared.events import Topic
from shared.mongo import MongoDocument, find_in
from shared.tracing import TRACEPARENT, Tracing, context_of, current_traceparent

logger = logging.getLogger(__name__)

OUTBOX_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
PENDING = {"outbox_since": {"$gte": OUTBOX_EPOCH}}
"""Documents with unpublished events: a range on the indexed ``outbox_since`` (absent when none)."""
MAX_BATCHES_PER_SCAN = 50
SCAN_GIVES_WAY = 5
"""Poll intervals a due scan may wait while named documents are being published."""
OUTBOX = {"outbox": 1}
UNMARK = {"outbox_since": ""}


class OutboxMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.pending = Gauge(
            "outbox_pending_documents", "Documents with unpublished events", ["collection"], registry=registry
        )
        self.oldest_age = Gauge(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest unpublished event (0 when none)",
            ["collection"],
            registry=registry,
        )
        self.published = Counter(
            "outbox_published_total", "Events published by the relay", ["collection"], registry=registry
        )
        self.failures = Counter(
            "outbox_publish_failures_total",
            "Documents whose events could not be published in a pass",
            registry=registry,
        )
        self.parked = Counter(
            "outbox_parked_total",
            "Events that can never be published (too large), moved to outbox_failed",
            ["collection"],
            registry=registry,
        )


class OutboxRelay:
    def __init__(
        self,
        broker: KafkaBroker,
        collections: Sequence[AsyncCollection[MongoDocument]],
        *,
        registry: CollectorRegistry | None = None,
        poll_interval_s: float = 2.0,
        publish_timeout_s: float = 15.0,
        batch_size: int = 500,
        max_backoff_s: float = 60.0,
        publishes: Iterable[Topic] = (),
        tracing: Tracing | None = None,
    ) -> None:
        self._tracing = tracing or Tracing(NoOpTracer())
        self._broker = broker
        self._collections = list(collections)
        self._metrics = OutboxMetrics(registry or CollectorRegistry())
        self._business = BusinessMetrics(registry or CollectorRegistry(), publishes)
        self._poll_interval_s = poll_interval_s
        self._publish_timeout_s = publish_timeout_s
        self._batch_size = batch_size
        self._max_backoff_s = max_backoff_s
        self._wake = asyncio.Event()
        self._hints: set[tuple[str, Any]] = set()
        self._kafka_failure: BaseException | None = None
        self.enabled = True

    def watch(self, *collections: AsyncCollection[MongoDocument]) -> None:
        """Add collections whose documents carry outbox events."""
        self._collections.extend(collections)

    async def ensure_indexes(self) -> None:
        for collection in self._collections:
            await collection.create_index([("outbox_since", ASCENDING)], name="outbox_since")

    def wake(self, collection: str, document_id: Any) -> None:
        """Publish the events of this document now (called after a write that added events)."""
        if not self.enabled:
            return
        self._hints.add((collection, document_id))
        self._wake.set()

    async def publish_hinted(self) -> int:
        """Publish the events of the documents named by ``wake``; returns how many were published."""
        hints, self._hints = self._hints, set()
        by_name = {collection.name: collection for collection in self._collections}
        ids: dict[str, list[Any]] = {}
        for name, document_id in hints:
            ids.setdefault(name, []).append(document_id)
        published = 0
        for name, document_ids in ids.items():
            collection = by_name[name]
            for start in range(0, len(document_ids), self._batch_size):
                found = await find_in(collection, "_id", document_ids[start : start + self._batch_size], OUTBOX)
                published += await self._publish_batch(collection, [d for d in found if d.get("outbox")])
        return published

    async def publish_pending(self) -> int:
        """A scan of every collection for unpublished events; returns the number published."""
        published = 0
        found_any = False
        for collection in self._collections:
            for _ in range(MAX_BATCHES_PER_SCAN):  # drain a backlog (after an outage) batch by batch
                cursor = collection.find(PENDING, OUTBOX).sort("outbox_since", ASCENDING)
                batch = await cursor.limit(self._batch_size).to_list(None)
                found_any = found_any or bool(batch)
                count = await self._publish_batch(collection, batch)
                published += count
                if len(batch) < self._batch_size or count == 0:
                    break
        if found_any:
            await self.observe()
        else:  # the scan itself showed an empty backlog; no need to query again
            for collection in self._collections:
                self._metrics.pending.labels(collection.name).set(0)
                self._metrics.oldest_age.labels(collection.name).set(0)
        return published

    async def watch_backlog(self) -> None:
        """In a replica whose relay is off (``OUTBOX_RELAY_ENABLED=false``): refresh the backlog gauges
        every poll interval, so an outbox nobody publishes still shows (and alerts) as it grows."""
        while True:
            try:
                await self.observe()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is away: the next pass tries again
                logger.warning("outbox backlog could not be observed", exc_info=True)
            await asyncio.sleep(self._poll_interval_s)

    async def observe(self) -> None:
        """Refresh the backlog gauges."""
        now = datetime.now(UTC)
        for collection in self._collections:
            pending = await collection.count_documents(PENDING)
            oldest = None
            if pending:
                cursor = collection.find(PENDING, {"outbox_since": 1}).sort("outbox_since", ASCENDING).limit(1)
                oldest = next(iter(await cursor.to_list(1)), {}).get("outbox_since")
            self._metrics.pending.labels(collection.name).set(pending)
            self._metrics.oldest_age.labels(collection.name).set((now - oldest).total_seconds() if oldest else 0)

    async def _publish_batch(self, collection: AsyncCollection[MongoDocument], documents: list[MongoDocument]) -> int:
        """Publish the events of ``documents`` and remove what was published; returns how many were.

        Every event is handed to the producer in document order before any delivery is awaited, so
        the producer sends them in batches and keeps their order per partition. A document whose
        event failed keeps that event and the ones after it for the next pass (counted in
        ``outbox_publish_failures_total``); the other documents are not held up. An event too large
        for Kafka can never be published: it is moved to the document's ``outbox_failed``."""
        if not documents:
            return 0
        outcomes = [_Outcome(document["_id"], document.get("outbox") or []) for document in documents]
        events = [(outcome, record) for outcome in outcomes for record in outcome.outbox]
        sent: list[Attempt] = [None] * len(events)
        failure: BaseException | None = None
        try:
            # A publish to an unreachable Kafka can hang forever (aiokafka #1101): bound it.
            # (asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation.)
            async with asyncio.timeout(self._publish_timeout_s):
                for index, (_, record) in enumerate(events):
                    try:
                        sent[index] = await self._send(record)
                    except Exception as exc:  # this event only (too large, malformed, unknown topic)
                        sent[index] = exc
                futures = [future for future in sent if isinstance(future, asyncio.Future)]
                for future in futures:
                    future.add_done_callback(_retrieve)  # a delivery failing after the timeout is not "never retrieved"
                if futures:
                    await asyncio.wait(futures)
        except Exception as exc:  # Kafka unreachable or failing: what was delivered is still removed
            failure = exc
            self._kafka_failure = exc
        for (outcome, record), attempt in zip(events, sent, strict=True):
            error = _error_of(attempt, failure)
            if isinstance(error, MessageSizeTooLargeError):
                outcome.parked.append(record)
            elif error is not None:
                outcome.error = outcome.error or error
            elif outcome.error is None:  # after a failure, keep the rest for the next pass, in order
                outcome.published.append(record["event_id"])
                self._business.published(record["topic"], record["value"])
        await self._remove(collection, outcomes)
        return sum(len(outcome.published) for outcome in outcomes)

    async def _send(self, record: MongoDocument) -> asyncio.Future[Any]:
        value: dict[str, Any] = record["value"]
        headers = {"event_type": value["event_type"], "event_id": record["event_id"]}
        # A PRODUCER span under the span that wrote the event; consumers continue from it (shared.tracing).
        with self._tracing.span(
            f"publish {record['topic']}",
            SpanKind.PRODUCER,
            parent=context_of(record.get("traceparent")),
            attributes={"messaging.system": "kafka", "messaging.destination.name": str(record["topic"])},
        ):
            traceparent = current_traceparent()
            if traceparent:
                headers[TRACEPARENT] = traceparent
            future: asyncio.Future[Any] = await self._broker.publish(
                value,
                topic=record["topic"],
                key=record["key"].encode(),
                headers=headers,
                correlation_id=value.get("correlation_id"),
                no_confirm=True,
            )
        return future

    async def _remove(self, collection: AsyncCollection[MongoDocument], outcomes: list[_Outcome]) -> None:
        """Take what was published (or parked) out of each document, in bulk writes.

        Usually every event a document had was published: one write per document empties its outbox
        and clears the marker, on condition that the outbox is still exactly as read. Where another
        write added an event meanwhile (the bulk then matches fewer documents), or only some events
        went out, the published ones are pulled by ``event_id`` and the marker goes only where the
        array ends up empty, checked in the same write, so an event added meanwhile keeps it."""
        for outcome in outcomes:
            if outcome.error is not None:
                self._metrics.failures.inc()
                logger.error(
                    "could not publish the outbox of %s %s: %s", collection.name, outcome.document_id, outcome.error
                )
            for record in outcome.parked:
                logger.error("event %s is too large for Kafka; moved to outbox_failed", record["event_id"])
        whole = [o for o in outcomes if _is_whole(o)]
        rest = [o for o in outcomes if (o.published or o.parked) and not _is_whole(o)]
        if whole:
            emptied = [
                UpdateOne({"_id": o.document_id, "outbox": o.outbox}, {"$set": {"outbox": []}, "$unset": UNMARK})
                for o in whole
            ]
            if (await collection.bulk_write(emptied, ordered=False)).matched_count < len(whole):
                rest += whole  # some changed meanwhile: pull by id (a no-op where the outbox is already empty)
        if rest:
            pulls = []
            for outcome in rest:
                removed = outcome.published + [record["event_id"] for record in outcome.parked]
                update: MongoDocument = {"$pull": {"outbox": {"event_id": {"$in": removed}}}}
                if outcome.parked:
                    update["$push"] = {"outbox_failed": {"$each": outcome.parked}}
                pulls.append(UpdateOne({"_id": outcome.document_id}, update))
            await collection.bulk_write(pulls, ordered=False)
            unmark = [
                UpdateOne({"_id": o.document_id, "outbox.0": {"$exists": False}}, {"$unset": UNMARK}) for o in rest
            ]
            await collection.bulk_write(unmark, ordered=False)
        for outcome in outcomes:
            self._metrics.published.labels(collection.name).inc(len(outcome.published))
            self._metrics.parked.labels(collection.name).inc(len(outcome.parked))

    async def run(self) -> None:
        """Publish until cancelled: named documents at once, a full scan every poll interval.
        Failures are logged and retried with backoff (and a full scan)."""
        loop = asyncio.get_running_loop()
        backoff = self._poll_interval_s
        next_scan = loop.time()
        while True:
            self._wake.clear()  # a wake during the pass below makes the wait return at once
            self._kafka_failure = None
            try:
                if self._hints:
                    await self.publish_hinted()
                # The scan reads every pending document (on SecantusDB a range query costs in proportion to
                # what it matches), so while named documents wait it gives way to them, up to a bound.
                overdue = loop.time() >= next_scan + SCAN_GIVES_WAY * self._poll_interval_s
                if loop.time() >= next_scan and (not self._hints or overdue):
                    await self.publish_pending()
                    next_scan = loop.time() + self._poll_interval_s
                if self._kafka_failure is not None:  # the events wait; back off before the next try
                    raise self._kafka_failure
                backoff = self._poll_interval_s
            except asyncio.CancelledError:
                raise
            except Exception:
                self._metrics.failures.inc()
                logger.exception("outbox relay pass failed; retrying in %.1fs", backoff)
                next_scan = loop.time() + backoff
                backoff = min(backoff * 2, self._max_backoff_s)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, min(backoff, next_scan - loop.time()))):
                    await self._wake.wait()


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _is_whole(outcome: _Outcome) -> bool:
    return outcome.error is None and not outcome.parked and len(outcome.published) == len(outcome.outbox)


Attempt = asyncio.Future[Any] | BaseException | None


def _error_of(attempt: Attempt, failure: BaseException | None) -> BaseException | None:
    """Why one event was not delivered, or None when it was."""
    if isinstance(attempt, BaseException):
        return attempt
    if attempt is None or not attempt.done() or attempt.cancelled():
        return failure or RuntimeError("not sent")
    return attempt.exception()


@dataclass
class _Outcome:
    """What became of one document's events in a batch."""

    document_id: Any
    outbox: list[MongoDocument]
    """The document's events as read."""
    published: list[str] = field(default_factory=list)
    parked: list[MongoDocument] = field(default_factory=list)
    error: BaseException | None = None
