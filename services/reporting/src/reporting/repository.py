"""The reporting service's own read model."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.mongo import MongoDocument


class AppraisalFacts:
    """One document per appraisal (latest revision wins), counted by period, OPD and predikat."""

    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["appraisal_facts"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("period", ASCENDING), ("opd_code", ASCENDING)], name="period_opd")

    async def upsert(
        self,
        *,
        appraisal_id: str,
        revision: int,
        nip: str,
        opd_code: str,
        period: str,
        predikat: str,
        occurred_at: datetime,
    ) -> bool:
        """Apply a revision unless a newer or equal one is stored; True when it changed the model.

        Idempotent and order-tolerant: a redelivered or older revision leaves the fact as it is."""
        try:
            result = await self.collection.update_one(
                {"_id": appraisal_id, "revision": {"$lt": revision}},
                {
                    "$set": {
                        "revision": revision,
                        "nip": nip,
                        "opd_code": opd_code,
                        "period": period,
                        "predikat": predikat,
                        "occurred_at": occurred_at,
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the stored revision is newer or equal
        return result.modified_count > 0 or result.upserted_id is not None

    async def count_by_predikat(self, *, period: str | None, opd_code: str | None) -> dict[str, int]:
        match: MongoDocument = {}
        if period:
            match["period"] = period
        if opd_code:
            match["opd_code"] = opd_code
        pipeline: list[MongoDocument] = [
            {"$match": match},
            {"$group": {"_id": "$predikat", "count": {"$sum": 1}}},
        ]
        cursor = await self.collection.aggregate(pipeline)
        return {row["_id"]: row["count"] async for row in cursor}
