"""The JP rules as data."""

from __future__ import annotations

from fastapi import APIRouter

from shared.auth import CurrentPrincipal
from shared.http import ProblemError
from shared.i18n import Text
from shared.regulation import JP_OBLIGATIONS
from training.domain import MINUTES_PER_JP, EmployeeType
from training.schemas.models import JpObligationOut

router = APIRouter(tags=["rules"])


@router.get(
    "/rules/jp-obligation/{employee_type}",
    response_model=JpObligationOut,
    summary="The yearly competency-development obligation (JP) for an employee type",
    responses={
        401: {"description": "missing or invalid bearer token"},
        404: {"description": "the rules set no yearly minimum for this employee type"},
    },
)
async def jp_obligation(employee_type: EmployeeType, principal: CurrentPrincipal) -> JpObligationOut:
    del principal
    obligation = JP_OBLIGATIONS.get(employee_type)
    if obligation is None:
        raise ProblemError(
            404,
            "no_jp_obligation",
            Text("Tidak ada kewajiban JP", "No JP obligation"),
            Text(
                f"Tidak ada batas minimum JP per tahun untuk {employee_type}.",
                f"No yearly JP minimum is set for {employee_type}.",
            ),
        )
    return JpObligationOut(
        employee_type=obligation.employee_type,
        minimum_jp_per_year=obligation.minimum_jp_per_year,
        minutes_per_jp=MINUTES_PER_JP,
        citation=obligation.citation,
    )
