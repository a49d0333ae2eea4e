"""The appraisal service's own collections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
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
        """Insert; False when a document with the same ``_id`` exists (an idempotent replay)."""
        try:
            await self.collection.insert_one(document)
        except DuplicateKeyError as exc:
            if _duplicate_on_id(exc):
                return False
            raise AppraisalExistsError from exc
        return True

    async def get(self, appraisal_id: str) -> MongoDocument | None:
        return await self.collection.find_one({"_id": appraisal_id}, {"outbox": 0})


def _duplicate_on_id(exc: DuplicateKeyError) -> bool:
    details: Mapping[str, Any] = exc.details or {}
    key_pattern = details.get("keyPattern") or {}
    if key_pattern:
        return set(key_pattern) == {"_id"}
    return "_id_" in str(details.get("errmsg", exc))
