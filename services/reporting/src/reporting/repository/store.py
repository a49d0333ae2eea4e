"""The reporting service's read models, in generations.

Each read model is a collection ``g<N>_<model>``: generation N is a complete set of them. The views
read the **active** generation; a replay builds the next one from the start of the topics while the
live consumers keep the active one current, and writes every live batch into the generation being
built as well (the handlers are idempotent, so an event applied by both is applied once in effect).
When the rebuilt generation has caught up, the replay makes it active in one write
(``reporting_meta``). The previous generation stays until the next replay starts, then is dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateMany, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from reporting.domain.facts import Model
from shared.mongo import MongoDocument, find_in, store_newest

META_ID = "generations"
MARK_RANK = {"dist": 0, "year": 1, "city": 2}
"""Which stale summaries a pass takes first: the cheap per-period ones, then the yearly ones, then the
city's training effectiveness (the dearest, read from every completion of the year)."""

INDEXES: dict[str, list[tuple[str, list[tuple[str, int]]]]] = {
    Model.PEOPLE: [
        ("opd_active", [("opd_code", ASCENDING), ("active", ASCENDING)]),
        ("appraiser_active", [("pejabat_penilai_nip", ASCENDING), ("active", ASCENDING)]),
    ],
    Model.YEARS: [],
    Model.ORG_YEARS: [("year_opd", [("year", ASCENDING), ("opd_code", ASCENDING)])],
    Model.SKPS: [
        ("nip_year", [("nip", ASCENDING), ("year", ASCENDING)]),
        ("opd_year", [("opd_code", ASCENDING), ("year", ASCENDING)]),
    ],
    Model.SKP_APPROVALS: [
        ("nip_year", [("nip", ASCENDING), ("year", ASCENDING)]),
        ("opd_year", [("opd_code", ASCENDING), ("year", ASCENDING)]),
    ],
    Model.APPRAISALS: [
        ("nip_year", [("nip", ASCENDING), ("year", ASCENDING)]),
        ("opd_period", [("opd_code", ASCENDING), ("period", ASCENDING)]),
    ],
    Model.FLAGS: [("opd_period", [("opd_code", ASCENDING), ("period", ASCENDING)])],
    Model.PLANS: [
        ("nip", [("nip", ASCENDING)]),
        ("opd_year", [("opd_code", ASCENDING), ("year", ASCENDING)]),
    ],
    Model.OBJECTIONS: [
        ("nip", [("nip", ASCENDING)]),
        ("opd_year", [("opd_code", ASCENDING), ("year", ASCENDING)]),
    ],
    Model.RECOMMENDATIONS: [("nip", [("nip", ASCENDING)])],
    Model.ENROLMENTS: [
        ("nip_year", [("nip", ASCENDING), ("year", ASCENDING)]),
        ("year_status", [("year", ASCENDING), ("status", ASCENDING)]),
    ],
    Model.MESSAGES: [
        ("opd_year_status", [("opd_code", ASCENDING), ("year", ASCENDING), ("status", ASCENDING)]),
        ("nip", [("nip", ASCENDING)]),
    ],
    "summaries": [("kind_year_opd", [("kind", ASCENDING), ("year", ASCENDING), ("opd_code", ASCENDING)])],
    "marks": [],
    "freshness": [],
}
"""Every collection of a generation, with its indexes besides ``_id`` (services/reporting/README.md)."""


