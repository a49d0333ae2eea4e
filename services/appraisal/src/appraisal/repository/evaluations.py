from __future__ import annotations

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from appraisal.domain.followup import OPEN_PLAN_STATUSES
from shared.events import Predikat
from shared.mongo import MongoDocument
from shared.versioned import VersionedRepository


def evaluation_id(nip: str, period: str) -> str:
    return f"{nip}-{period}"


class EvaluationRepository(VersionedRepository):
    """One document per employee and period (``_id`` = ``<nip>-<period>``); a finalised one is an appraisal."""

    collection_name = "evaluations"

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("nip", ASCENDING), ("year", ASCENDING)], name="nip_year")
        await self.collection.create_index(
            [("opd_code", ASCENDING), ("year", ASCENDING), ("annual", ASCENDING)], name="opd_year_annual"
        )
        await self.collection.create_index(
            [("year", DESCENDING), ("period", ASCENDING), ("nip", ASCENDING), ("_id", ASCENDING)],
            name="year_period_nip_id",
        )
        await self.collection.create_index(
            [("development_plan.status", ASCENDING), ("development_plan.escalated", ASCENDING)],
            name="development_plan",
        )
        await self.collection.create_index(
            [("pejabat_penilai_nip", ASCENDING), ("year", ASCENDING)], name="pejabat_penilai_year"
        )

    async def finalised_periodic(self, nip: str, year: int) -> list[MongoDocument]:
        cursor = self.collection.find(
            {"nip": nip, "year": year, "annual": False, "status": "finalised"}, {"outbox": 0}
        ).sort("period", ASCENDING)
        return await cursor.to_list(None)

    async def periodic(self, nip: str, year: int) -> list[MongoDocument]:
        """Every periodic evaluation of ``nip`` in ``year``, open or finalised, by period (index ``nip_year``)."""
        cursor = self.collection.find({"nip": nip, "year": year, "annual": False}, {"outbox": 0}).sort(
            "period", ASCENDING
        )
        return await cursor.to_list(None)

    async def joined_to(self, nip: str, year: int, holder: str) -> list[MongoDocument]:
        """The low periodic results of ``nip`` in ``year`` followed up in the plan ``holder`` holds (they
        joined it: ``joined_plan_id``), by period (index ``nip_year``)."""
        query = {"nip": nip, "year": year, "annual": False, "joined_plan_id": holder}
        return await self.collection.find(query, {"outbox": 0}).sort("period", ASCENDING).to_list(None)

    async def open_plan(self, nip: str, year: int, *, other_than: str) -> str | None:
        """The evaluation of ``nip`` in ``year`` (other than ``other_than``) whose development plan is
        still open, if any (index ``nip_year``)."""
        query = {"nip": nip, "year": year, "development_plan.status": {"$in": ["awaiting_input", "active"]}}
        async for document in self.collection.find(query, {"_id": 1}).sort("_id", 1):
            if document["_id"] != other_than:
                return str(document["_id"])
        return None

    async def open_plans(self) -> list[MongoDocument]:
        """Every evaluation whose development plan is open, with only its OPD and plan (index
        ``development_plan``; open plans are bounded by the low results of a year or two)."""
        query = {"development_plan.status": {"$in": list(OPEN_PLAN_STATUSES)}}
        projection = {"opd_code": 1, "development_plan.status": 1, "development_plan.due_on": 1}
        return await self.collection.find(query, projection).to_list(None)

    async def annual_predikat_history(self, nip: str) -> dict[int, Predikat]:
        cursor = self.collection.find({"nip": nip, "annual": True, "status": "finalised"}, {"year": 1, "predikat": 1})
        return {int(d["year"]): Predikat(d["predikat"]) async for d in cursor}

    async def annual_counts(self, opd_code: str, year: int) -> dict[Predikat, int]:
        """Finalised annual predikat of an OPD's employees (latest revision: one document each)."""
        pipeline: list[MongoDocument] = [
            {"$match": {"opd_code": opd_code, "year": year, "annual": True, "status": "finalised"}},
            {"$group": {"_id": "$predikat", "count": {"$sum": 1}}},
        ]
        cursor = await self.collection.aggregate(pipeline)
        return {Predikat(row["_id"]): int(row["count"]) async for row in cursor}


def plan_slot_id(nip: str, year: int) -> str:
    return f"{nip}-{year}"


class PlanSlotRepository:
    """One document per employee and year (``_id`` = ``<nip>-<year>``) naming the periodic evaluation
    that holds the year's development plan (``holder``): claimed by insert (the unique ``_id``) and
    passed on by compare-and-set on ``holder``, so two low results finalised at once cannot both open
    a plan (the server has no multi-document transactions)."""

    collection_name = "plan_slots"

    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db[self.collection_name]

    async def claim(self, key: str, holder: str) -> str:
        """Make ``holder`` the holder when nobody is; returns the holder after (``holder`` or the other)."""
        try:
            await self.collection.insert_one({"_id": key, "holder": holder})
        except DuplicateKeyError:
            current = await self.collection.find_one({"_id": key})
            if current is None:  # released meanwhile: claim again next time round
                return ""
            return str(current["holder"])
        return holder

    async def holder(self, key: str) -> str | None:
        current = await self.collection.find_one({"_id": key})
        return str(current["holder"]) if current else None

    async def pass_on(self, key: str, current: str, to: str) -> bool:
        """Compare-and-set: the holder becomes ``to`` if it is still ``current``."""
        result = await self.collection.update_one({"_id": key, "holder": current}, {"$set": {"holder": to}})
        return result.matched_count == 1


class OrgYearRepository(VersionedRepository):
    """Per OPD and year (``_id`` = ``<opd>-<year>``): the organisation predikat and whether the year is closed."""

    collection_name = "org_years"


def org_year_id(opd_code: str, year: int) -> str:
    return f"{opd_code}-{year}"
