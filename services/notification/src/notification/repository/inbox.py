"""Messages (``notifications``: the inbox), tasks (``tasks``), the highest revision told per record,
kind family and recipient (``marks``), and live-stream tickets (``stream_tickets``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, InsertOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from notification.domain.routing import TaskAction, TaskChange
from shared.events import Event
from shared.events.outbox import push_events
from shared.mongo import MongoDocument, write_skipping_duplicates

MAX_STREAM_BATCH = 100


class Inbox:
    def __init__(self, db: AsyncDatabase[MongoDocument]) -> None:
        self.notifications: AsyncCollection[MongoDocument] = db["notifications"]
        self.tasks: AsyncCollection[MongoDocument] = db["tasks"]
        self.marks: AsyncCollection[MongoDocument] = db["marks"]
        self.tickets: AsyncCollection[MongoDocument] = db["stream_tickets"]

    async def ensure_indexes(self) -> None:
        await self.notifications.create_index(
            [("recipient", ASCENDING), ("read", ASCENDING), ("created_at", DESCENDING), ("_id", ASCENDING)],
            name="recipient_read_created",
        )
        await self.notifications.create_index(
            [("recipient", ASCENDING), ("created_at", ASCENDING)], name="recipient_created"
        )
        await self.tasks.create_index(
            [("recipient", ASCENDING), ("status", ASCENDING), ("changed_at", DESCENDING), ("_id", ASCENDING)],
            name="recipient_status_changed",
        )
        await self.tickets.create_index([("expires_at", ASCENDING)], name="expires_at")

    # ---- revisions

    async def admit(self, mark_id: str, revision: int) -> bool:
        """Whether ``revision`` is at least the highest told for ``mark_id`` (then it is recorded): an
        older one is stale. Equal passes, so a redelivery after a crash still writes its (same) message."""
        try:
            await self.marks.insert_one({"_id": mark_id, "revision": revision})
            return True
        except DuplicateKeyError:
            result = await self.marks.update_one(
                {"_id": mark_id, "revision": {"$lte": revision}}, {"$set": {"revision": revision}}
            )
            return result.matched_count == 1

    async def admit_many(self, marks: Sequence[tuple[str, int]]) -> list[bool]:
        """``admit`` for many at once: one bulk insert (new marks, the common case), then a conditional
        update for each mark already there, in order (a batch holding two revisions: the first one wins
        when it is the higher)."""
        skipped = await write_skipping_duplicates(
            self.marks, [InsertOne({"_id": mark_id, "revision": revision}) for mark_id, revision in marks]
        )
        admitted = [True] * len(marks)
        for index in sorted(skipped):
            mark_id, revision = marks[index]
            result = await self.marks.update_one(
                {"_id": mark_id, "revision": {"$lte": revision}}, {"$set": {"revision": revision}}
            )
            admitted[index] = result.matched_count == 1
        return admitted

    # ---- messages

    async def add_many(self, documents: Sequence[MongoDocument]) -> set[str]:
        """Store messages (ids are deterministic: a message already stored is skipped); returns the new ids."""
        skipped = await write_skipping_duplicates(self.notifications, [InsertOne(d) for d in documents])
        return {d["_id"] for i, d in enumerate(documents) if i not in skipped}

    async def page(
        self, audiences: list[str], *, unread_only: bool, limit: int, offset: int
    ) -> tuple[list[MongoDocument], int]:
        """Unread first, then newest first."""
        query: MongoDocument = {"recipient": {"$in": audiences}}
        if unread_only:
            query["read"] = False
        total = await self.notifications.count_documents(query)
        cursor = self.notifications.find(query, {"outbox": 0, "outbox_since": 0}).sort(
            [("read", ASCENDING), ("created_at", DESCENDING), ("_id", ASCENDING)]
        )
        return await cursor.skip(offset).limit(limit).to_list(None), total

    async def unread(self, audiences: list[str]) -> int:
        return await self.notifications.count_documents({"recipient": {"$in": audiences}, "read": False})

    async def mine(self, audiences: list[str], notification_id: str) -> MongoDocument | None:
        """The message, when it is in one of ``audiences`` (the caller's inboxes)."""
        return await self.notifications.find_one(
            {"_id": notification_id, "recipient": {"$in": audiences}}, {"outbox": 0, "outbox_since": 0}
        )

    async def get(self, notification_id: str) -> MongoDocument | None:
        return await self.notifications.find_one({"_id": notification_id}, {"outbox": 0, "outbox_since": 0})

    async def mark_read(self, notification_id: str, now: dt.datetime, event: Event | None) -> bool:
        """Mark the message read with its event (one write), unless it is read already; whether it was marked."""
        result = await self.notifications.update_one({"_id": notification_id, "read": False}, _read(now, event))
        return result.modified_count == 1

    async def unread_messages(self, audiences: list[str], limit: int) -> list[MongoDocument]:
        """Up to ``limit`` unread messages of ``audiences``, newest first (what an event of each needs)."""
        cursor = self.notifications.find(
            {"recipient": {"$in": audiences}, "read": False}, {"recipient": 1, "kind": 1, "source_event_id": 1}
        )
        return await cursor.sort([("created_at", DESCENDING), ("_id", ASCENDING)]).limit(limit).to_list(None)

    async def mark_many_read(self, marks: Sequence[tuple[str, Event | None]], now: dt.datetime) -> int:
        """``mark_read`` for many messages in one bulk write (each message with its own event); how many
        were marked (those read meanwhile are skipped)."""
        if not marks:
            return 0
        result = await self.notifications.bulk_write(
            [UpdateOne({"_id": message_id, "read": False}, _read(now, event)) for message_id, event in marks],
            ordered=False,
        )
        return result.modified_count

    async def since(self, audiences: list[str], since: dt.datetime) -> list[MongoDocument]:
        """Messages stored at or after ``since`` (the live stream), oldest first."""
        cursor = self.notifications.find(
            {"recipient": {"$in": audiences}, "created_at": {"$gte": since}}, {"outbox": 0, "outbox_since": 0}
        )
        return await cursor.sort([("created_at", ASCENDING), ("_id", ASCENDING)]).limit(MAX_STREAM_BATCH).to_list(None)

    # ---- tasks

    async def apply_tasks(self, changes: Sequence[TaskChange], opened: dict[str, MongoDocument]) -> None:
        """Open or close tasks; the newest change (by when its event happened) wins, in any order of arrival.
        ``opened``: the message of each opening change, by notification id."""
        operations: list[UpdateOne] = []
        for change in changes:
            status = "open" if change.action is TaskAction.OPEN else "closed"
            fields: dict[str, Any] = {"status": status, "changed_at": change.at}
            if change.action is TaskAction.OPEN and change.notification_id in opened:
                message = opened[change.notification_id]
                fields |= {
                    "recipient": change.recipient,
                    "kind": message["kind"],
                    "title": message["title"],
                    "body": message["body"],
                    "link": message["link"],
                    "due": message.get("due"),
                    "notification_id": change.notification_id,
                    "opened_at": change.at,
                    "closed_at": None,
                }
            elif change.action is TaskAction.CLOSE:
                fields["closed_at"] = change.at
            operations.append(
                UpdateOne({"_id": change.key, "changed_at": {"$lt": change.at}}, {"$set": fields}, upsert=True)
            )
        await write_skipping_duplicates(self.tasks, operations)

    async def task_page(
        self, audiences: list[str], status: str | None, *, limit: int, offset: int
    ) -> tuple[list[MongoDocument], int]:
        """Open first, then the most recently changed."""
        query: MongoDocument = {"recipient": {"$in": audiences}}
        query["status"] = status if status else {"$in": ["open", "closed"]}
        total = await self.tasks.count_documents(query)
        cursor = self.tasks.find(query).sort([("status", DESCENDING), ("changed_at", DESCENDING), ("_id", ASCENDING)])
        return await cursor.skip(offset).limit(limit).to_list(None), total

    # ---- stream tickets

    async def add_ticket(self, digest: str, owner: MongoDocument, expires_at: dt.datetime) -> None:
        await self.tickets.delete_many({"expires_at": {"$lt": dt.datetime.now(dt.UTC)}})
        await self.tickets.insert_one({"_id": digest, **owner, "expires_at": expires_at})

    async def ticket(self, digest: str, now: dt.datetime) -> MongoDocument | None:
        return await self.tickets.find_one({"_id": digest, "expires_at": {"$gt": now}})


def _read(now: dt.datetime, event: Event | None) -> MongoDocument:
    """The update that marks a message read, with its notification.read.v1 in the outbox when there is one."""
    update: MongoDocument = {"$set": {"read": True, "read_at": now}}
    return update | push_events(event, now=now) if event is not None else update
