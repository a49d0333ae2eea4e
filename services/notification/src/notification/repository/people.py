"""The local copy of the registry the notification service needs, built from ``employee.*`` events:
name, email, OPD, pejabat penilai, atasan and whether the person is active (collection ``roster``,
``_id`` = NIP, the newest registry version wins). It is also the ``shared.roster.People`` the platform
asks whether a caller is still active."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid, OperationFailure

from notification.domain.routing import Person
from shared.consumer import Subscription
from shared.events import EmployeeRegistered, EmployeeUpdated, Topic
from shared.mongo import MongoDocument, find_in, store_newest

MAX_PEOPLE = 100_000


class People:
    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["roster"]

    async def ensure_indexes(self) -> None:
        with contextlib.suppress(CollectionInvalid, OperationFailure):  # another replica made it first
            await self.collection.database.create_collection(self.collection.name, check_exists=True)
        await self.collection.create_index([("active", ASCENDING), ("_id", ASCENDING)], name="active_id")

    async def is_inactive(self, nip: str) -> bool:
        stored = await self.collection.find_one({"_id": nip}, {"active": 1})
        return stored is not None and stored.get("active") is False

    async def get_many(self, nips: Sequence[str]) -> dict[str, Person]:
        return {d["_id"]: person(d) for d in await find_in(self.collection, "_id", list(nips))}

    async def active(self) -> list[Person]:
        """Every active employee (the reminder job), bounded."""
        cursor = self.collection.find({"active": True}).sort("_id", ASCENDING).limit(MAX_PEOPLE)
        return [person(d) async for d in cursor]

    async def apply(self, events: Sequence[EmployeeRegistered | EmployeeUpdated]) -> int:
        newest: dict[str, MongoDocument] = {}
        for event in events:
            p = event.payload
            if p.nip in newest and newest[p.nip]["version"] >= p.version:
                continue
            newest[p.nip] = {
                "_id": p.nip,
                "name": p.name,
                "email": p.email,
                "active": p.active,
                "opd_code": p.opd_code,
                "pejabat_penilai_nip": p.pejabat_penilai_nip,
                "atasan_pejabat_penilai_nip": p.atasan_pejabat_penilai_nip,
                "version": p.version,
            }
        return await store_newest(self.collection, list(newest.values()), "version")

    def subscriptions(self) -> list[Subscription[Any]]:
        return [
            Subscription(Topic.EMPLOYEE_REGISTERED, EmployeeRegistered, self.apply),
            Subscription(Topic.EMPLOYEE_UPDATED, EmployeeUpdated, self.apply),
        ]


def person(document: MongoDocument) -> Person:
    return Person(
        nip=document["_id"],
        name=document.get("name"),
        email=document.get("email"),
        opd_code=document.get("opd_code"),
        pejabat_penilai=document.get("pejabat_penilai_nip"),
        atasan=document.get("atasan_pejabat_penilai_nip"),
        active=bool(document.get("active", True)),
    )
