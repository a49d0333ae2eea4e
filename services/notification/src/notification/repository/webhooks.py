"""Webhook subscriptions (collection ``webhooks``): target URL, the kinds it receives, its secrets (the
current one and, during a rotation's grace period, the previous one), whether it is enabled, and how many
attempts in a row have failed. Secrets are shown once, when made, and never read back out."""

from __future__ import annotations

import datetime as dt

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import MongoDocument

MAX_SUBSCRIPTIONS = 1000


class Webhooks:
    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["webhooks"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("enabled", ASCENDING), ("_id", ASCENDING)], name="enabled_id")

    async def add(self, document: MongoDocument) -> None:
        await self.collection.insert_one(document)

    async def get(self, subscription_id: str) -> MongoDocument | None:
        return await self.collection.find_one({"_id": subscription_id})

    async def all(self, *, limit: int, offset: int) -> tuple[list[MongoDocument], int]:
        total = await self.collection.count_documents({})
        cursor = self.collection.find({}).sort([("_id", ASCENDING)]).skip(offset).limit(limit)
        return await cursor.to_list(None), total

    async def count_disabled(self) -> int:
        """Subscriptions switched off after repeated failures (not those their owner switched off):
        index ``enabled_id``, then a scan of the few disabled ones."""
        return await self.collection.count_documents({"enabled": False, "disabled_reason": "repeated_failures"})

    async def enabled(self) -> list[MongoDocument]:
        cursor = self.collection.find({"enabled": True}).sort([("_id", ASCENDING)]).limit(MAX_SUBSCRIPTIONS)
        return await cursor.to_list(None)

    async def change(self, subscription_id: str, version: int, fields: MongoDocument) -> MongoDocument | None:
        """Compare-and-set on ``version``: None when it changed meanwhile (or is gone)."""
        return await self.collection.find_one_and_update(
            {"_id": subscription_id, "version": version},
            {"$set": fields, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )

    async def delete(self, subscription_id: str) -> bool:
        return (await self.collection.delete_one({"_id": subscription_id})).deleted_count == 1

    async def attempt_succeeded(self, subscription_id: str, now: dt.datetime) -> None:
        await self.collection.update_one(
            {"_id": subscription_id}, {"$set": {"consecutive_failures": 0, "last_success_at": now}}
        )

    async def attempt_failed(self, subscription_id: str, now: dt.datetime, disable_after: int) -> bool:
        """Count a failed attempt; disable the subscription at ``disable_after`` in a row. True when disabled now."""
        updated = await self.collection.find_one_and_update(
            {"_id": subscription_id},
            {"$inc": {"consecutive_failures": 1}, "$set": {"last_failure_at": now}},
            return_document=ReturnDocument.AFTER,
        )
        if updated is None or not updated.get("enabled") or updated["consecutive_failures"] < disable_after:
            return False
        result = await self.collection.update_one(
            {"_id": subscription_id, "enabled": True},
            {
                "$set": {"enabled": False, "disabled_at": now, "disabled_reason": "repeated_failures"},
                "$inc": {"version": 1},
            },
        )
        return result.modified_count == 1
