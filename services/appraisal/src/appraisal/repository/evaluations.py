from __future__ import annotations

from pymongo import ASCENDING, DESCENDING

from appraisal.repository.versioned import VersionedRepository
from shared.events import Predikat
from shared.mongo import MongoDocument


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

    async def finalised_periodic(self, nip: str, year: int) -> list[MongoDocument]:
        cursor = self.collection.find(
            {"nip": nip, "year": year, "annual": False, "status": "finalised"}, {"outbox": 0}
        ).sort("period", ASCENDING)
        return await cursor.to_list(None)

    async def open_plan(self, nip: str, year: int, *, other_than: str) -> str | None:
        """The evaluation of ``nip`` in ``year`` (other than ``other_than``) whose development plan is
        still open, if any (index ``nip_year``)."""
        query = {"nip": nip, "year": year, "development_plan.status": {"$in": ["awaiting_input", "active"]}}
        async for document in self.collection.find(query, {"_id": 1}).sort("_id", 1):
            if document["_id"] != other_than:
                return str(document["_id"])
        return None

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


class OrgYearRepository(VersionedRepository):
    """Per OPD and year (``_id`` = ``<opd>-<year>``): the organisation predikat and whether the year is closed."""

    collection_name = "org_years"


def org_year_id(opd_code: str, year: int) -> str:
    return f"{opd_code}-{year}"
