"""The appraisal service's own collections."""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.events.outbox import OUTBOX_FIELDS
from shared.mongo import MongoDocument


class AppraisalExistsError(Exception):
    """Another appraisal exists for the same employee and period."""


class AppraisalRepository:
    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["appraisals"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("nip", ASCENDING), ("period", ASCENDING)], unique=True, name="nip_period_unique"
        )

    async def insert(self, document: MongoDocument) -> bool:
        """Insert; False when a document with the same ``_id`` exists (an idempotent replay).

        Raises AppraisalExistsError when another appraisal holds the same (nip, period). The two
        cases are told apart by looking the ``_id`` up, as FerretDB's duplicate-key errors do not
        name the index."""
        try:
            await self.collection.insert_one(document)
        except DuplicateKeyError as exc:
            if await self.collection.count_documents({"_id": document["_id"]}, limit=1):
                return False
            raise AppraisalExistsError from exc
        return True

    async def get(self, appraisal_id: str) -> MongoDocument | None:
        return await self.collection.find_one({"_id": appraisal_id}, dict.fromkeys(OUTBOX_FIELDS, 0))
