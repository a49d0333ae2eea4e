"""Recommendations and enrolments: seen by the employee, their pejabat penilai, their OPD's admin, the BKPSDM."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from shared.pagination import Page, Paging
from shared.queries import all_of
from training.api.common import PROBLEMS, ActorDep, Ctx
from training.schemas.models import (
    AcceptedOut,
    AcceptIn,
    CompletionIn,
    DeclineIn,
    EnrolIn,
    EnrolmentOut,
    Nip,
    RecommendationOut,
    out,
)
from training.services import enrolments, recommendations
from training.services.context import visible_nips, visible_query

router = APIRouter()
RecommendationId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
EnrolmentId = Annotated[str, Path(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}:[0-9]{18}$")]


@router.get(
    "/recommendations",
    response_model=Page[RecommendationOut],
    tags=["recommendations"],
    summary="Recommendations the caller may see (own, team, OPD, all), newest first",
    responses=PROBLEMS,
)
async def list_recommendations(
    ctx: Ctx,
    actor: ActorDep,
    paging: Paging,
    nip: Annotated[str | None, Query(pattern=r"^[0-9]{18}$")] = None,
    status: Annotated[str | None, Query(pattern="^(open|no_match|accepted|declined|withdrawn)$")] = None,
) -> Page[RecommendationOut]:
    filters = {k: v for k, v in {"nip": nip, "status": status}.items() if v}
    query = all_of(filters, visible_query(await visible_nips(ctx, actor)))
    items, total = await ctx.recommendations.page(
        query, sort=[("created_at", -1), ("_id", 1)], limit=paging.limit, offset=paging.offset
    )
    return Page[RecommendationOut](
        items=[out(RecommendationOut, d) for d in items], total=total, limit=paging.limit, offset=paging.offset
    )


@router.get(
    "/recommendations/{recommendation_id}",
    response_model=RecommendationOut,
    tags=["recommendations"],
    summary="One recommendation with its ranked, explained programmes",
    responses=PROBLEMS,
)
async def get_recommendation(recommendation_id: RecommendationId, ctx: Ctx, actor: ActorDep) -> RecommendationOut:
    document = await recommendations.get_visible(ctx, actor, recommendation_id)
    result: RecommendationOut = out(RecommendationOut, document)
    return result


@router.post(
    "/recommendations/{recommendation_id}/accept",
    response_model=AcceptedOut,
    tags=["recommendations"],
    summary="Accept: enrol in a session of one recommended programme (the employee or their pejabat penilai)",
    responses=PROBLEMS,
)
async def accept(recommendation_id: RecommendationId, body: AcceptIn, ctx: Ctx, actor: ActorDep) -> AcceptedOut:
    rec, enrolment = await recommendations.accept(ctx, actor, recommendation_id, body.program_code, body.session_code)
    return AcceptedOut(recommendation=out(RecommendationOut, rec), enrolment=out(EnrolmentOut, enrolment))


@router.post(
    "/recommendations/{recommendation_id}/decline",
    response_model=RecommendationOut,
    tags=["recommendations"],
    summary="Decline with a reason (the employee or their pejabat penilai)",
    responses=PROBLEMS,
)
async def decline(recommendation_id: RecommendationId, body: DeclineIn, ctx: Ctx, actor: ActorDep) -> RecommendationOut:
    result: RecommendationOut = out(
        RecommendationOut, await recommendations.decline(ctx, actor, recommendation_id, body.reason)
    )
    return result


@router.post(
    "/enrolments",
    response_model=EnrolmentOut,
    status_code=201,
    tags=["enrolments"],
    summary="Enrol in a session: a seat, or a place on the waiting list when it is full; 200 if already enrolled",
    responses={**PROBLEMS, 200: {"description": "already enrolled in this session"}},
)
async def enrol(body: EnrolIn, ctx: Ctx, actor: ActorDep, response: Response) -> EnrolmentOut:
    document, created = await enrolments.enrol(ctx, actor, body.nip, body.session_code)
    response.status_code = 201 if created else 200
    result: EnrolmentOut = out(EnrolmentOut, document)
    return result


@router.get(
    "/enrolments",
    response_model=Page[EnrolmentOut],
    tags=["enrolments"],
    summary="Enrolments the caller may see (own, team, OPD, all)",
    responses=PROBLEMS,
)
async def list_enrolments(
    ctx: Ctx,
    actor: ActorDep,
    paging: Paging,
    nip: Annotated[Nip | None, Query()] = None,
    session_code: Annotated[str | None, Query(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$")] = None,
    status: Annotated[
        str | None, Query(pattern="^(enrolled|waitlisted|cancelled|declined|attended|completed)$")
    ] = None,
) -> Page[EnrolmentOut]:
    filters = {k: v for k, v in {"nip": nip, "session_code": session_code, "status": status}.items() if v}
    query = all_of(filters, visible_query(await visible_nips(ctx, actor)))
    sort = [("session_code", 1), ("status", 1), ("priority", 1), ("requested_at", 1), ("_id", 1)]
    items, total = await ctx.enrolments.page(query, sort=sort, limit=paging.limit, offset=paging.offset)
    return Page[EnrolmentOut](
        items=[out(EnrolmentOut, d) for d in items], total=total, limit=paging.limit, offset=paging.offset
    )


@router.get(
    "/enrolments/{enrolment_id}",
    response_model=EnrolmentOut,
    tags=["enrolments"],
    summary="One enrolment",
    responses=PROBLEMS,
)
async def get_enrolment(enrolment_id: EnrolmentId, ctx: Ctx, actor: ActorDep) -> EnrolmentOut:
    result: EnrolmentOut = out(EnrolmentOut, await enrolments.get_visible(ctx, actor, enrolment_id))
    return result


@router.post(
    "/enrolments/{enrolment_id}/cancel",
    response_model=EnrolmentOut,
    tags=["enrolments"],
    summary="Cancel (the employee, their pejabat penilai, the OPD's admin or the BKPSDM); "
    "the seat goes to the next waiting",
    responses=PROBLEMS,
)
async def cancel(enrolment_id: EnrolmentId, ctx: Ctx, actor: ActorDep) -> EnrolmentOut:
    result: EnrolmentOut = out(EnrolmentOut, await enrolments.cancel(ctx, actor, enrolment_id))
    return result


@router.post(
    "/enrolments/{enrolment_id}/attendance",
    response_model=EnrolmentOut,
    tags=["enrolments"],
    summary="Record attendance (the OPD's admin or the BKPSDM), from the first day of the session",
    responses=PROBLEMS,
)
async def attend(enrolment_id: EnrolmentId, ctx: Ctx, actor: ActorDep) -> EnrolmentOut:
    result: EnrolmentOut = out(EnrolmentOut, await enrolments.attend(ctx, actor, enrolment_id))
    return result


@router.post(
    "/enrolments/{enrolment_id}/completion",
    response_model=EnrolmentOut,
    tags=["enrolments"],
    summary="Record completion with the certificate number (the OPD's admin or the BKPSDM): the JP are credited",
    responses=PROBLEMS,
)
async def complete(enrolment_id: EnrolmentId, body: CompletionIn, ctx: Ctx, actor: ActorDep) -> EnrolmentOut:
    document = await enrolments.complete(ctx, actor, enrolment_id, body.certificate_ref, body.completed_on)
    result: EnrolmentOut = out(EnrolmentOut, document)
    return result
