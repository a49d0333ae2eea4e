"""Live push: Server-Sent Events of the caller's new inbox messages.

A browser's ``EventSource`` cannot send an ``Authorization`` header, so the page first asks for a
short-lived stream ticket (``POST /stream-tickets`` with its bearer token) and opens
``GET /stream?ticket=...``; other clients may call ``GET /stream`` with the bearer header. The ticket is
random, stored only as its SHA-256, valid for ``NOTIFICATION_STREAM_TICKET_TTL_S`` and only for the
inboxes of who asked for it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import quote

from notification.services.context import Notifier, utc_now
from shared.mongo import MongoDocument

OVERLAP = dt.timedelta(seconds=5)
"""How far back each poll looks again (messages stored by other replicas with a slightly late clock)."""


def digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


async def new_ticket(ctx: Notifier, nip: str, roles: list[str], opd_code: str | None) -> tuple[str, dt.datetime]:
    ticket = secrets.token_urlsafe(32)
    expires = utc_now() + dt.timedelta(seconds=ctx.settings.stream_ticket_ttl_s)
    await ctx.inbox.add_ticket(digest(ticket), {"nip": nip, "roles": roles, "opd_code": opd_code}, expires)
    return ticket, expires


async def ticket_owner(ctx: Notifier, ticket: str) -> MongoDocument | None:
    return await ctx.inbox.ticket(digest(ticket), utc_now())


def _event(document: MongoDocument) -> str:
    """One SSE frame. No field may hold a CR or LF (it would end the field and start a forged one): the
    ``id:`` line carries the message id percent-encoded, ``data:`` is one line of JSON."""
    data = {
        "id": document["_id"],
        "kind": document["kind"],
        "title": document["title"],
        "body": document["body"],
        "link": document["link"],
        "task": document.get("task"),
        "created_at": document["created_at"].isoformat(),
    }
    frame_id = quote(str(document["_id"]), safe="|:@._~-")
    return f"id: {frame_id}\nevent: notification\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def messages(
    ctx: Notifier,
    audiences: list[str],
    disconnected: Callable[[], Awaitable[bool]],
    max_seconds: float,
) -> AsyncIterator[str]:
    """New messages for ``audiences`` as SSE frames (push enabled), heartbeats in between, for at most
    ``max_seconds`` (the client reconnects)."""
    settings = ctx.settings
    started = utc_now()
    since = started
    seen: dict[str, dt.datetime] = {}
    last_beat = started
    yield "retry: 3000\n: connected\n\n"
    while (utc_now() - started).total_seconds() < max_seconds:
        if await disconnected():
            return
        for document in await ctx.inbox.since(audiences, since - OVERLAP):
            if document["_id"] in seen:
                continue
            seen[document["_id"]] = document["created_at"]
            if document["created_at"] > since:
                since = document["created_at"]
            if document["created_at"] >= started and "push" in document.get("channels", ["push"]):
                yield _event(document)
        seen = {k: v for k, v in seen.items() if v >= since - OVERLAP}
        now = utc_now()
        if (now - last_beat).total_seconds() >= settings.stream_heartbeat_s:
            last_beat = now
            yield ": heartbeat\n\n"
        await ctx.new_messages.wait(settings.stream_poll_interval_s)
