"""HTTP routes of the appraisal service: parse, call one use case, map errors."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Header, Request, Response

from appraisal.repository.appraisals import AppraisalExistsError
from appraisal.schemas.appraisals import AppraisalOut, CompletedAppraisalIn
from appraisal.services import appraisals as services
from appraisal.wiring import Deps
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.http import ProblemError

router = APIRouter(tags=["appraisals"])

APPRAISERS = (Role.PEJABAT_PENILAI, Role.ADMIN_OPD, Role.ADMIN_BKPSDM)
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing or invalid bearer token"},
    403: {"description": "the caller's roles do not allow this"},
}


def get_deps(request: Request) -> Deps:
    return cast(Deps, request.app.state.deps)


DepsDep = Annotated[Deps, Depends(get_deps)]


@router.post(
    "/appraisals",
    status_code=201,
    response_model=AppraisalOut,
    summary="Record a finalised appraisal",
    description=(
        "Stores the ratings, derives the predikat from the 3x3 matrix and publishes "
        "`appraisal.completed.v1`. Send an `Idempotency-Key` to make retries safe: the same key "
        "returns the appraisal created first (200)."
    ),
    responses={
        **PROBLEMS,
        200: {"description": "replay of an earlier request with the same Idempotency-Key"},
        409: {"description": "an appraisal exists for this employee and period"},
        422: {"description": "invalid body, or an Idempotency-Key reused for another request"},
    },
)
async def record_appraisal(
    body: CompletedAppraisalIn,
    response: Response,
    deps: DepsDep,
    principal: Annotated[Principal, Depends(require_roles(*APPRAISERS))],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> AppraisalOut:
    try:
        result = await services.record_completed_appraisal(
            body,
            appraiser_nip=principal.nip,
            idempotency_key=idempotency_key,
            repository=deps.appraisals,
            wake_relay=deps.wake_relay,
            producer=deps.producer,
        )
    except AppraisalExistsError as exc:
        raise ProblemError(
            409,
            "appraisal_exists",
            "Appraisal already recorded",
            f"An appraisal for NIP {body.nip} in period {body.period} exists.",
        ) from exc
    except services.IdempotencyKeyReusedError as exc:
        raise ProblemError(
            422,
            "idempotency_key_reused",
            "Idempotency-Key reused",
            "This Idempotency-Key was used for a different request.",
        ) from exc
    if not result.created:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/appraisals/{result.document['_id']}"
    return _out(result.document)


@router.get(
    "/appraisals/{appraisal_id}",
    response_model=AppraisalOut,
    summary="One appraisal",
    responses={**PROBLEMS, 404: {"description": "no such appraisal (or not visible to the caller)"}},
)
async def get_appraisal(appraisal_id: str, deps: DepsDep, principal: CurrentPrincipal) -> AppraisalOut:
    document = await deps.appraisals.get(appraisal_id)
    visible = document is not None and (
        document["nip"] == principal.nip
        or document["pejabat_penilai_nip"] == principal.nip
        or principal.has_any(Role.ADMIN_BKPSDM)
        or (principal.has_any(Role.ADMIN_OPD) and principal.opd_code == document["opd_code"])
    )
    if document is None or not visible:
        raise ProblemError(404, "appraisal_not_found", "Not found", f"No appraisal {appraisal_id}.")
    return _out(document)


def _out(document: dict[str, object]) -> AppraisalOut:
    return AppraisalOut.model_validate({**document, "id": document["_id"]})
