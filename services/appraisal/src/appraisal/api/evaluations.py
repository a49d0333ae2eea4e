from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from appraisal.api.common import PROBLEMS, ActorDep, DepsDep, versioned_out, visible_records
from appraisal.schemas.common import Appraiser, Code, Nip, OpdCode
from appraisal.schemas.evaluations import (
    DecisionIn,
    DevelopmentPlanIn,
    EvaluationOut,
    ExplanationIn,
    ExplanationRequestIn,
    FeedbackIn,
    ObjectionIn,
    OpenEvaluationIn,
    RatingsIn,
    RealisationIn,
    SuggestionOut,
)
from appraisal.schemas.years import DeadlineExtensionIn
from appraisal.services import evaluations, planning
from shared.events import PERIOD_PARTS
from shared.mongo import MongoDocument
from shared.pagination import Page, Paging
from shared.queries import all_of

router = APIRouter(tags=["evaluations"])
EvaluationId = Annotated[
    str, Path(pattern=rf"^[0-9]{{18}}-[0-9]{{4}}{PERIOD_PARTS}$", examples=["198609262015051001-2026-Q1"])
]
STATE: dict[int | str, dict[str, Any]] = {409: {"description": "not possible in the evaluation's current state"}}


def evaluation_out(document: MongoDocument, response: Response | None = None) -> EvaluationOut:
    return versioned_out(EvaluationOut, document, response)


@router.post(
    "/evaluations",
    status_code=201,
    response_model=EvaluationOut,
    summary="Open the evaluation of a period (the employee or the pejabat penilai); 200 if already open",
    description="Needs the year configured and the employee's SKP of that year approved. The period is one of "
    "the year's periods (frequency) or the year itself for the annual evaluation. The annual one opens once the "
    "employee's periodic evaluations of the year are final (from their first period to the year's last), and "
    "pre-fills each indicator's realisation from them by its `rollup` (sum, average or last).",
    responses={
        **PROBLEMS,
        200: {"description": "it was already open"},
        409: {
            "description": "the employee is inactive (`inactive_employee`), or a periodic evaluation the annual one "
            "rolls up is not final (`periods_not_final`)"
        },
    },
)
async def open_evaluation(body: OpenEvaluationIn, response: Response, deps: DepsDep, actor: ActorDep) -> EvaluationOut:
    document, created = await evaluations.open_evaluation(body.nip, body.period, actor=actor, ctx=deps.evaluations)
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/api/v1/evaluations/{document['_id']}"
    return evaluation_out(document, response)


@router.get(
    "/evaluations", response_model=Page[EvaluationOut], summary="Evaluations the caller may see", responses=PROBLEMS
)
async def list_evaluations(
    deps: DepsDep,
    actor: ActorDep,
    paging: Paging,
    nip: Nip | None = None,
    year: Annotated[int | None, Query(ge=2020, le=2100)] = None,
    opd_code: OpdCode | None = None,
    status: Annotated[str | None, Query(pattern="^(open|finalised)$")] = None,
    pejabat_penilai_nip: Annotated[Appraiser | None, Query(description="Those this person appraises")] = None,
) -> Page[EvaluationOut]:
    given = {
        "nip": nip,
        "year": year,
        "opd_code": opd_code,
        "status": status,
        "pejabat_penilai_nip": pejabat_penilai_nip,
    }
    filters = {k: v for k, v in given.items() if v}
    query = all_of(filters, await visible_records(actor, deps))
    items, total = await deps.evaluations.evaluations.page(
        query, sort=[("year", -1), ("period", 1), ("nip", 1), ("_id", 1)], limit=paging.limit, offset=paging.offset
    )
    return Page[EvaluationOut](
        items=[evaluation_out(d) for d in items], total=total, limit=paging.limit, offset=paging.offset
    )


@router.get("/evaluations/{evaluation_id}", response_model=EvaluationOut, responses=PROBLEMS)
async def get_evaluation(
    evaluation_id: EvaluationId, response: Response, deps: DepsDep, actor: ActorDep
) -> EvaluationOut:
    document, _ = await evaluations.visible_evaluation(evaluation_id, actor=actor, ctx=deps.evaluations)
    return evaluation_out(document, response)


