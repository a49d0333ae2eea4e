"""Recommendations, enrolments, the JP ledger and the appraisal results the service keeps."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ASCENDING, DESCENDING, InsertOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import MongoDocument, find_in, store_newest, write_skipping_duplicates
from shared.queries import HIDDEN
from shared.versioned import VersionedRepository


class RecommendationRepository(VersionedRepository):
    """``_id`` = the recommendation id (uuid5 of the need key: a redelivered event finds it stored)."""

    collection_name = "recommendations"

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("nip", ASCENDING), ("created_at", DESCENDING)], name="nip_created")
        await self.collection.create_index([("group", ASCENDING)], name="group")
        await self.collection.create_index([("status", ASCENDING), ("created_at", DESCENDING)], name="status_created")

    async def of_group(self, group: str) -> list[MongoDocument]:
        return await self.collection.find({"group": group}, HIDDEN).limit(1000).to_list(None)


class EnrolmentRepository(VersionedRepository):
    """``_id`` = ``<session code>:<nip>``: one enrolment per person and session (also a unique index)."""

    collection_name = "enrolments"

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("session_code", ASCENDING), ("nip", ASCENDING)], unique=True, name="session_nip_unique"
        )
        await self.collection.create_index(
            [("session_code", ASCENDING), ("status", ASCENDING), ("priority", ASCENDING), ("requested_at", ASCENDING)],
            name="waiting_list",
        )
        await self.collection.create_index([("nip", ASCENDING), ("status", ASCENDING)], name="nip_status")
        await self.collection.create_index([("recommendation_id", ASCENDING)], name="recommendation")
        await self.collection.create_index(
            [("status", ASCENDING), ("completed_on", ASCENDING)], name="status_completed"
        )

    async def active_of(self, nip: str) -> list[MongoDocument]:
        statuses = ["enrolled", "waitlisted", "attended", "completed"]
        return await self.collection.find({"nip": nip, "status": {"$in": statuses}}, HIDDEN).to_list(1000)

    async def waiting(self, session_code: str, limit: int = 50) -> list[MongoDocument]:
        """The waiting list of a session, in order: priority, request time, id."""
        cursor = self.collection.find({"session_code": session_code, "status": "waitlisted"}, HIDDEN)
        sort = [("priority", ASCENDING), ("requested_at", ASCENDING), ("_id", ASCENDING)]
        return await cursor.sort(sort).limit(limit).to_list(None)

    async def completed(self, nips: Sequence[str] | None, limit: int = 50_000) -> list[MongoDocument]:
        query: MongoDocument = {"status": "completed"}
        if nips is not None:
            query["nip"] = {"$in": list(nips)}
        return await self.collection.find(query, HIDDEN).limit(limit).to_list(None)


class LedgerRepository(VersionedRepository):
    """The JP ledger: ``_id`` = the ref (``enrolment:<id>`` for a completion, ``external:<uuid>`` for learning
    done elsewhere); each ref counts once."""

    collection_name = "ledger"

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("nip", ASCENDING), ("year", ASCENDING)], name="nip_year")
        await self.collection.create_index([("year", ASCENDING), ("status", ASCENDING)], name="year_status")

    async def add(self, document: MongoDocument) -> None:
        """Insert an entry unless its ref is there (idempotent)."""
        await write_skipping_duplicates(self.collection, [InsertOne(document)])

    async def of(self, nip: str, year: int) -> list[MongoDocument]:
        cursor = self.collection.find({"nip": nip, "year": year}, HIDDEN).sort([("on", ASCENDING), ("_id", ASCENDING)])
        return await cursor.to_list(2000)

    async def approved_in(self, year: int, limit: int = 200_000) -> list[MongoDocument]:
        cursor = self.collection.find({"year": year, "status": "approved"}, {"nip": 1, "jp": 1, "on": 1})
        return await cursor.limit(limit).to_list(None)


class ResultRepository:
    """The appraisal results (appraisal.completed.v1, newest revision per appraisal): the effectiveness base."""

    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["results"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("nip", ASCENDING)], name="nip")

    async def store(self, documents: Sequence[MongoDocument]) -> int:
        return await store_newest(self.collection, documents, "revision")

    async def of(self, nips: Sequence[str]) -> list[MongoDocument]:
        return await find_in(self.collection, "nip", list(nips))
