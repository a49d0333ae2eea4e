"""HTTP routes of the reporting service."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Query, Request

from reporting import services
from reporting.schemas import PredikatSummaryOut
from reporting.wiring import Deps
from shared.auth import Principal, Role, require_roles
from shared.events import PERIOD_PATTERN
from shared.http import FORBIDDEN, ProblemError
from shared.i18n import Text

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

READERS = (Role.PIMPINAN, Role.ADMIN_BKPSDM, Role.ADMIN_OPD)


def get_deps(request: Request) -> Deps:
    return cast(Deps, request.app.state.deps)


@router.get(
    "/appraisals/summary",
    response_model=PredikatSummaryOut,
    summary="Completed appraisals per predikat",
    responses={
        401: {"description": "missing or invalid bearer token"},
        403: {"description": "needs pimpinan, admin_bkpsdm, or admin_opd for the caller's own OPD"},
    },
)
async def appraisal_summary(
    principal: Annotated[Principal, Depends(require_roles(*READERS))],
    deps: Annotated[Deps, Depends(get_deps)],
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
    opd_code: Annotated[str | None, Query(max_length=32)] = None,
) -> PredikatSummaryOut:
    if not principal.has_any(Role.PIMPINAN, Role.ADMIN_BKPSDM):
        if opd_code is None:
            opd_code = principal.opd_code
        if opd_code is None or opd_code != principal.opd_code:
            raise ProblemError(
                403,
                "forbidden",
                FORBIDDEN,
                Text("admin_opd hanya dapat melihat OPD-nya sendiri", "admin_opd sees only their own OPD"),
            )
    summary = await services.predikat_summary(facts=deps.facts, period=period, opd_code=opd_code)
    return PredikatSummaryOut(period=period, opd_code=opd_code, total=summary.total, by_predikat=summary.by_predikat)
