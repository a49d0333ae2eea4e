"""Finalised appraisals: read one, or record one finalised elsewhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Response

from appraisal.api.common import PROBLEMS, ActorDep, DepsDep
from appraisal.schemas.appraisals import AppraisalOut, CompletedAppraisalIn
from appraisal.services import appraisals, evaluations
from shared.errors import NotFoundError
from shared.events import PERIOD_PARTS
from shared.i18n import Text
from shared.mongo import MongoDocument

router = APIRouter(tags=["appraisals"])
AppraisalId = Annotated[str, Path(pattern=rf"^[0-9]{{18}}-[0-9]{{4}}{PERIOD_PARTS}$")]


def _out(document: MongoDocument) -> AppraisalOut:
    return AppraisalOut.model_validate({**document, "id": document["_id"]})


@router.post(
    "/appraisals",
    status_code=201,
    response_model=AppraisalOut,
    summary="Record an appraisal finalised elsewhere, e.g. e-Kinerja BKN history (admin_bkpsdm)",
    description=(
        "Derives the predikat from the 3x3 matrix and publishes `appraisal.completed.v1` (and "
        "`appraisal.low_score_flagged.v1` for a low result). Send an `Idempotency-Key`: the same request "
        "again returns the first result (200)."
    ),
    responses={
        **PROBLEMS,
        200: {"description": "replay of an earlier request with the same Idempotency-Key"},
        409: {"description": "an appraisal exists for this employee and period"},
    },
)
async def record_appraisal(
    body: CompletedAppraisalIn,
    response: Response,
    deps: DepsDep,
    actor: ActorDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> AppraisalOut:
    document, created = await appraisals.record_completed_appraisal(
        body, actor=actor, idempotency_key=idempotency_key, ctx=deps.evaluations
    )
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/api/v1/appraisals/{document['_id']}"
    return _out(document)


@router.get(
    "/appraisals/{appraisal_id}",
    response_model=AppraisalOut,
    summary="One finalised appraisal (its id is the one in appraisal.completed.v1)",
    responses=PROBLEMS,
)
async def get_appraisal(appraisal_id: AppraisalId, deps: DepsDep, actor: ActorDep) -> AppraisalOut:
    document = await deps.evaluations.evaluations.get(appraisal_id)
    if document is None or document["status"] != "finalised":
        raise NotFoundError(Text(f"Penilaian {appraisal_id} tidak ditemukan", f"No appraisal {appraisal_id}"))
    registered = await deps.registry.employees.get(document["nip"]) is not None
    if registered or document.get("source") != "recorded":
        # The readers of every record of a registered employee (the registry's, now), recorded or not.
        document, _ = await evaluations.visible_evaluation(appraisal_id, actor=actor, ctx=deps.evaluations)
    elif not (  # history of someone not in the registry: the names on the record
        {"admin_bkpsdm"} & actor.roles
        or actor.nip in (document["nip"], document["pejabat_penilai_nip"])
        or ("admin_opd" in actor.roles and actor.opd_code == document["opd_code"])
    ):
        raise NotFoundError(Text(f"Penilaian {appraisal_id} tidak ditemukan", f"No appraisal {appraisal_id}"))
    return _out(document)
