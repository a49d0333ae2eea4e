"""Live push (Server-Sent Events) of the caller's new messages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from notification.api.common import PROBLEMS, Ctx, audiences_of
from notification.schemas.models import StreamTicketOut
from notification.services import stream
from shared.auth import CurrentPrincipal, Principal, Role
from shared.http import PRINCIPAL, UNAUTHENTICATED, ProblemError
from shared.i18n import Text

router = APIRouter(tags=["stream"])


@router.post(
    "/stream-tickets",
    response_model=StreamTicketOut,
    status_code=201,
    summary="A short-lived ticket to open the caller's live stream from a browser (EventSource sends no headers)",
    responses=PROBLEMS,
)
async def new_stream_ticket(ctx: Ctx, principal: CurrentPrincipal) -> StreamTicketOut:
    ticket, expires = await stream.new_ticket(
        ctx, principal.nip, sorted(str(r) for r in principal.roles), principal.opd_code
    )
    return StreamTicketOut(ticket=ticket, expires_at=expires, url=f"/api/v1/stream?ticket={ticket}")


async def ticket_principal(
    request: Request, ctx: Ctx, ticket: Annotated[str | None, Query(max_length=100)] = None
) -> None:
    """A browser's ``EventSource`` sends no header: a stream ticket stands for the bearer token. The
    principal it was made for is handed to ``authenticate`` (which still refuses an inactive person)."""
    if ticket is None:
        return
    owner = await stream.ticket_owner(ctx, ticket)
    if owner is None:
        raise ProblemError(
            401,
            "unauthenticated",
            UNAUTHENTICATED,
            Text("Tiket stream tidak valid atau kedaluwarsa", "The stream ticket is not valid or has expired"),
            headers={"WWW-Authenticate": "Bearer"},
        )
    roles = frozenset(Role(r) for r in owner["roles"] if r in Role.__members__.values())
    request.scope[PRINCIPAL] = Principal(nip=owner["nip"], roles=roles, opd_code=owner.get("opd_code"))


@router.get(
    "/stream",
    summary="The caller's new messages as Server-Sent Events (bearer header, or ?ticket= from POST /stream-tickets)",
    response_class=StreamingResponse,
    dependencies=[Depends(ticket_principal)],
    responses={
        **PROBLEMS,
        200: {"description": "text/event-stream: `event: notification` frames", "content": {"text/event-stream": {}}},
    },
)
async def my_stream(
    request: Request,
    ctx: Ctx,
    principal: CurrentPrincipal,
    max_seconds: Annotated[
        int, Query(ge=1, le=3600, description="Close after this long (the client reconnects)")
    ] = 900,
) -> StreamingResponse:
    return StreamingResponse(
        stream.messages(ctx, audiences_of(principal), request.is_disconnected, max_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
