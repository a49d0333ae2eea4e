from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from appraisal.api.common import PROBLEMS, ActorDep, DepsDep
from appraisal.schemas.common import OpdCode
from appraisal.schemas.evaluations import DistributionOut, OrgPredikatIn
from appraisal.services import organisation

router = APIRouter(tags=["organisation"])
Year = Annotated[int, Path(ge=2020, le=2100)]


@router.put(
    "/opd/{opd_code}/years/{year}/predikat",
    response_model=DistributionOut,
    summary="Set the organisation predikat of an OPD for a year (the BKPSDM or the head of the OPD)",
    responses={**PROBLEMS, 409: {"description": "the year is closed"}},
)
async def set_predikat(
    opd_code: OpdCode, year: Year, body: OrgPredikatIn, deps: DepsDep, actor: ActorDep
) -> DistributionOut:
    await organisation.set_org_predikat(opd_code, year, body.predikat, actor=actor, ctx=deps.organisation)
    return DistributionOut.model_validate(
        await organisation.distribution(opd_code, year, actor=actor, ctx=deps.organisation)
    )


@router.get(
    "/opd/{opd_code}/years/{year}/distribution",
    response_model=DistributionOut,
    summary="Annual predikat of an OPD's employees against the distribution pattern (pola distribusi)",
    responses=PROBLEMS,
)
async def get_distribution(opd_code: OpdCode, year: Year, deps: DepsDep, actor: ActorDep) -> DistributionOut:
    return DistributionOut.model_validate(
        await organisation.distribution(opd_code, year, actor=actor, ctx=deps.organisation)
    )


@router.post(
    "/opd/{opd_code}/years/{year}/close",
    response_model=DistributionOut,
    summary="Close an OPD's year (admin_bkpsdm); refused while the distribution is violated and enforcement "
    "is blocking",
    responses={**PROBLEMS, 409: {"description": "blocking violations, no organisation predikat, or already closed"}},
)
async def close_year(opd_code: OpdCode, year: Year, deps: DepsDep, actor: ActorDep) -> DistributionOut:
    return DistributionOut.model_validate(
        await organisation.close_year(opd_code, year, actor=actor, ctx=deps.organisation)
    )
