"""The catalogue: every authenticated caller reads it; the BKPSDM manages it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from shared.auth import CurrentPrincipal
from shared.mongo import MongoDocument
from shared.pagination import OptionalVersion, Page, Paging, etag
from training.api.common import PROBLEMS, ActorDep, Ctx
from training.domain.catalogue import Programme, Session
from training.repository.catalogue import session_out
from training.schemas.models import ProgrammeIn, ProgrammeOut, SessionOut
from training.services import catalogue, enrolments

router = APIRouter(tags=["catalogue"])
CodePath = Annotated[str, Path(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$", examples=["KES-IMUN-01"])]


def programme_out(document: MongoDocument, sessions: list[MongoDocument]) -> ProgrammeOut:
    return ProgrammeOut.model_validate(
        {**document, "sessions": [SessionOut.model_validate(session_out(s)) for s in sessions]}
    )


@router.get("/programmes", response_model=Page[ProgrammeOut], summary="The catalogue", responses=PROBLEMS)
async def list_programmes(
    ctx: Ctx,
    principal: CurrentPrincipal,
    paging: Paging,
    sector: Annotated[str | None, Query(max_length=60)] = None,
    competency: Annotated[str | None, Query(max_length=60)] = None,
) -> Page[ProgrammeOut]:
    del principal
    query: MongoDocument = {}
    if sector:
        query["sectors"] = sector
    if competency:
        query["competencies"] = competency
    items, total = await ctx.catalogue.page(query, limit=paging.limit, offset=paging.offset)
    sessions = await ctx.catalogue.sessions_of([d["_id"] for d in items])
    return Page[ProgrammeOut](
        items=[programme_out(d, [s for s in sessions if s["_id"] in d.get("session_codes", [])]) for d in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get(
    "/programmes/{code}", response_model=ProgrammeOut, summary="One programme with its sessions", responses=PROBLEMS
)
async def get_programme(code: CodePath, ctx: Ctx, principal: CurrentPrincipal, response: Response) -> ProgrammeOut:
    del principal
    document, sessions = await catalogue.programme_with_sessions(ctx.catalogue, code)
    response.headers["ETag"] = etag(document["version"])
    return programme_out(document, sessions)


@router.put(
    "/programmes/{code}",
    response_model=ProgrammeOut,
    summary="Create or replace a programme with its sessions (admin_bkpsdm); If-Match to replace",
    responses={**PROBLEMS, 201: {"description": "created"}, 412: {"description": "If-Match does not match"}},
)
async def put_programme(
    code: CodePath, body: ProgrammeIn, ctx: Ctx, actor: ActorDep, version: OptionalVersion, response: Response
) -> ProgrammeOut:
    programme = Programme(
        code=code,
        title=body.title,
        form=body.form,
        jp=body.jp,
        competencies=frozenset(body.competencies),
        berakhlak_values=frozenset(body.berakhlak_values),
        keywords=tuple(body.keywords),
        sectors=frozenset(body.sectors),
        position_types=frozenset(body.position_types),
        employee_types=frozenset(body.employee_types),
        international=body.international,
        days=body.days,
        jp_stated=body.jp_stated,
        minutes=body.minutes,
        sessions=tuple(
            Session(s.code, s.starts_on, s.ends_on, s.capacity, s.place, s.online_link) for s in body.sessions
        ),
        description=body.description,
    )
    written, created = await catalogue.put_programme(
        ctx.catalogue, ctx.enrolments, actor, programme, version, ctx.now()
    )
    for session in programme.sessions:  # more seats go to the waiting list
        await enrolments.promote(ctx, session.code)
    response.status_code = 201 if created else 200
    document, sessions = await catalogue.programme_with_sessions(ctx.catalogue, code)
    response.headers["ETag"] = etag(written["version"])
    return programme_out(document, sessions)
