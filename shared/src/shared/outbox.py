"""Transactional outbox relay.

A use case writes its state change and the events it causes in ONE document write: the events sit
in the document's ``outbox`` array (``shared.events.outbox.with_events`` / ``push_events``). The
relay publishes them (idempotent producer, ``acks=all``) and then removes each from the array.

- A crash between the write and the publish loses nothing: the next relay pass (at start-up, on
  ``wake()``, or every poll interval) finds the events still there.
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

from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry, Counter, Gauge
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from shared.mongo import DocumentLocks, MongoDocument

logger = logging.getLogger(__name__)

PENDING = {"outbox.0": {"$exists": True}}


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
            "outbox_publish_failures_total", "Relay passes that failed (Kafka away)", registry=registry
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

    def watch(self, *collections: AsyncCollection[MongoDocument]) -> None:
        """Add collections whose documents carry outbox events."""
        self._collections.extend(collections)

    async def ensure_indexes(self) -> None:
        for collection in self._collections:
            await collection.create_index([("outbox_since", ASCENDING)], name="outbox_since")

    def wake(self) -> None:
        """Ask for a pass now (called after a write that added events)."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """One pass over every collection; returns the number of events published."""
        published = 0
        for collection in self._collections:
            cursor = collection.find(PENDING, {"outbox": 1}).sort("outbox_since", ASCENDING).limit(self._batch_size)
            async for document in cursor:
                count = await self._publish_document(collection, document)
                self._metrics.published.labels(collection.name).inc(count)
                published += count
        await self.observe()
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
            async with asyncio.timeout(self._publish_timeout_s):
                await self._broker.publish(
                    value,
                    topic=record["topic"],
                    key=record["key"].encode(),
                    headers={"event_type": value["event_type"], "event_id": record["event_id"]},
                    correlation_id=value.get("correlation_id"),
                )
            # $pull of the exact element as read back: FerretDB 1.24 supports no conditions in $pull.
            async with self._locks.hold(collection.full_name, document["_id"]):
                await collection.update_one({"_id": document["_id"]}, {"$pull": {"outbox": record}})
            count += 1
        async with self._locks.hold(collection.full_name, document["_id"]):
            await collection.update_one({"_id": document["_id"], **_EMPTY}, {"$unset": {"outbox_since": ""}})
        return count

    async def run(self) -> None:
        """Publish until cancelled; failures are logged and retried with backoff."""
        backoff = self._poll_interval_s
        while True:
            try:
                await self.publish_pending()
                backoff = self._poll_interval_s
            except asyncio.CancelledError:
                raise
            except Exception:
                self._metrics.failures.inc()
                logger.exception("outbox relay pass failed; retrying in %.1fs", backoff)
                with contextlib.suppress(Exception):
                    await self.observe()
                backoff = min(backoff * 2, self._max_backoff_s)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(backoff):
                    await self._wake.wait()


_EMPTY = {"outbox.0": {"$exists": False}}
