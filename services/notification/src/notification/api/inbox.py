"""The inbox and the tasks: only ever the caller's own (and their roles' group inboxes)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from notification.api.common import PROBLEMS, Audiences, Ctx
from notification.schemas.models import InboxItemOut, InboxPage, MarkedRead, TaskOut, TaskPage, UnreadCount
from notification.services import reading
from shared.errors import NotFoundError
from shared.i18n import Text
from shared.mongo import MongoDocument
from shared.pagination import MAX_OFFSET

router = APIRouter(tags=["inbox"])
ID = Path(max_length=400)


def item_out(document: MongoDocument) -> InboxItemOut:
    return InboxItemOut(
        id=document["_id"],
        kind=document["kind"],
        title=document["title"],
        body=document["body"],
        link=document.get("link", ""),
        ref=document.get("record", "").split(":", 1)[-1],
        task=document.get("task"),
        due=document.get("due"),
        created_at=document["created_at"],
        read=document["read"],
        read_at=document.get("read_at"),
    )


@router.get(
    "/inbox", response_model=InboxPage, summary="The caller's messages, unread first, then newest", responses=PROBLEMS
)
async def my_inbox(
    ctx: Ctx,
    mine: Audiences,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    unread_only: bool = False,
) -> InboxPage:
    items, total = await ctx.inbox.page(mine, unread_only=unread_only, limit=limit, offset=offset)
    unread = await ctx.inbox.unread(mine)
    return InboxPage(items=[item_out(d) for d in items], total=total, unread=unread, limit=limit, offset=offset)


@router.get(
    "/inbox/unread-count",
    response_model=UnreadCount,
    summary="How many of the caller's messages are unread",
    responses=PROBLEMS,
)
async def unread_count(ctx: Ctx, mine: Audiences) -> UnreadCount:
    return UnreadCount(unread=await ctx.inbox.unread(mine))


@router.post(
    "/inbox/read-all",
    response_model=MarkedRead,
    summary=f"Mark the caller's unread messages read, up to {reading.MAX_READ_ALL} (the newest) per call",
    description=(
        "Each message marked read for the first time publishes `notification.read.v1`. `remaining` says how many "
        "stay unread: call again while it is above 0."
    ),
    responses=PROBLEMS,
)
async def read_all(ctx: Ctx, mine: Audiences) -> MarkedRead:
    marked, remaining = await reading.read_all(ctx, mine)
    return MarkedRead(marked=marked, remaining=remaining)


@router.post(
    "/inbox/{notification_id}/read",
    response_model=InboxItemOut,
    summary="Mark one of the caller's messages read",
    description="The first time only, publishes `notification.read.v1`; marking it read again changes nothing.",
    responses=PROBLEMS,
)
async def read_one(ctx: Ctx, mine: Audiences, notification_id: Annotated[str, ID]) -> InboxItemOut:
    found = await reading.read_one(ctx, mine, notification_id)
    if found is None:
        raise NotFoundError(Text("Pesan tidak ditemukan", "Message not found"), code="not_found")
    return item_out(found)


@router.get("/tasks", response_model=TaskPage, summary="The caller's tasks, open first", responses=PROBLEMS)
async def my_tasks(
    ctx: Ctx,
    mine: Audiences,
    status: Literal["open", "closed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> TaskPage:
    items, total = await ctx.inbox.task_page(mine, status, limit=limit, offset=offset)
    return TaskPage(
        items=[
            TaskOut(
                id=d["_id"],
                kind=d["kind"],
                title=d["title"],
                body=d["body"],
                link=d["link"],
                status=d["status"],
                due=d.get("due"),
                opened_at=d.get("opened_at"),
                closed_at=d.get("closed_at"),
                notification_id=d.get("notification_id"),
            )
            for d in items
        ],
        total=total,
        limit=limit,
        offset=offset,
    )
