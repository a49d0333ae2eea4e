"""Live push (Server-Sent Events) of the caller's new messages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from notification.api.common import PROBLEMS, Ctx, audiences_of
from notification.domain.routing import audiences
from notification.schemas.models import StreamTicketOut
from notification.services import stream
from shared.auth import CurrentPrincipal, authenticate
from shared.http import ProblemError
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


@router.get(
    "/stream",
    summary="The caller's new messages as Server-Sent Events (bearer header, or ?ticket= from POST /stream-tickets)",
    response_class=StreamingResponse,
    responses={
        **PROBLEMS,
        200: {"description": "text/event-stream: `event: notification` frames", "content": {"text/event-stream": {}}},
    },
)
async def my_stream(
    request: Request,
    ctx: Ctx,
    ticket: Annotated[str | None, Query(max_length=100)] = None,
    max_seconds: Annotated[
        int, Query(ge=1, le=3600, description="Close after this long (the client reconnects)")
    ] = 900,
) -> StreamingResponse:
    if ticket is not None:
        owner = await stream.ticket_owner(ctx, ticket)
        if owner is None:
            raise ProblemError(
                401,
                "unauthenticated",
                Text("Tidak terautentikasi", "Unauthenticated"),
                Text("Tiket stream tidak valid atau kedaluwarsa", "The stream ticket is not valid or has expired"),
            )
        if await ctx.people.is_inactive(owner["nip"]):
            raise ProblemError(
                403,
                "inactive",
                Text("Dilarang", "Forbidden"),
                Text("Data kepegawaian Anda berstatus tidak aktif", "Your registry record is inactive"),
            )
        mine = audiences(owner["nip"], frozenset(owner["roles"]), owner.get("opd_code"))
    else:
        mine = audiences_of(await authenticate(request))
    return StreamingResponse(
        stream.messages(ctx, mine, request.is_disconnected, max_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