@router.put(
    "/evaluations/{evaluation_id}/realisations/{indicator_id}",
    response_model=EvaluationOut,
    summary="Record one's realisation of an indicator, with evidence links (bukti dukung) and a note",
    responses={**PROBLEMS, **STATE},
)
async def record_realisation(
    evaluation_id: EvaluationId,
    indicator_id: Code,
    body: RealisationIn,
    response: Response,
    deps: DepsDep,
    actor: ActorDep,
) -> EvaluationOut:
    document = await evaluations.record_realisation(
        evaluation_id, indicator_id, body, actor=actor, ctx=deps.evaluations
    )
    return evaluation_out(document, response)


@router.post(
    "/evaluations/{evaluation_id}/feedback",
    response_model=EvaluationOut,
    summary="Continuous feedback on an RHK (the pejabat penilai)",
    responses={**PROBLEMS, **STATE},
)
async def add_feedback(
    evaluation_id: EvaluationId, body: FeedbackIn, response: Response, deps: DepsDep, actor: ActorDep
) -> EvaluationOut:
    document = await evaluations.add_feedback(evaluation_id, body.rhk_id, body.text, actor=actor, ctx=deps.evaluations)
    return evaluation_out(document, response)


@router.patch(
    "/evaluations/{evaluation_id}/ratings",
    response_model=EvaluationOut,
    summary="Rate RHK, BerAKHLAK values and the overall Hasil Kerja / Perilaku Kerja (the pejabat penilai)",
    responses={**PROBLEMS, **STATE},
)
async def rate(
    evaluation_id: EvaluationId, body: RatingsIn, response: Response, deps: DepsDep, actor: ActorDep
) -> EvaluationOut:
    return evaluation_out(await evaluations.rate(evaluation_id, body, actor=actor, ctx=deps.evaluations), response)


@router.get(
    "/evaluations/{evaluation_id}/suggestion",
    response_model=SuggestionOut,
    summary="Suggested ratings from indicator achievement (capaian); the pejabat penilai decides",
    responses=PROBLEMS,
)
async def suggestion(evaluation_id: EvaluationId, deps: DepsDep, actor: ActorDep) -> SuggestionOut:
    return SuggestionOut.model_validate(await evaluations.suggestion(evaluation_id, actor=actor, ctx=deps.evaluations))


@router.post(
    "/evaluations/{evaluation_id}/finalise",
    response_model=EvaluationOut,
    summary="Finalise: the predikat follows from the 3x3 matrix; publishes appraisal.completed.v1 "
    "(and appraisal.low_score_flagged.v1 for a low result)",
    description="Refused (409 `period_not_ended`) before the period ends, less the year's `finalise_grace_days`; "
    "after the period's `evaluation_due` it is marked `late` (`deadline_enforcement: warning`) or refused "
    "(409 `deadline_passed`, `blocking`) unless the BKPSDM extended this evaluation's deadline.",
    responses={**PROBLEMS, **STATE},
)
async def finalise(evaluation_id: EvaluationId, response: Response, deps: DepsDep, actor: ActorDep) -> EvaluationOut:
    return evaluation_out(await evaluations.finalise(evaluation_id, actor=actor, ctx=deps.evaluations), response)


@router.post(
    "/evaluations/{evaluation_id}/deadline-extension",
    response_model=EvaluationOut,
    summary="Extend the deadline (evaluation_due) of one evaluation (admin_bkpsdm)",
    description="With the year's `deadline_enforcement: blocking`, finalising this evaluation late is accepted "
    "until `until` (and still marked `late`).",
    responses=PROBLEMS,
)
async def extend_deadline(
    evaluation_id: EvaluationId, body: DeadlineExtensionIn, response: Response, deps: DepsDep, actor: ActorDep
) -> EvaluationOut:
    await evaluations.visible_evaluation(evaluation_id, actor=actor, ctx=deps.evaluations)
    document = await planning.extend_deadline(
        deps.evaluations.evaluations,
        evaluation_id,
        body.until,
        body.reason,
        actor=actor,
        clock=deps.planning.clock,
    )
    return evaluation_out(document, response)


