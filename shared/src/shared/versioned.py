"""Documents with a ``version`` for optimistic concurrency and an outbox for their events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from pymongo import InsertOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.events import Event
from shared.events.outbox import push_events, with_events
from shared.mongo import MongoDocument, find_in, write_skipping_duplicates
from shared.queries import HIDDEN, find_page


class AlreadyExistsError(Exception):
    """A document with this ``_id`` exists."""


class MissingError(Exception):
    """No document with this ``_id``."""


class BusyError(Exception):
    """Concurrent changes kept winning the compare-and-set."""


Decision = Callable[[MongoDocument], Awaitable[tuple[MongoDocument, Sequence[Event]]]]
CAS_ATTEMPTS = 5


class VersionedRepository:
    collection_name: ClassVar[str]

    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.collection: AsyncCollection[MongoDocument] = db[self.collection_name]

    async def ensure_indexes(self) -> None:
        """Indexes of the collection; subclasses add theirs."""

    async def get(self, document_id: Any) -> MongoDocument | None:
        return await self.collection.find_one({"_id": document_id}, HIDDEN)

    async def get_many(self, document_ids: Sequence[Any]) -> dict[Any, MongoDocument]:
        """The stored documents among ``document_ids``, by ``_id``, in one query."""
        documents = await find_in(self.collection, "_id", document_ids, HIDDEN)
        return {document["_id"]: document for document in documents}

    async def insert_many(self, documents: Sequence[tuple[MongoDocument, Sequence[Event]]], now: datetime) -> set[Any]:
        """Insert new documents, each with its events, in one bulk write; returns the ``_id`` of those
        not inserted because a document with that ``_id`` exists (the others are written)."""
        batch = [with_events(document, *events, now=now) if events else document for document, events in documents]
        taken = await write_skipping_duplicates(self.collection, [InsertOne(document) for document in batch])
        return {batch[index]["_id"] for index in taken}

    async def insert(self, document: MongoDocument, *events: Event, now: datetime) -> None:
        """Insert a new document (``version`` 1) with its events, in one write."""
        try:
            await self.collection.insert_one(with_events(document, *events, now=now) if events else document)
        except DuplicateKeyError as exc:
            raise AlreadyExistsError(document["_id"]) from exc

    async def update(
        self,
        current: MongoDocument,
        fields: MongoDocument,
        *events: Event,
        now: datetime,
        push: MongoDocument | None = None,
    ) -> MongoDocument | None:
        """Set ``fields`` on the document as read in ``current`` (and push one value to each array of
        ``push``), bump the version and add the events, in one write, if the stored version is still
        ``current``'s; returns the document as written, or None when someone else changed it first."""
        if any("." in field for field in [*fields, *(push or {})]):
            raise ValueError("update() sets whole fields; the written document is built from them")
        version = current["version"]
        update: MongoDocument = {"$set": {**fields, "version": version + 1, "updated_at": now}}
        outbox = push_events(*events, now=now) if events else {}
        pushes: dict[str, Any] = {**(push or {}), **outbox.get("$push", {})}
        if pushes:
            update["$push"] = pushes
        if "$min" in outbox:
            update["$min"] = outbox["$min"]
        # One atomic compare-and-set: it applies only if nobody changed the document since it was read.
        # (update_one, not find_one_and_update: SecantusDB, the local default, runs findAndModify as a
        # scan of the whole collection.) The result is what this write made of ``current``.
        result = await self.collection.update_one({"_id": current["_id"], "version": version}, update)
        if result.matched_count == 0:
            return None
        written = {**current, **fields, "version": version + 1, "updated_at": now}
        for field, value in (push or {}).items():
            written[field] = [*current.get(field, []), value]
        return written

    async def modify(
        self,
        document_id: Any,
        decide: Decision,
        *,
        now: Callable[[], datetime],
        first: MongoDocument | None = None,
    ) -> MongoDocument:
        """Read the document, let ``decide`` return the fields to set and the events to add (or
        raise to refuse), and write them with compare-and-set; retried when another change of the
        same document got in first. ``first``: the document as this request already read it (with
        ``get``), tried first instead of reading it again; if it changed since, the compare-and-set
        fails and the next attempt reads it afresh."""
        for attempt in range(CAS_ATTEMPTS):
            current = first if attempt == 0 and first is not None else await self.get(document_id)
            if current is None:
                raise MissingError(document_id)
            fields, events = await decide(current)
            stored = await self.update(current, fields, *events, now=now())
            if stored is not None:
                return stored
        raise BusyError(document_id)

    async def page(
        self, query: MongoDocument, *, sort: list[tuple[str, int]], limit: int, offset: int
    ) -> tuple[list[MongoDocument], int]:
        return await find_page(self.collection, query, sort=sort, limit=limit, offset=offset)
