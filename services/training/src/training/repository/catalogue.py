"""The catalogue: programmes (collection ``catalogue``, ``_id`` = code) and their sessions (collection
``sessions``, ``_id`` = session code) with the seat counter that enrolment takes seats from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.events import BerAkhlakValue, EmployeeType, PositionType
from shared.mongo import MongoDocument, find_in
from shared.queries import HIDDEN, find_page
from training.domain.catalogue import Programme, Session
from training.domain.rules import Competency, LearningForm


def programme_document(p: Programme) -> MongoDocument:
    """The stored form of a programme (without its sessions, which have their own documents)."""
    return {
        "_id": p.code,
        "code": p.code,
        "title": p.title,
        "form": p.form.value,
        "modality": p.modality.value,
        "jp": p.jp,
        "competencies": sorted(c.value for c in p.competencies),
        "berakhlak_values": sorted(v.value for v in p.berakhlak_values),
        "keywords": list(p.keywords),
        "sectors": sorted(p.sectors),
        "position_types": sorted(t.value for t in p.position_types),
        "employee_types": sorted(t.value for t in p.employee_types),
        "international": p.international,
        "days": p.days,
        "jp_stated": p.jp_stated,
        "minutes": p.minutes,
        "description": p.description,
        "session_codes": [s.code for s in p.sessions],
    }


def session_fields(s: Session, program_code: str) -> MongoDocument:
    return {
        "program_code": program_code,
        "starts_on": s.starts_on.isoformat(),
        "ends_on": s.ends_on.isoformat(),
        "capacity": s.capacity,
        "place": s.place,
        "online_link": s.online_link,
    }


def to_session(d: MongoDocument) -> Session:
    return Session(
        code=d["_id"],
        starts_on=dt.date.fromisoformat(d["starts_on"]),
        ends_on=dt.date.fromisoformat(d["ends_on"]),
        capacity=d["capacity"],
        place=d.get("place"),
        online_link=d.get("online_link"),
    )


def to_programme(d: MongoDocument, sessions: Sequence[MongoDocument] = ()) -> Programme:
    return Programme(
        code=d["_id"],
        title=d["title"],
        form=LearningForm(d["form"]),
        jp=d["jp"],
        competencies=frozenset(Competency(c) for c in d["competencies"]),
        berakhlak_values=frozenset(BerAkhlakValue(v) for v in d.get("berakhlak_values", [])),
        keywords=tuple(d.get("keywords", [])),
        sectors=frozenset(d.get("sectors", [])),
        position_types=frozenset(PositionType(t) for t in d.get("position_types", [])),
        employee_types=frozenset(EmployeeType(t) for t in d.get("employee_types", [])),
        international=d.get("international", False),
        days=d.get("days"),
        jp_stated=d.get("jp_stated"),
        minutes=d.get("minutes"),
        sessions=tuple(to_session(s) for s in sessions),
        description=d.get("description", ""),
    )


class CatalogueRepository:
    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db["catalogue"]
        self.sessions: AsyncCollection[MongoDocument] = db["sessions"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("code", ASCENDING)], unique=True, name="code_unique")
        await self.sessions.create_index([("program_code", ASCENDING)], name="program_code")
        await self.sessions.create_index([("ends_on", ASCENDING)], name="ends_on")

    async def get(self, code: str) -> MongoDocument | None:
        return await self.collection.find_one({"_id": code}, HIDDEN)

    async def all(self, limit: int = 5000) -> list[MongoDocument]:
        """The whole catalogue (bounded: the catalogue is curated by the BKPSDM, a few hundred programmes)."""
        return await self.collection.find({}, HIDDEN).sort("_id", ASCENDING).limit(limit).to_list(None)

    async def page(self, query: MongoDocument, *, limit: int, offset: int) -> tuple[list[MongoDocument], int]:
        return await find_page(self.collection, query, sort=[("_id", ASCENDING)], limit=limit, offset=offset)

    async def sessions_of(self, codes: Sequence[str]) -> list[MongoDocument]:
        """The session documents of the programmes ``codes``."""
        found = await find_in(self.sessions, "program_code", list(codes))
        return sorted(found, key=lambda d: (d["starts_on"], d["_id"]))

    async def session(self, code: str) -> MongoDocument | None:
        return await self.sessions.find_one({"_id": code})

    async def sessions_by_id(self, codes: Sequence[str]) -> dict[str, MongoDocument]:
        return {d["_id"]: d for d in await find_in(self.sessions, "_id", list(codes))}

    async def put(self, programme: Programme, now: dt.datetime, expected_version: int | None) -> MongoDocument | None:
        """Create (``expected_version`` None, and none stored) or replace (the stored version equals it) a
        programme; None when the version does not match. Sessions are upserted separately (``put_session``)."""
        document = {**programme_document(programme), "updated_at": now}
        if expected_version is None:
            try:
                await self.collection.insert_one({**document, "version": 1})
            except DuplicateKeyError:
                return None
            return {**document, "version": 1}
        result = await self.collection.update_one(
            {"_id": programme.code, "version": expected_version},
            {"$set": {**document, "version": expected_version + 1}},
        )
        return {**document, "version": expected_version + 1} if result.matched_count else None

    async def put_session(self, session: Session, program_code: str) -> bool:
        """Create a session with all its seats free, or change one: a new capacity moves the free seats by the
        difference, on condition that no more seats are taken than the new capacity (one conditional write).
        False when the new capacity is below the seats taken."""
        fields = session_fields(session, program_code)
        stored = await self.sessions.find_one({"_id": session.code})
        if stored is None:
            result = await self.sessions.update_one(
                {"_id": session.code},
                {"$setOnInsert": {**fields, "seats_free": session.capacity, "holders": []}},
                upsert=True,
            )
            if result.upserted_id is not None:
                return True
            stored = await self.sessions.find_one({"_id": session.code})
            assert stored is not None
        for _ in range(20):
            delta = session.capacity - stored["capacity"]
            result = await self.sessions.update_one(
                {"_id": session.code, "capacity": stored["capacity"], "seats_free": {"$gte": -delta}},
                {"$set": fields, "$inc": {"seats_free": delta}},
            )
            if result.matched_count:
                return True
            stored = await self.sessions.find_one({"_id": session.code})
            assert stored is not None
            taken = stored["capacity"] - stored["seats_free"]
            if session.capacity < taken:
                return False
        return False

    async def take_seat(self, code: str, holder: str) -> bool:
        """Give one free seat of a session to ``holder`` (an enrolment id), if a seat is free and they hold none:
        the counter and the list of holders change in one write, so never more than the capacity, whatever runs
        concurrently, and a seat is always known to belong to someone (``reconcile`` can give it back)."""
        result = await self.sessions.update_one(
            {"_id": code, "seats_free": {"$gt": 0}, "holders": {"$ne": holder}},
            {"$inc": {"seats_free": -1}, "$push": {"holders": holder}},
        )
        return result.modified_count == 1

    async def free_seat(self, code: str, holder: str) -> bool:
        """Give back the seat ``holder`` holds (nothing when they hold none: safe to repeat)."""
        result = await self.sessions.update_one(
            {"_id": code, "holders": holder}, {"$inc": {"seats_free": 1}, "$pull": {"holders": holder}}
        )
        return result.modified_count == 1

    async def running(self, today: dt.date, limit: int = 5000) -> list[MongoDocument]:
        """The sessions that have not ended (bounded; the start-up reconciliation)."""
        cursor = self.sessions.find({"ends_on": {"$gte": today.isoformat()}}, {"_id": 1, "holders": 1})
        return await cursor.limit(limit).to_list(None)

    async def seed(self, programmes: Sequence[Programme], now: dt.datetime) -> int:
        """Insert the programmes (and their sessions) that are not in the catalogue yet; returns how many.
        Idempotent: a programme already there (perhaps edited by the BKPSDM) is left as it is."""
        ops = [
            UpdateOne(
                {"_id": p.code},
                {"$setOnInsert": {**programme_document(p), "version": 1, "updated_at": now}},
                upsert=True,
            )
            for p in programmes
        ]
        if not ops:
            return 0
        result = await self.collection.bulk_write(ops, ordered=False)
        sessions = [
            UpdateOne(
                {"_id": s.code},
                {"$setOnInsert": {**session_fields(s, p.code), "seats_free": s.capacity, "holders": []}},
                upsert=True,
            )
            for p in programmes
            for s in p.sessions
        ]
        if sessions:
            await self.sessions.bulk_write(sessions, ordered=False)
        return result.upserted_count


def session_out(d: MongoDocument) -> dict[str, Any]:
    return {
        "code": d["_id"],
        "starts_on": d["starts_on"],
        "ends_on": d["ends_on"],
        "capacity": d["capacity"],
        "seats_free": d["seats_free"],
        "place": d.get("place"),
        "online_link": d.get("online_link"),
    }