@dataclass
class Store:
    """One generation of the read models."""

    db: AsyncDatabase[MongoDocument]
    generation: int
    collections: dict[str, AsyncCollection[MongoDocument]] = field(init=False)

    def __post_init__(self) -> None:
        self.collections = {name: self.db[f"g{self.generation}_{name}"] for name in INDEXES}

    def __getitem__(self, name: str) -> AsyncCollection[MongoDocument]:
        return self.collections[name]

    async def ensure_indexes(self) -> None:
        for name, indexes in INDEXES.items():
            collection = self.collections[name]
            if not indexes:
                await collection.update_one({"_id": "~created"}, {"$set": {"_id": "~created"}}, upsert=True)
                await collection.delete_one({"_id": "~created"})  # the collection exists, with its _id index
            for index_name, keys in indexes:
                await collection.create_index(keys, name=index_name)

    async def drop(self) -> None:
        for collection in self.collections.values():
            await collection.drop()

    # -- writes ---------------------------------------------------------------------------------

    async def store(self, model: Model, documents: Sequence[MongoDocument]) -> int:
        """Store each document unless one with its ``_id`` and an equal or higher ``order`` is stored."""
        if not documents:
            return 0
        return await store_newest(self.collections[model], list(documents), "order", replace=True)

    async def place(self, model: Model, opd_of: dict[str, str]) -> None:
        """Give the documents of ``model`` that have no OPD yet the OPD of their employee (by NIP)."""
        by_opd: dict[str, list[str]] = {}
        for nip, opd in opd_of.items():
            by_opd.setdefault(opd, []).append(nip)
        operations = [
            UpdateMany({"nip": {"$in": nips}, "opd_code": None}, {"$set": {"opd_code": opd}})
            for opd, nips in sorted(by_opd.items())
        ]
        if operations:
            await self.collections[model].bulk_write(operations, ordered=False)

    async def mark(self, keys: set[str], now: datetime) -> None:
        """Mark summaries stale (``domain.summaries``); the summariser recomputes and clears them."""
        if keys:
            await self["marks"].bulk_write(
                [
                    UpdateOne(
                        {"_id": key},
                        {
                            "$set": {"at": now, "token": uuid.uuid4().hex, "rank": MARK_RANK.get(key.split(":")[0], 9)},
                            "$unset": {"failed_at": "", "error": ""},
                            "$setOnInsert": {"first_at": now},
                        },
                        upsert=True,
                    )
                    for key in sorted(keys)
                ],
                ordered=False,
            )

    async def touch(self, newest: dict[str, datetime], now: datetime) -> None:
        """Record per topic the newest event applied (``occurred_at``) and when."""
        if newest:
            await self["freshness"].bulk_write(
                [
                    UpdateOne(
                        {"_id": topic}, {"$max": {"newest_event_at": at}, "$set": {"applied_at": now}}, upsert=True
                    )
                    for topic, at in sorted(newest.items())
                ],
                ordered=False,
            )

    async def save_summary(self, key: str, document: MongoDocument) -> None:
        await self["summaries"].replace_one({"_id": key}, {"_id": key, **document}, upsert=True)

    async def clear_mark(self, key: str, token: str) -> None:
        """Clear a mark unless it was set again (a new ``token``) since it was read."""
        await self["marks"].delete_one({"_id": key, "token": token})

    # -- reads ----------------------------------------------------------------------------------

    async def get(self, model: str, _id: str) -> MongoDocument | None:
        return await self.collections[model].find_one({"_id": _id})

    async def by_ids(self, model: str, ids: Sequence[str], projection: MongoDocument | None = None) -> list[Any]:
        return await find_in(self.collections[model], "_id", list(ids), projection)

    async def find(
        self,
        model: str,
        query: MongoDocument,
        projection: MongoDocument | None = None,
        *,
        limit: int = 0,
        sort: list[tuple[str, int]] | None = None,
    ) -> list[MongoDocument]:
        cursor = self.collections[model].find(query, projection)
        if sort:
            cursor = cursor.sort(sort)
        if limit:
            cursor = cursor.limit(limit)
        return await cursor.to_list(None)

    async def of_people(
        self, model: str, nips: Sequence[str], query: MongoDocument, projection: MongoDocument | None = None
    ) -> list[MongoDocument]:
        """Documents of ``model`` whose ``nip`` is one of ``nips`` and that match ``query``."""
        return await find_in(self.collections[model], "nip", nips, projection, query=query)

    async def distinct(self, model: str, field: str) -> list[Any]:
        return list(await self.collections[model].distinct(field))

    async def delete_summary(self, key: str) -> None:
        await self["summaries"].delete_one({"_id": key})

    async def count_by(self, model: str, query: MongoDocument, fields: Sequence[str]) -> dict[tuple[Any, ...], int]:
        """How many documents of ``model`` match ``query``, by their values of ``fields`` (one pass over
        the matching documents; a separate count per value would read them once each)."""
        pipeline: list[MongoDocument] = [
            {"$match": query},
            {"$group": {"_id": {f"f{i}": f"${name}" for i, name in enumerate(fields)}, "n": {"$sum": 1}}},
        ]
        cursor = await self.collections[model].aggregate(pipeline)
        return {tuple(row["_id"].get(f"f{i}") for i in range(len(fields))): int(row["n"]) async for row in cursor}

    async def marks(
        self, limit: int, retry_before: datetime, *, quiet_before: datetime, waited_before: datetime
    ) -> list[MongoDocument]:
        """The stale summaries to recompute, by rank then oldest first: those never tried and those whose
        recomputation failed before ``retry_before``; of them, those not marked again since ``quiet_before``
        (their events have stopped coming) or first marked before ``waited_before`` (waited long enough)."""
        query = {
            "$and": [
                {"$or": [{"failed_at": {"$exists": False}}, {"failed_at": {"$lt": retry_before}}]},
                {"$or": [{"at": {"$lte": quiet_before}}, {"first_at": {"$lte": waited_before}}]},
            ]
        }
        return await self["marks"].find(query).sort([("rank", ASCENDING), ("at", ASCENDING)]).limit(limit).to_list(None)

    async def park_mark(self, key: str, token: str, error: str, now: datetime) -> None:
        """A summary that could not be recomputed: it keeps its mark, counted apart, tried again later."""
        await self["marks"].update_one({"_id": key, "token": token}, {"$set": {"failed_at": now, "error": error[:300]}})

    async def count_marks(self, *, failed: bool, limit: int) -> int:
        return await self["marks"].count_documents({"failed_at": {"$exists": failed}}, limit=limit)

    async def freshness(self) -> list[MongoDocument]:
        return await self["freshness"].find({}).sort("_id", DESCENDING).to_list(None)


