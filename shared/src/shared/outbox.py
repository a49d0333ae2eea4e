"""Transactional outbox relay.

A use case writes its state change and the events it causes in ONE document write: the events sit
in the document's ``outbox`` array (``shared.events.outbox.with_events`` / ``push_events``). The
relay publishes them (idempotent producer, ``acks=all``) and then removes each from the array.

- The use case names the document it wrote (``wake(collection, id)``): the relay publishes from it
  at once, reading it by ``_id``. A scan of every watched collection runs at start-up, after a
  failure and every poll interval; it is the safety net that finds what a crash left behind.
- A crash between the write and the publish loses nothing: the next scan finds the events still
  there.
- A crash between publish and removal publishes the event again; consumers deduplicate on ``event_id``.
- While Kafka is unreachable the relay backs off (doubling up to a minute) and the events wait.

Metrics: ``outbox_pending_documents``, ``outbox_oldest_pending_age_seconds``,
``outbox_published_total`` and ``outbox_publish_failures_total``, per collection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry, Counter, Gauge
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from shared.mongo import DocumentLocks, MongoDocument

logger = logging.getLogger(__name__)

PENDING = {"outbox.0": {"$exists": True}}
MAX_BATCHES_PER_SCAN = 50


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
        locks: DocumentLocks | None = None,
        poll_interval_s: float = 2.0,
        publish_timeout_s: float = 15.0,
        batch_size: int = 100,
        max_backoff_s: float = 60.0,
    ) -> None:
        self._broker = broker
        self._collections = list(collections)
        self._metrics = OutboxMetrics(registry or CollectorRegistry())
        self._locks = locks or DocumentLocks()
        self._poll_interval_s = poll_interval_s
        self._publish_timeout_s = publish_timeout_s
        self._batch_size = batch_size
        self._max_backoff_s = max_backoff_s
        self._wake = asyncio.Event()
        self._hints: set[tuple[str, Any]] = set()
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
        published = 0
        for name, document_id in hints:
            collection = by_name[name]
            document = await collection.find_one({"_id": document_id}, {"outbox": 1})
            if document and document.get("outbox"):
                published += await self._publish_isolated(collection, document)
        return published

    async def _publish_isolated(self, collection: AsyncCollection[MongoDocument], document: MongoDocument) -> int:
        """Publish one document's events; a failure is counted and logged, and the pass goes on, so
        one bad document never holds up the others (it is tried again at the next scan)."""
        try:
            count = await self._publish_document(collection, document)
        except asyncio.CancelledError:
            raise
        except Exception:
            self._metrics.failures.inc()
            logger.exception("could not publish the outbox of %s %s", collection.name, document["_id"])
            return 0
        self._metrics.published.labels(collection.name).inc(count)
        return count

    async def publish_pending(self) -> int:
        """A scan of every collection for unpublished events; returns the number published."""
        published = 0
        found_any = False
        for collection in self._collections:
            for _ in range(MAX_BATCHES_PER_SCAN):  # drain a backlog (after an outage) batch by batch
                cursor = collection.find(PENDING, {"outbox": 1}).sort("outbox_since", ASCENDING)
                batch = await cursor.limit(self._batch_size).to_list(None)
                found_any = found_any or bool(batch)
                before = published
                for document in batch:
                    published += await self._publish_isolated(collection, document)
                if len(batch) < self._batch_size or published == before:
                    break
        if found_any:
            await self.observe()
        else:  # the scan itself showed an empty backlog; no need to query again
            for collection in self._collections:
                self._metrics.pending.labels(collection.name).set(0)
                self._metrics.oldest_age.labels(collection.name).set(0)
        return published

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

    async def _publish_document(self, collection: AsyncCollection[MongoDocument], document: MongoDocument) -> int:
        count = 0
        for record in document.get("outbox", []):
            value: dict[str, Any] = record["value"]
            # A publish to an unreachable Kafka can hang forever (aiokafka #1101): bound it.
            # (asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation.)
            try:
                async with asyncio.timeout(self._publish_timeout_s):
                    await self._broker.publish(
                        value,
                        topic=record["topic"],
                        key=record["key"].encode(),
                        headers={"event_type": value["event_type"], "event_id": record["event_id"]},
                        correlation_id=value.get("correlation_id"),
                    )
            except MessageSizeTooLargeError:
                # It can never be published: park it where an operator sees it, and go on.
                logger.error("event %s is too large for Kafka; moved to outbox_failed", record["event_id"])
                async with self._locks.hold(collection.full_name, document["_id"]):
                    await collection.update_one(
                        {"_id": document["_id"]}, {"$pull": {"outbox": record}, "$push": {"outbox_failed": record}}
                    )
                self._metrics.parked.labels(collection.name).inc()
                continue
            # $pull of the exact element as read back: FerretDB 1.24 supports no conditions in $pull.
            async with self._locks.hold(collection.full_name, document["_id"]):
                await collection.update_one({"_id": document["_id"]}, {"$pull": {"outbox": record}})
            count += 1
        async with self._locks.hold(collection.full_name, document["_id"]):
            await collection.update_one({"_id": document["_id"], **_EMPTY}, {"$unset": {"outbox_since": ""}})
        return count

    async def run(self) -> None:
        """Publish until cancelled: named documents at once, a full scan every poll interval.
        Failures are logged and retried with backoff (and a full scan)."""
        loop = asyncio.get_running_loop()
        backoff = self._poll_interval_s
        next_scan = loop.time()
        while True:
            self._wake.clear()  # a wake during the pass below makes the wait return at once
            try:
                if self._hints:
                    await self.publish_hinted()
                if loop.time() >= next_scan:
                    await self.publish_pending()
                    next_scan = loop.time() + self._poll_interval_s
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


_EMPTY = {"outbox.0": {"$exists": False}}
