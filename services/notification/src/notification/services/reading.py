"""Marking inbox messages read. The first time a message is marked read, ``notification.read.v1`` is
written into its outbox in the same write as the read flag; marking it read again writes nothing. A
message of a group inbox (the BKPSDM, an OPD's admins) or of the PPK has no NIP to key the event by: it is
marked read without an event, as it was delivered without one (notify.message_document)."""

from __future__ import annotations

import datetime as dt

from notification.domain import routing
from notification.services.context import PRODUCER, Notifier, utc_now
from shared.events import NotificationRead, NotificationReadPayload
from shared.mongo import MongoDocument


def _now() -> dt.datetime:
    """Now, to the millisecond the database keeps: the event's ``read_at`` is the stored one."""
    now = utc_now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


MAX_READ_ALL = 1000
"""Messages one ``POST /inbox/read-all`` marks read at most (the newest unread first): each gets its own
event, so the write is bounded; the response says how many stay unread, and the caller repeats."""


def read_event(message: MongoDocument, read_at: dt.datetime) -> NotificationRead | None:
    """notification.read.v1 for a message first read at ``read_at``; None for a message without a NIP."""
    if not routing.is_nip(message["recipient"]):
        return None
    return NotificationRead.create(
        NotificationReadPayload(
            notification_id=message["_id"],
            nip=message["recipient"],
            kind=message["kind"],
            source_event_id=message.get("source_event_id") or "",
            read_at=read_at,
        ),
        producer=PRODUCER,
    )


async def read_one(ctx: Notifier, audiences: list[str], notification_id: str) -> MongoDocument | None:
    """Mark one of the caller's messages read; the message as it is now, or None when not the caller's."""
    found = await ctx.inbox.mine(audiences, notification_id)
    if found is None:
        return None
    if not found["read"]:
        now = _now()
        event = read_event(found, now)
        if await ctx.inbox.mark_read(notification_id, now, event) and event is not None:
            ctx.wake_relay(ctx.inbox.notifications.name, notification_id)
    return await ctx.inbox.get(notification_id)


async def read_all(ctx: Notifier, audiences: list[str]) -> tuple[int, int]:
    """Mark up to MAX_READ_ALL of the caller's unread messages read, each with its event; returns (marked,
    still unread)."""
    now = _now()
    unread = await ctx.inbox.unread_messages(audiences, MAX_READ_ALL)
    marks = [(message["_id"], read_event(message, now)) for message in unread]
    marked = await ctx.inbox.mark_many_read(marks, now)
    for message_id, event in marks:
        if event is not None:
            ctx.wake_relay(ctx.inbox.notifications.name, message_id)
    return marked, await ctx.inbox.unread(audiences)