@dataclass
class Generations:
    """Which generation the views read and which one a replay builds (collection ``reporting_meta``)."""

    db: AsyncDatabase[MongoDocument]
    _stores: dict[int, Store] = field(default_factory=dict)
    _ready: set[int] = field(default_factory=set)

    @property
    def meta(self) -> AsyncCollection[MongoDocument]:
        return self.db["reporting_meta"]

    async def state(self) -> tuple[int, int | None]:
        """(active, building): generation 1 until a replay swaps another in."""
        doc = await self.meta.find_one({"_id": META_ID})
        if doc is None:
            return 1, None
        return int(doc["active"]), (int(doc["building"]) if doc.get("building") else None)

    async def store(self, generation: int) -> Store:
        if generation not in self._stores:
            self._stores[generation] = Store(self.db, generation)
        store = self._stores[generation]
        if generation not in self._ready:
            await store.ensure_indexes()
            self._ready.add(generation)
        return store

    async def active(self) -> Store:
        return await self.store((await self.state())[0])

    async def targets(self) -> list[Store]:
        """The generations a live batch is written to: the active one, and the one being built."""
        active, building = await self.state()
        return [await self.store(g) for g in (active, building) if g is not None]

    async def begin(self) -> int:
        """Start building the next generation (dropping any earlier one but the active); returns it."""
        active, building = await self.state()
        new = max(active, building or 0) + 1
        await self.meta.update_one(
            {"_id": META_ID},
            {"$set": {"active": active, "building": new, "building_since": datetime.now(UTC)}},
            upsert=True,
        )
        for name in await self.db.list_collection_names():
            generation = _generation_of(name)
            if generation is not None and generation not in (active, new):
                await self.db[name].drop()
        fresh = Store(self.db, new)
        await fresh.drop()
        self._stores.pop(new, None)
        self._ready.discard(new)
        return new

    async def swap(self, generation: int) -> bool:
        """Make ``generation`` active if it is the one being built; returns whether it was."""
        result = await self.meta.update_one(
            {"_id": META_ID, "building": generation},
            {"$set": {"active": generation, "building": None, "swapped_at": datetime.now(UTC)}},
        )
        return result.modified_count == 1

    async def abandon(self, generation: int) -> None:
        """Stop building ``generation`` (a failed replay); the active one is untouched."""
        await self.meta.update_one({"_id": META_ID, "building": generation}, {"$set": {"building": None}})


def _generation_of(name: str) -> int | None:
    head, _, rest = name.partition("_")
    if head.startswith("g") and head[1:].isdigit() and rest in INDEXES:
        return int(head[1:])
    return None
