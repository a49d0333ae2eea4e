"""HTTP routes of the notification service."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Query, Request

from notification.schemas import InboxItemOut, InboxPage
from notification.wiring import Deps
from shared.auth import CurrentPrincipal
from shared.pagination import MAX_OFFSET

router = APIRouter(prefix="/api/v1", tags=["inbox"])


def get_deps(request: Request) -> Deps:
    return cast(Deps, request.app.state.deps)


@router.get(
    "/inbox",
    response_model=InboxPage,
    summary="The caller's inbox, newest first",
    responses={401: {"description": "missing or invalid bearer token"}},
)
async def my_inbox(
    principal: CurrentPrincipal,
    deps: Annotated[Deps, Depends(get_deps)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> InboxPage:
    items, total = await deps.inbox.list_for(principal.nip, limit=limit, offset=offset)
    return InboxPage(
        items=[InboxItemOut.model_validate({**item, "id": item["_id"]}) for item in items],
        total=total,
        limit=limit,
        offset=offset,
    )
