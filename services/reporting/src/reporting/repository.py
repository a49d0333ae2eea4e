"""The reporting service's own read model."""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from reporting.domain import AppraisalFact
from shared.mongo import MongoDocument, store_newest


class AppraisalFacts:
    """One document per appraisal (latest revision wins), counted by period, OPD and predikat."""

    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["appraisal_facts"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("period", ASCENDING), ("opd_code", ASCENDING)], name="period_opd")
        await self.collection.create_index([("opd_code", ASCENDING), ("period", ASCENDING)], name="opd_period")

    async def upsert_many(self, facts: list[AppraisalFact]) -> int:
        """Store each fact unless a newer or equal revision of its appraisal is stored; returns how many
        changed the model. Idempotent and order-tolerant (``shared.mongo.store_newest``): a redelivered
        or older revision leaves the stored fact as it is."""
        return await store_newest(self.collection, [_document(fact) for fact in facts], "revision")

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


def _document(fact: AppraisalFact) -> MongoDocument:
    return {
        "_id": fact.appraisal_id,
        "revision": fact.revision,
        "nip": fact.nip,
        "opd_code": fact.opd_code,
        "period": fact.period,
        "predikat": fact.predikat.value,
        "occurred_at": fact.occurred_at,
    }
