from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import MongoDocument
from shared.queries import HIDDEN
from shared.versioned import VersionedRepository


class EmployeeRepository(VersionedRepository):
    """One document per employee, ``_id`` = NIP."""

    collection_name = "employees"

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("opd_code", ASCENDING), ("name", ASCENDING), ("_id", ASCENDING)], name="opd_name_id"
        )
        await self.collection.create_index([("readers", ASCENDING)], name="readers")
        await self.collection.create_index([("pejabat_penilai_nip", ASCENDING)], name="pejabat_penilai")
        await self.collection.create_index([("opd_code", ASCENDING), ("position_type", ASCENDING)], name="opd_position")

    async def heads_of(self, opd_code: str) -> list[MongoDocument]:
        """The active JPT registered in an OPD (its head among them; ``services.employees.heads_of``)."""
        query = {"opd_code": opd_code, "position_type": "JPT", "active": True}
        return await self.collection.find(query, {"pejabat_penilai_nip": 1}).limit(10).to_list(None)

    async def reports_to_follow(self, nip: str, atasan: str | None, limit: int) -> list[MongoDocument]:
        """Up to ``limit`` of the employees ``nip`` appraises whose atasan is not yet ``atasan``
        (``services.employees._reports_follow``; index ``pejabat_penilai``)."""
        query = {"pejabat_penilai_nip": nip, "atasan_pejabat_penilai_nip": {"$ne": atasan}}
        return await self.collection.find(query, HIDDEN).sort("_id", ASCENDING).limit(limit).to_list(None)

    async def is_inactive(self, nip: str) -> bool:
        """For ``shared.roster.People``: the registry itself answers who is no longer active."""
        stored = await self.collection.find_one({"_id": nip}, {"active": 1})
        return stored is not None and stored.get("active") is False

    async def without_readers(self) -> list[MongoDocument]:
        """Records written before ``readers`` existed (a one-off scan at start-up)."""
        return await self.collection.find({"readers": {"$exists": False}}).to_list(None)

    async def set_readers(self, readers: dict[str, list[str]]) -> None:
        if readers:
            # Only where still missing: a record changed meanwhile (by this code) has its own, newer keys.
            missing = {"readers": {"$exists": False}}
            operations = [
                UpdateOne({"_id": nip, **missing}, {"$set": {"readers": keys}}) for nip, keys in readers.items()
            ]
            await self.collection.bulk_write(operations, ordered=False)


class ImportRepository:
    """Imports: one summary document each (progress, counts) and one document per row result."""

    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["employee_imports"]
        self.rows: AsyncCollection[MongoDocument] = db["employee_import_rows"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("status", ASCENDING)], name="status")
        await self.rows.create_index([("import_id", ASCENDING), ("row", ASCENDING)], name="import_row")
        await self.rows.create_index(
            [("import_id", ASCENDING), ("outcome", ASCENDING), ("row", ASCENDING)], name="import_outcome_row"
        )

    async def create(self, document: MongoDocument) -> None:
        await self.collection.insert_one(document)

    async def get(self, import_id: str) -> MongoDocument | None:
        return await self.collection.find_one({"_id": import_id})

    async def progress(self, import_id: str, fields: MongoDocument, rows: list[MongoDocument], now: datetime) -> None:
        """Record rows and counts; ``heartbeat_at`` tells every replica that the import is alive."""
        if rows:
            await self.rows.insert_many([{**row, "import_id": import_id} for row in rows])
        await self.collection.update_one({"_id": import_id}, {"$set": {**fields, "heartbeat_at": now}})

    async def row_page(
        self, import_id: str, outcome: str | None, *, limit: int, offset: int
    ) -> tuple[list[MongoDocument], int]:
        query: MongoDocument = {"import_id": import_id, **({"outcome": outcome} if outcome else {})}
        total = await self.rows.count_documents(query)
        cursor = self.rows.find(query, {"_id": 0, "import_id": 0}).sort("row", ASCENDING).skip(offset).limit(limit)
        return await cursor.to_list(None), total

    async def interrupt_running(self, now: datetime, silent_since: datetime) -> int:
        """Mark imports whose process stopped (no heartbeat since ``silent_since``); returns how many.
        Another replica's import in progress keeps beating, so it is left alone."""
        result = await self.collection.update_many(
            {"status": "running", "heartbeat_at": {"$lt": silent_since}},
            {"$set": {"status": "interrupted", "finished_at": now}},
        )
        return result.modified_count
