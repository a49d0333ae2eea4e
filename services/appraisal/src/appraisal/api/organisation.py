from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from appraisal.api.common import CONCURRENCY, PROBLEMS, ActorDep, DepsDep
from appraisal.schemas.common import OpdCode
from appraisal.schemas.evaluations import DistributionOut, OrgPredikatIn
from appraisal.schemas.master import OpdIn, OpdList, OpdOut
from appraisal.services import master, organisation
from shared.mongo import MongoDocument
from shared.pagination import OptionalVersion, etag

router = APIRouter(tags=["organisation"])
Year = Annotated[int, Path(ge=2020, le=2100)]


def _opd_out(document: MongoDocument, response: Response | None = None) -> OpdOut:
    if response is not None:
        response.headers["ETag"] = etag(document["version"])
    return OpdOut.model_validate({**document, "code": document["_id"]})


@router.get(
    "/opd",
    response_model=OpdList,
    summary="The city's OPD and kecamatan (master data): codes, names, sectors",
    responses=PROBLEMS,
)
async def list_opd(deps: DepsDep, actor: ActorDep) -> OpdList:
    del actor  # master data, not personal: every signed-in caller may read it
    units = await deps.registry.opds.all()
    return OpdList(items=[_opd_out(u) for u in units], total=len(units))


@router.get("/opd/{opd_code}", response_model=OpdOut, summary="One OPD or kecamatan", responses=PROBLEMS)
async def get_opd(opd_code: OpdCode, response: Response, deps: DepsDep, actor: ActorDep) -> OpdOut:
    del actor
    return _opd_out(await master.get_opd(opd_code, deps.registry.opds), response)


@router.put(
    "/opd/{opd_code}",
    response_model=OpdOut,
    summary="Add an OPD or kecamatan, or change one (If-Match); admin_bkpsdm",
    description="A new code answers 201; a change needs the unit's ETag in If-Match. `active: false` retires "
    "a code: nobody can be registered in or moved to it, while existing records keep it.",
    responses={**PROBLEMS, 412: CONCURRENCY[412], 201: {"description": "created", "model": OpdOut}},
)
async def put_opd(
    opd_code: OpdCode, body: OpdIn, expected: OptionalVersion, response: Response, deps: DepsDep, actor: ActorDep
) -> OpdOut:
    document, created = await master.put_opd(opd_code, body, expected, actor=actor, opds=deps.registry.opds)
    if created:
        response.status_code = 201
    return _opd_out(document, response)


@router.put(
    "/opd/{opd_code}/years/{year}/predikat",
    response_model=DistributionOut,
    summary="Set the organisation predikat of an OPD for a year (the next-higher leader: the pejabat penilai of "
    "the OPD's head; or the BKPSDM)",
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