@router.put(
    "/evaluations/{evaluation_id}/development-plan",
    response_model=EvaluationOut,
    tags=["follow-up"],
    summary="Record the cause and actions of the development plan of a low result (the pejabat penilai)",
    responses={**PROBLEMS, **STATE},
)
async def plan_development(
    evaluation_id: EvaluationId, body: DevelopmentPlanIn, response: Response, deps: DepsDep, actor: ActorDep
) -> EvaluationOut:
    document = await evaluations.plan_development(evaluation_id, body, actor=actor, ctx=deps.evaluations)
    return evaluation_out(document, response)


@router.post(
    "/evaluations/{evaluation_id}/objection",
    response_model=EvaluationOut,
    tags=["objections"],
    summary="Object to one's finalised appraisal (keberatan), within the year's objection window",
    responses={**PROBLEMS, **STATE},
)
async def file_objection(
    evaluation_id: EvaluationId, body: ObjectionIn, response: Response, deps: DepsDep, actor: ActorDep
) -> EvaluationOut:
    document = await evaluations.file_objection(evaluation_id, body.reason, actor=actor, ctx=deps.evaluations)
    return evaluation_out(document, response)


@router.post(
    "/evaluations/{evaluation_id}/objection/explanations",
    response_model=EvaluationOut,
    tags=["objections"],
    summary="Ask the pejabat penilai or the employee to explain, before deciding (the atasan; Pasal 59(3))",
    responses={**PROBLEMS, **STATE},
)
async def ask_explanation(
    evaluation_id: EvaluationId, body: ExplanationRequestIn, response: Response, deps: DepsDep, actor: ActorDep
) -> EvaluationOut:
    document = await evaluations.ask_explanation(evaluation_id, body, actor=actor, ctx=deps.evaluations)
    return evaluation_out(document, response)


@router.put(
    "/evaluations/{evaluation_id}/objection/explanations/{index}",
    response_model=EvaluationOut,
    tags=["objections"],
    summary="Answer an explanation request (the one asked: the employee or their pejabat penilai)",
    responses={**PROBLEMS, **STATE},
)
async def give_explanation(
    evaluation_id: EvaluationId,
    index: Annotated[int, Path(ge=0, lt=10, description="The request's position, from 0.")],
    body: ExplanationIn,
    response: Response,
    deps: DepsDep,
    actor: ActorDep,
) -> EvaluationOut:
    document = await evaluations.give_explanation(evaluation_id, index, body, actor=actor, ctx=deps.evaluations)
    return evaluation_out(document, response)


@router.post(
    "/evaluations/{evaluation_id}/objection/decision",
    response_model=EvaluationOut,
    tags=["objections"],
    summary="Decide an objection (the atasan pejabat penilai); a changed result is republished as a new revision",
    responses={**PROBLEMS, **STATE},
)
async def decide_objection(
    evaluation_id: EvaluationId, body: DecisionIn, response: Response, deps: DepsDep, actor: ActorDep
) -> EvaluationOut:
    document = await evaluations.decide_objection(evaluation_id, body, actor=actor, ctx=deps.evaluations)
    return evaluation_out(document, response)


@router.get(
    "/development-plans",
    response_model=Page[EvaluationOut],
    tags=["follow-up"],
    summary="Appraisals with a development plan; escalated=true lists the BKPSDM's cases",
    responses=PROBLEMS,
)
async def development_plans(
    deps: DepsDep,
    actor: ActorDep,
    paging: Paging,
    escalated: bool | None = None,
    opd_code: OpdCode | None = None,
    status: Annotated[str | None, Query(pattern="^(awaiting_input|active)$")] = None,
    pejabat_penilai_nip: Annotated[Appraiser | None, Query(description="Those this person appraises")] = None,
) -> Page[EvaluationOut]:
    wanted = [status] if status else ["awaiting_input", "active"]
    filters: MongoDocument = {"development_plan.status": {"$in": wanted}}
    if pejabat_penilai_nip:
        filters["pejabat_penilai_nip"] = pejabat_penilai_nip
    if escalated is not None:
        filters["development_plan.escalated"] = escalated
    if opd_code:
        filters["opd_code"] = opd_code
    items, total = await deps.evaluations.evaluations.page(
        all_of(filters, await visible_records(actor, deps)),
        sort=[("year", -1), ("nip", 1), ("_id", 1)],
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page[EvaluationOut](
        items=[evaluation_out(d) for d in items], total=total, limit=paging.limit, offset=paging.offset
    )
