from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from appraisal.repository.common import HIDDEN, find_page, strip_outbox
from shared.events import Event
from shared.events.outbox import push_events, with_events
from shared.mongo import DocumentLocks, MongoDocument


class EmployeeExistsError(Exception):
    pass


class EmployeeRepository:
    """One document per employee, ``_id`` = NIP, with a ``version`` for optimistic concurrency."""

    def __init__(self, db: AsyncDatabase[MongoDocument], locks: DocumentLocks) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["employees"]
        self._locks = locks

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("opd_code", ASCENDING), ("name", ASCENDING)], name="opd_name")
        await self.collection.create_index([("pejabat_penilai_nip", ASCENDING)], name="pejabat_penilai")
        await self.collection.create_index([("atasan_pejabat_penilai_nip", ASCENDING)], name="atasan")

    async def get(self, nip: str) -> MongoDocument | None:
        return await self.collection.find_one({"_id": nip}, HIDDEN)

    async def insert(self, document: MongoDocument, event: Event, now: datetime) -> None:
        try:
            await self.collection.insert_one(with_events(document, event, now=now))
        except DuplicateKeyError as exc:
            raise EmployeeExistsError(document["_id"]) from exc

    async def replace_version(
        self, nip: str, expected_version: int, fields: MongoDocument, event: Event, now: datetime
    ) -> MongoDocument | None:
        """Write ``fields`` (with version + 1) if the stored version is ``expected_version``; None otherwise."""
        update = {"$set": {**fields, "version": expected_version + 1, "updated_at": now}, **push_events(event, now=now)}
        # No projection: FerretDB 1.24 does not implement findAndModify's "fields".
        async with self._locks.hold(self.collection.full_name, nip):
            stored = await self.collection.find_one_and_update(
                {"_id": nip, "version": expected_version}, update, return_document=ReturnDocument.AFTER
            )
        return strip_outbox(stored) if stored is not None else None

    async def page(self, query: MongoDocument, *, limit: int, offset: int) -> tuple[list[MongoDocument], int]:
        return await find_page(
            self.collection,
            query,
            sort=[("opd_code", ASCENDING), ("name", ASCENDING), ("_id", ASCENDING)],
            limit=limit,
            offset=offset,
        )


class ImportRepository:
    """Progress and per-row results of CSV imports."""

    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["employee_imports"]

    async def create(self, document: MongoDocument) -> None:
        await self.collection.insert_one(document)

    async def get(self, import_id: str) -> MongoDocument | None:
        return await self.collection.find_one({"_id": import_id})

    async def progress(self, import_id: str, fields: MongoDocument, rows: list[MongoDocument]) -> None:
        update: MongoDocument = {"$set": fields}
        if rows:
            update["$push"] = {"rows": {"$each": rows}}
        await self.collection.update_one({"_id": import_id}, update)

    async def interrupt_running(self, now: datetime) -> int:
        """Mark imports left running by a stopped process; returns how many."""
        result = await self.collection.update_many(
            {"status": "running"}, {"$set": {"status": "interrupted", "finished_at": now}}
        )
        return result.modified_count
