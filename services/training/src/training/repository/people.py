"""The local copy of the employee data the training service needs, built from ``employee.*`` events
(never the appraisal service's database): who is active, their OPD and unit, their pejabat penilai,
employee and position type, and the reader keys of ``domain.access``."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid, OperationFailure

from shared.consumer import Subscription
from shared.events import EmployeeRegistered, EmployeeUpdated, Topic
from shared.mongo import MongoDocument, find_in, store_newest
from training.domain.access import Subject, reader_keys


class People:
    """Collection ``roster`` (``_id`` = NIP): the newest registry version of each employee. It is also the
    ``shared.roster.People`` the platform asks whether a caller is still active."""

    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["roster"]

    async def ensure_indexes(self) -> None:
        with contextlib.suppress(CollectionInvalid, OperationFailure):  # another replica made it first
            await self.collection.database.create_collection(self.collection.name, check_exists=True)
        await self.collection.create_index([("readers", ASCENDING)], name="readers")
        await self.collection.create_index([("opd_code", ASCENDING), ("unit_code", ASCENDING)], name="opd_unit")

    async def is_inactive(self, nip: str) -> bool:
        stored = await self.collection.find_one({"_id": nip}, {"active": 1})
        return stored is not None and stored.get("active") is False

    async def get(self, nip: str) -> MongoDocument | None:
        return await self.collection.find_one({"_id": nip})

    async def get_many(self, nips: Sequence[str]) -> dict[str, MongoDocument]:
        return {d["_id"]: d for d in await find_in(self.collection, "_id", list(nips))}

    async def nips(self, query: MongoDocument, limit: int = 20_000) -> list[str]:
        """NIPs of the employees matching ``query`` (bounded)."""
        cursor = self.collection.find(query, {"_id": 1}).limit(limit)
        return [d["_id"] async for d in cursor]

    async def find(self, query: MongoDocument, limit: int = 20_000) -> list[MongoDocument]:
        return await self.collection.find(query).sort("_id", ASCENDING).limit(limit).to_list(None)

    async def apply(self, events: Sequence[EmployeeRegistered | EmployeeUpdated]) -> int:
        """Store the newest version of each employee (idempotent and order-tolerant)."""
        newest: dict[str, MongoDocument] = {}
        for event in events:
            p = event.payload
            if p.nip in newest and newest[p.nip]["version"] >= p.version:
                continue
            subject = Subject(p.nip, p.opd_code, p.pejabat_penilai_nip)
            newest[p.nip] = {
                "_id": p.nip,
                "name": p.name,
                "active": p.active,
                "opd_code": p.opd_code,
                "unit_code": p.unit_code,
                "pejabat_penilai_nip": p.pejabat_penilai_nip,
                "employee_type": p.employee_type.value,
                "position_type": p.position_type.value,
                "contract_start": p.contract_start.isoformat() if p.contract_start else None,
                "readers": reader_keys(subject),
                "version": p.version,
            }
        return await store_newest(self.collection, list(newest.values()), "version")

    def subscriptions(self) -> list[Subscription[Any]]:
        return [
            Subscription(Topic.EMPLOYEE_REGISTERED, EmployeeRegistered, self.apply),
            Subscription(Topic.EMPLOYEE_UPDATED, EmployeeUpdated, self.apply),
        ]
