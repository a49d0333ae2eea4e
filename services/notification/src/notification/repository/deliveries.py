"""Deliveries on the channels that leave the service (email, webhooks): collection ``deliveries``, one
document per (message, channel) or (message, webhook subscription), ``_id`` made of both, so a message is
never queued twice for one channel. The worker claims due deliveries with a lease; a lease that expires
(the worker died mid-send) makes the delivery due again. The delivery's outcome and its
``notification.delivered.v1`` / ``notification.failed.v1`` event are one write (the outbox relay
publishes the event)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pymongo import ASCENDING, DESCENDING, InsertOne, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.events import Event
from shared.events.outbox import push_events
from shared.mongo import MongoDocument, write_skipping_duplicates

PENDING, SENDING, DELIVERED, FAILED = "pending", "sending", "delivered", "failed"
MAX_ERROR_CHARS = 500


class Deliveries:
    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["deliveries"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("status", ASCENDING), ("next_at", ASCENDING)], name="status_next")
        await self.collection.create_index([("status", ASCENDING), ("lease_until", ASCENDING)], name="status_lease")
        await self.collection.create_index(
            [("subscription_id", ASCENDING), ("created_at", DESCENDING), ("_id", ASCENDING)],
            name="subscription_created",
        )

    async def add_many(self, documents: Sequence[MongoDocument]) -> int:
        skipped = await write_skipping_duplicates(self.collection, [InsertOne(d) for d in documents])
        return len(documents) - len(skipped)

    async def due(self, now: dt.datetime, limit: int) -> list[MongoDocument]:
        """Pending deliveries whose time has come, and claimed ones whose lease expired."""
        waiting = await (
            self.collection.find({"status": PENDING, "next_at": {"$lte": now}}, {"_id": 1, "status": 1})
            .sort([("next_at", ASCENDING)])
            .limit(limit)
            .to_list(None)
        )
        stuck = await (
            self.collection.find({"status": SENDING, "lease_until": {"$lte": now}}, {"_id": 1, "status": 1})
            .limit(limit)
            .to_list(None)
        )
        return [*waiting, *stuck]

    async def claim(
        self, candidate: MongoDocument, now: dt.datetime, lease_s: float, worker: str
    ) -> MongoDocument | None:
        """Take one delivery for ``lease_s`` (a compare-and-set: one worker wins); the attempt is counted."""
        condition: MongoDocument = {"_id": candidate["_id"], "status": candidate["status"]}
        condition |= {"next_at": {"$lte": now}} if candidate["status"] == PENDING else {"lease_until": {"$lte": now}}
        return await self.collection.find_one_and_update(
            condition,
            {
                "$set": {"status": SENDING, "lease_until": now + dt.timedelta(seconds=lease_s), "worker": worker},
                "$inc": {"attempts": 1},
            },
            return_document=ReturnDocument.AFTER,
        )

    async def succeeded(self, delivery: MongoDocument, now: dt.datetime, event: Event | None) -> bool:
        update: MongoDocument = {"$set": {"status": DELIVERED, "delivered_at": now, "last_error": None}}
        result = await self.collection.update_one(
            {"_id": delivery["_id"], "status": SENDING, "worker": delivery["worker"]},
            _merged(update, push_events(event, now=now)) if event else update,
        )
        return result.modified_count == 1

    async def retry_later(self, delivery: MongoDocument, now: dt.datetime, next_at: dt.datetime, error: str) -> None:
        await self.collection.update_one(
            {"_id": delivery["_id"], "status": SENDING, "worker": delivery["worker"]},
            {
                "$set": {
                    "status": PENDING,
                    "next_at": next_at,
                    "last_error": error[:MAX_ERROR_CHARS],
                    "lease_until": None,
                },
                "$push": {"log": {"at": now, "attempt": delivery["attempts"], "error": error[:MAX_ERROR_CHARS]}},
            },
        )

    async def gave_up(self, delivery: MongoDocument, now: dt.datetime, error: str, event: Event | None) -> None:
        await self.collection.update_one(
            {"_id": delivery["_id"], "status": SENDING, "worker": delivery["worker"]},
            _merged(
                {
                    "$set": {
                        "status": FAILED,
                        "failed_at": now,
                        "last_error": error[:MAX_ERROR_CHARS],
                        "lease_until": None,
                    },
                    "$push": {"log": {"at": now, "attempt": delivery["attempts"], "error": error[:MAX_ERROR_CHARS]}},
                },
                push_events(event, now=now) if event else {},
            ),
        )

    async def for_subscription(
        self, subscription_id: str, *, limit: int, offset: int
    ) -> tuple[list[MongoDocument], int]:
        query = {"subscription_id": subscription_id}
        total = await self.collection.count_documents(query)
        cursor = self.collection.find(query, {"outbox": 0, "outbox_since": 0, "body": 0}).sort(
            [("created_at", DESCENDING), ("_id", ASCENDING)]
        )
        return await cursor.skip(offset).limit(limit).to_list(None), total


def _merged(update: MongoDocument, more: MongoDocument) -> MongoDocument:
    """Two update documents as one (their operators' fields joined)."""
    merged = {operator: dict(fields) for operator, fields in update.items()}
    for operator, fields in more.items():
        merged.setdefault(operator, {}).update(fields)
    return merged
