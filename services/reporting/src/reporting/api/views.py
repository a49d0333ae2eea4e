"""The views: employee, team, OPD, city, and how fresh the read models are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from reporting.api.common import PROBLEMS, ActorDep, AppraiserPath, Ctx, NipPath, OpdPath, YearQuery, year_or_now
from reporting.domain.access import may_read_city, may_read_opd
from reporting.schemas.views import (
    CityViewOut,
    EmployeeViewOut,
    OpdViewOut,
    PredikatSummaryOut,
    ServiceFreshnessOut,
    TeamViewOut,
)
from reporting.services import views
from shared.errors import ForbiddenError
from shared.events import PERIOD_PATTERN, Predikat

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get(
    "/employees/{nip}",
    response_model=EmployeeViewOut,
    summary="An employee: history with indicators, open development plans, recommendations, trainings and JP",
    responses=PROBLEMS,
)
async def employee(nip: NipPath, ctx: Ctx, actor: ActorDep, year: YearQuery = None) -> EmployeeViewOut:
    view = await views.employee_view(ctx, actor, nip, year_or_now(year, ctx))
    return EmployeeViewOut.model_validate(view)


@router.get(
    "/teams/{nip}",
    response_model=TeamViewOut,
    summary="A pejabat penilai's team: SKP status, evaluations done and due, predikat, plans, objections",
    responses=PROBLEMS,
)
async def team(nip: AppraiserPath, ctx: Ctx, actor: ActorDep, year: YearQuery = None) -> TeamViewOut:
    return TeamViewOut.model_validate(await views.team_view(ctx, actor, nip, year_or_now(year, ctx)))


@router.get(
    "/opd/{opd_code}",
    response_model=OpdViewOut,
    summary="An OPD: distribution per period against its curve, hotspots, JP compliance, adoption, cases",
    responses=PROBLEMS,
)
async def opd(opd_code: OpdPath, ctx: Ctx, actor: ActorDep, year: YearQuery = None) -> OpdViewOut:
    return OpdViewOut.model_validate(await views.opd_view(ctx, actor, opd_code, year_or_now(year, ctx)))


@router.get(
    "/city",
    response_model=CityViewOut,
    summary="The city: every OPD, trends across periods, escalations, training effectiveness, adoption ranked",
    responses=PROBLEMS,
)
async def city(ctx: Ctx, actor: ActorDep, year: YearQuery = None) -> CityViewOut:
    return CityViewOut.model_validate(await views.city_view(ctx, actor, year_or_now(year, ctx)))


@router.get(
    "/freshness",
    response_model=ServiceFreshnessOut,
    summary="How fresh the read models are: the newest event applied and the lag, per topic",
    responses=PROBLEMS,
)
async def freshness(ctx: Ctx, actor: ActorDep) -> ServiceFreshnessOut:
    return ServiceFreshnessOut.model_validate(await views.topics_freshness(ctx, actor))


@router.get(
    "/appraisals/summary",
    response_model=PredikatSummaryOut,
    summary="Completed appraisals per predikat (a period and/or an OPD, or all)",
    responses=PROBLEMS,
)
async def appraisal_summary(
    ctx: Ctx,
    actor: ActorDep,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
    opd_code: Annotated[str | None, Query(min_length=2, max_length=32, pattern=r"^[A-Z0-9_-]+$")] = None,
) -> PredikatSummaryOut:
    if opd_code is None and not may_read_city(actor):
        opd_code = actor.opd_code if "admin_opd" in actor.roles else min(actor.heads, default=None)
        if opd_code is None:
            raise ForbiddenError(views.NOT_VISIBLE, code="forbidden")
    if opd_code is not None and not may_read_opd(actor, opd_code):
        raise ForbiddenError(views.NOT_VISIBLE, code="forbidden")
    total, counts = await views.predikat_summary(ctx, period, opd_code)
    return PredikatSummaryOut(
        period=period, opd_code=opd_code, total=total, by_predikat={Predikat(k): v for k, v in counts.items()}
    )
