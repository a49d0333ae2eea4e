"""What the reminder job reads, kept from events alone: the years' deadlines (``years``), each SKP's
status (``skp_state``), final results per period (``results``), development plans (``plans``), JP earned
(``jp``), the reminders already sent (``reminders``, ``_id`` = deadline|person: each once), and each
person's channel choices (``preferences``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from notification.domain.deadlines import PlanWindow
from shared.mongo import MongoDocument, find_in, store_newest, write_skipping_duplicates

MAX_ROWS = 200_000


class Tracking:
    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.years: AsyncCollection[MongoDocument] = db["years"]
        self.skp: AsyncCollection[MongoDocument] = db["skp_state"]
        self.results: AsyncCollection[MongoDocument] = db["results"]
        self.plans: AsyncCollection[MongoDocument] = db["plans"]
        self.jp: AsyncCollection[MongoDocument] = db["jp"]
        self.reminders: AsyncCollection[MongoDocument] = db["reminders"]
        self.preferences: AsyncCollection[MongoDocument] = db["preferences"]

    async def ensure_indexes(self) -> None:
        await self.skp.create_index([("year", ASCENDING), ("nip", ASCENDING)], name="year_nip")
        await self.results.create_index([("period", ASCENDING)], name="period")
        await self.plans.create_index([("status", ASCENDING), ("due_on", ASCENDING)], name="status_due")
        await self.jp.create_index([("year", ASCENDING), ("nip", ASCENDING)], name="year_nip")

    # ---- from events (each newest by when it happened, or by version)

    async def store_years(self, documents: Sequence[MongoDocument]) -> None:
        await store_newest(self.years, documents, "version")

    async def store_states(self, collection: str, documents: Sequence[MongoDocument]) -> None:
        """Newest by ``at`` (the event's time), whatever order events arrive in."""
        target = {"skp_state": self.skp, "plans": self.plans}[collection]
        await store_newest(target, documents, "at")

    async def store_results(self, documents: Sequence[MongoDocument]) -> None:
        operations = [UpdateOne({"_id": d["_id"]}, {"$set": d}, upsert=True) for d in documents]
        await write_skipping_duplicates(self.results, operations)

    async def store_jp(self, documents: Sequence[MongoDocument]) -> None:
        operations = [UpdateOne({"_id": d["_id"]}, {"$set": d}, upsert=True) for d in documents]
        await write_skipping_duplicates(self.jp, operations)

    # ---- for the reminder job

    async def year(self, year: int) -> MongoDocument | None:
        return await self.years.find_one({"_id": year})

    async def skp_status(self, year: int) -> dict[str, str]:
        """NIP -> ``approved`` when an SKP of theirs for ``year`` was ever approved (a revision under way
        leaves the approved one in force), else the status of their newest SKP."""
        cursor = self.skp.find({"year": year}, {"nip": 1, "status": 1, "at": 1, "approved": 1}).limit(MAX_ROWS)
        newest: dict[str, MongoDocument] = {}
        async for d in cursor:
            status = "approved" if d.get("approved") else d["status"]
            seen = newest.get(d["nip"])
            if seen is None or (seen["status"] != "approved" and (status == "approved" or d["at"] > seen["at"])):
                newest[d["nip"]] = {"status": status, "at": d["at"]}
        return {nip: d["status"] for nip, d in newest.items()}

    async def completed(self, periods: Sequence[str]) -> set[tuple[str, str]]:
        found = await find_in(self.results, "period", list(periods), {"nip": 1, "period": 1})
        return {(d["nip"], d["period"]) for d in found}

    async def open_plans(self, until: dt.date) -> list[PlanWindow]:
        cursor = self.plans.find(
            {"status": {"$in": ["awaiting_input", "active"]}, "due_on": {"$lte": until.isoformat()}}
        ).limit(MAX_ROWS)
        return [
            PlanWindow(
                d["_id"],
                d["nip"],
                d["period"],
                d["status"],
                dt.date.fromisoformat(d["due_on"]) if d.get("due_on") else None,
                d.get("pejabat_penilai_nip"),
            )
            async for d in cursor
        ]

    async def jp_earned(self, year: int) -> dict[str, float]:
        totals: dict[str, float] = {}
        async for d in self.jp.find({"year": year}, {"nip": 1, "jp": 1}).limit(MAX_ROWS):
            totals[d["nip"]] = totals.get(d["nip"], 0.0) + float(d["jp"])
        return totals

    async def remember(self, key: str, now: dt.datetime) -> bool:
        """Record that the reminder ``key`` was made; False when it already was."""
        try:
            await self.reminders.insert_one({"_id": key, "at": now})
        except DuplicateKeyError:
            return False
        return True

    # ---- preferences

    async def preferences_of(self, nips: Sequence[str]) -> dict[str, dict[str, list[str]]]:
        found = await find_in(self.preferences, "_id", list(nips))
        return {d["_id"]: d.get("channels", {}) for d in found}

    async def set_preferences(self, nip: str, channels: dict[str, list[str]], now: dt.datetime) -> None:
        await self.preferences.update_one(
            {"_id": nip}, {"$set": {"channels": channels, "changed_at": now}}, upsert=True
        )
