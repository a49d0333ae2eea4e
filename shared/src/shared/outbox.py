"""Transactional outbox relay.

A use case writes its state change and the events it causes in ONE document update: the events sit
in the document's ``outbox`` array. The relay publishes them (idempotent producer, ``acks=all``) and
then removes each from the array. A crash between the write and the publish loses nothing: the
next relay pass (at start-up, on ``wake()``, or every poll interval) finds the events still there.
A crash between publish and removal publishes the event again; consumers deduplicate on ``event_id``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from faststream.kafka import KafkaBroker
from pymongo.asynchronous.collection import AsyncCollection

from shared.mongo import MongoDocument

logger = logging.getLogger(__name__)

PENDING = {"outbox.0": {"$exists": True}}


class OutboxRelay:
    def __init__(
        self,
        broker: KafkaBroker,
        collections: Sequence[AsyncCollection[MongoDocument]],
        *,
        poll_interval_s: float = 2.0,
        publish_timeout_s: float = 15.0,
        batch_size: int = 100,
    ) -> None:
        self._broker = broker
        self._collections = list(collections)
        self._poll_interval_s = poll_interval_s
        self._publish_timeout_s = publish_timeout_s
        self._batch_size = batch_size
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Ask for a pass now (called after a write that added events)."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """One pass over every collection; returns the number of events published."""
        published = 0
        for collection in self._collections:
            cursor = collection.find(PENDING, {"outbox": 1}).limit(self._batch_size)
            async for document in cursor:
                published += await self._publish_document(collection, document)
        return published

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
            await collection.update_one({"_id": document["_id"]}, {"$pull": {"outbox": record}})
            count += 1
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
                logger.exception("outbox relay pass failed; retrying in %.1fs", backoff)
                backoff = min(backoff * 2, 60.0)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(backoff):
                    await self._wake.wait()
