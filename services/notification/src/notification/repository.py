"""The notification service's own collections."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, InsertOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from notification.domain import InboxItem
from shared.mongo import MongoDocument, write_skipping_duplicates


class InboxRepository:
    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["inbox"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("nip", ASCENDING), ("created_at", DESCENDING), ("_id", ASCENDING)], name="nip_created_id"
        )

    async def add_many(self, items: list[InboxItem]) -> int:
        """Store inbox items keyed by the event that caused each, in one bulk write; an item already
        stored (a redelivered event) is skipped. Returns how many were new."""
        operations = [InsertOne(_document(item)) for item in items]
        return len(operations) - len(await write_skipping_duplicates(self.collection, operations))

    async def list_for(self, nip: str, *, limit: int, offset: int) -> tuple[list[MongoDocument], int]:
        query = {"nip": nip}
        total = await self.collection.count_documents(query)
        cursor = self.collection.find(query).sort([("created_at", DESCENDING), ("_id", ASCENDING)])
        items = await cursor.skip(offset).limit(limit).to_list(None)
        return items, total


def _document(item: InboxItem) -> MongoDocument:
    return {
        "_id": item.item_id,
        "nip": item.nip,
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "ref": item.ref,
        "created_at": item.created_at,
        "read": False,
    }
