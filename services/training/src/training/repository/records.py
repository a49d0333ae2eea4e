"""Recommendations, enrolments, the JP ledger and the appraisal results the service keeps."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ASCENDING, DESCENDING, InsertOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

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

    async def of_groups(self, groups: Sequence[str]) -> dict[str, list[MongoDocument]]:
        """``of_group`` for a whole batch of groups in one query (a few per group: an appraisal's revisions)."""
        found: dict[str, list[MongoDocument]] = {group: [] for group in groups}
        for document in await find_in(self.collection, "group", list(groups), HIDDEN):
            found.setdefault(document["group"], []).append(document)
        return found


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

    async def holding(self, session_code: str) -> int:
        """How many enrolments of a session hold a seat (enrolled, attended, completed)."""
        statuses = ["enrolled", "attended", "completed"]
        return await self.collection.count_documents({"session_code": session_code, "status": {"$in": statuses}})

    async def waiting(self, session_code: str, limit: int = 50) -> list[MongoDocument]:
        """The waiting list of a session, in order: priority, request time, id."""
        cursor = self.collection.find({"session_code": session_code, "status": "waitlisted"}, HIDDEN)
        sort = [("priority", ASCENDING), ("requested_at", ASCENDING), ("_id", ASCENDING)]
        return await cursor.sort(sort).limit(limit).to_list(None)

    async def completed(self, nips: Sequence[str] | None, limit: int) -> list[MongoDocument]:
        """Completions (of ``nips``, or everyone's), newest first, at most ``limit``."""
        query: MongoDocument = {"status": "completed"}
        if nips is not None:
            query["nip"] = {"$in": list(nips)}
        projection = {"nip": 1, "program_code": 1, "recommendation_id": 1, "completed_on": 1}
        cursor = self.collection.find(query, projection).sort("completed_on", DESCENDING)
        return await cursor.limit(limit).to_list(None)


class LedgerRepository(VersionedRepository):
    """The JP ledger: ``_id`` = the ref (``enrolment:<id>`` for a completion, ``external:<uuid>`` for learning
    done elsewhere); each ref counts once."""

    collection_name = "ledger"

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("nip", ASCENDING), ("year", ASCENDING)], name="nip_year")
        await self.collection.create_index([("nip", ASCENDING), ("evidence", ASCENDING)], name="nip_evidence")

    async def live_with_evidence(self, nip: str, evidence: str) -> MongoDocument | None:
        """An entry of ``nip`` with this evidence that is not rejected (pending or approved), if any."""
        query = {"nip": nip, "evidence": evidence, "status": {"$in": ["pending", "approved"]}}
        return await self.collection.find_one(query, HIDDEN)

    async def add(self, document: MongoDocument) -> None:
        """Insert an entry unless its ref is there (idempotent)."""
        await write_skipping_duplicates(self.collection, [InsertOne(document)])

    async def of(self, nip: str, year: int) -> list[MongoDocument]:
        cursor = self.collection.find({"nip": nip, "year": year}, HIDDEN).sort([("on", ASCENDING), ("_id", ASCENDING)])
        return await cursor.to_list(2000)

    async def of_years(self, nip: str, years: Sequence[int]) -> list[MongoDocument]:
        """An employee's entries of ``years`` (a contract year spans two calendar years)."""
        cursor = self.collection.find({"nip": nip, "year": {"$in": list(years)}}, HIDDEN)
        return await cursor.to_list(4000)

    async def approved_of(self, nips: Sequence[str], year: int) -> list[MongoDocument]:
        """The approved entries of ``year`` of the employees ``nips`` (index ``nip_year``, in chunks)."""
        unique = list(dict.fromkeys(nips))
        found: list[MongoDocument] = []
        for start in range(0, len(unique), 500):
            query = {"nip": {"$in": unique[start : start + 500]}, "year": year}
            cursor = self.collection.find(query, {"nip": 1, "jp": 1, "status": 1})
            found.extend(d for d in await cursor.to_list(None) if d.get("status") == "approved")
        return found


class ScheduleRepository:
    """Collection ``schedules`` (``_id`` = NIP): one document per person with the sessions they claimed
    (``entries``) and a ``version``. Every enrolment claims its session here first with a compare-and-set on
    the version, so two requests of the same person are decided one after the other, whatever replica runs
    them: no two overlapping sessions, and the PPPK cap counted over what is already planned."""

    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["schedules"]

    async def ensure_indexes(self) -> None:
        """Only ``_id``."""

    async def get(self, nip: str) -> MongoDocument | None:
        return await self.collection.find_one({"_id": nip})

    async def write(self, nip: str, entries: list[MongoDocument], version: int) -> bool:
        """Set the entries if the stored version is still ``version`` (0: none stored yet); False otherwise."""
        if version == 0:
            try:
                await self.collection.insert_one({"_id": nip, "entries": entries, "version": 1})
            except DuplicateKeyError:
                return False
            return True
        result = await self.collection.update_one(
            {"_id": nip, "version": version}, {"$set": {"entries": entries, "version": version + 1}}
        )
        return result.matched_count == 1


class ResultRepository:
    """The appraisal results (appraisal.completed.v1, newest revision per appraisal): the effectiveness base."""

    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["results"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("nip", ASCENDING)], name="nip")

    async def store(self, documents: Sequence[MongoDocument]) -> int:
        return await store_newest(self.collection, documents, "revision")

    async def get(self, appraisal_id: str) -> MongoDocument | None:
        """The newest known result of one appraisal."""
        return await self.collection.find_one({"_id": appraisal_id})

    async def of(self, nips: Sequence[str]) -> list[MongoDocument]:
        return await find_in(self.collection, "nip", list(nips))
