"""Master data: the OPD and kecamatan of the city (``_id`` = code). A small, bounded collection
(about 50 documents), read whole."""

from __future__ import annotations

from datetime import datetime

from pymongo import InsertOne

from appraisal.domain.rules import OPD_SEED
from shared.mongo import MongoDocument, write_skipping_duplicates
from shared.queries import HIDDEN
from shared.versioned import VersionedRepository

MAX_UNITS = 500
"""The master data holds at most this many OPD and kecamatan (the city has about 50)."""


class OpdRepository(VersionedRepository):
    collection_name = "opd"

    async def seed(self, now: datetime) -> int:
        """Add the seed units that are missing (a fresh system); returns how many were added. Units
        already stored keep what the BKPSDM set."""
        documents = [
            {
                "_id": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "sector": unit.sector,
                "active": True,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for unit in OPD_SEED
        ]
        taken = await write_skipping_duplicates(self.collection, [InsertOne(d) for d in documents])
        return len(documents) - len(taken)

    async def all(self) -> list[MongoDocument]:
        return await self.collection.find({}, HIDDEN).sort("_id", 1).limit(MAX_UNITS).to_list(None)

    async def all_codes(self) -> frozenset[str]:
        """Every code, retired ones too (history may name a unit that no longer exists)."""
        cursor = self.collection.find({}, {"_id": 1}).sort("_id", 1).limit(MAX_UNITS)
        return frozenset([document["_id"] async for document in cursor])

    async def active_codes(self) -> frozenset[str]:
        cursor = self.collection.find({"active": True}, {"_id": 1}).sort("_id", 1).limit(MAX_UNITS)
        return frozenset([document["_id"] async for document in cursor])
