"""Who is active: every service refuses a caller whose registry record is inactive, at once, not when
their token expires (issue "deactivation revokes").

The appraisal service owns the registry and asks it directly. The other services keep a local copy,
the **roster**, fed by ``employee.registered.v1`` and ``employee.updated.v1`` (one small document per
employee: active, OPD, registry version; the newest version wins, whatever order events arrive in).
``shared.auth.authenticate`` asks ``app.state.people`` (a ``People``) about every caller; someone the
registry does not know (the BKPSDM's staff, a service account) passes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, Protocol

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid, OperationFailure

from shared.consumer import Subscription
from shared.events import EmployeeRegistered, EmployeeUpdated, Topic
from shared.mongo import MongoDocument, store_newest

TOPICS = (Topic.EMPLOYEE_REGISTERED, Topic.EMPLOYEE_UPDATED)
"""What a service with a roster consumes, besides its own topics."""


class People(Protocol):
    async def is_inactive(self, nip: str) -> bool:
        """True only when the registry knows ``nip`` and says it is no longer active."""
        ...


class Roster:
    """The local copy of the registry's ``active`` flags (collection ``roster``, ``_id`` = NIP)."""

    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["roster"]

    async def ensure_indexes(self) -> None:
        """Only ``_id`` (the roster is read by NIP, one caller at a time); the collection is created
        here so that its index exists from the start, as the services' READMEs list it."""
        with contextlib.suppress(CollectionInvalid, OperationFailure):  # another replica made it first
            await self.collection.database.create_collection(self.collection.name, check_exists=True)

    async def is_inactive(self, nip: str) -> bool:
        stored = await self.collection.find_one({"_id": nip}, {"active": 1})
        return stored is not None and stored.get("active") is False

    async def apply(self, events: Sequence[EmployeeRegistered | EmployeeUpdated]) -> int:
        """Store the newest version of each employee in ``events``; returns how many changed the
        roster (idempotent and order-tolerant, ``shared.mongo.store_newest``)."""
        newest: dict[str, MongoDocument] = {}
        for event in events:
            p = event.payload
            if p.nip not in newest or newest[p.nip]["version"] < p.version:
                newest[p.nip] = {"_id": p.nip, "active": p.active, "opd_code": p.opd_code, "version": p.version}
        return await store_newest(self.collection, list(newest.values()), "version")

    def subscriptions(self) -> list[Subscription[Any]]:
        return [
            Subscription(Topic.EMPLOYEE_REGISTERED, EmployeeRegistered, self.apply),
            Subscription(Topic.EMPLOYEE_UPDATED, EmployeeUpdated, self.apply),
        ]
