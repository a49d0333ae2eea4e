"""The notification service's own collections."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.mongo import MongoDocument


class InboxRepository:
    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["inbox"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("nip", ASCENDING), ("created_at", DESCENDING)], name="nip_created")

    async def add(
        self, *, item_id: str, nip: str, kind: str, title: str, body: str, created_at: datetime, ref: str
    ) -> bool:
        """Store one inbox item keyed by the event that caused it; False if it was already stored."""
        try:
            await self.collection.insert_one(
                {
                    "_id": item_id,
                    "nip": nip,
                    "kind": kind,
                    "title": title,
                    "body": body,
                    "ref": ref,
                    "created_at": created_at,
                    "read": False,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def list_for(self, nip: str, *, limit: int, offset: int) -> tuple[list[MongoDocument], int]:
        query = {"nip": nip}
        total = await self.collection.count_documents(query)
        cursor = self.collection.find(query).sort([("created_at", DESCENDING), ("_id", ASCENDING)])
        items = await cursor.skip(offset).limit(limit).to_list(None)
        return items, total
