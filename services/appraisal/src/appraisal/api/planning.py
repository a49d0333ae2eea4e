from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from appraisal.api.common import CONCURRENCY, PROBLEMS, ActorDep, DepsDep, versioned_out, visible_records
from appraisal.domain.skp import SkpStatus
from appraisal.schemas.common import Appraiser, Nip
from appraisal.schemas.skp import CascadeOut, ExpectationsIn, ReturnIn, SkpContent, SkpIn, SkpOut
from appraisal.schemas.years import DeadlineExtensionIn, YearConfigIn, YearConfigOut
from appraisal.services import planning
from shared.i18n import negotiate
from shared.mongo import MongoDocument
from shared.pagination import ExpectedVersion, OptionalVersion, Page, Paging, etag
from shared.queries import all_of

router = APIRouter()
Year = Annotated[int, Path(ge=2020, le=2100)]
SkpId = Annotated[
    str,
    Path(
        pattern=r"^[0-9]{18}-[0-9]{4}(-[0-9]{1,2})?$",
        examples=["198609262015051001-2026"],
        description="<nip>-<year>; the SKP after a mutation mid-year: <nip>-<year>-2, -3, ...",
    ),
]
WORKFLOW: dict[int | str, dict[str, Any]] = {
    409: {"description": "not allowed in the SKP's current state (e.g. approving a draft)"},
    422: {"description": "incomplete: the errors list what is missing (RHK, indicators, intervention)"},
}


def _year_out(document: MongoDocument) -> YearConfigOut:
    return YearConfigOut.model_validate(
        {**document, "year": document["_id"], "periods": planning.year_periods(document)}
    )


@router.put(
    "/performance-years/{year}",
    response_model=YearConfigOut,
    tags=["performance years"],
    summary="Configure a year: evaluation frequency, deadlines, objection window (admin_bkpsdm)",
    responses={**PROBLEMS, 412: CONCURRENCY[412]},
)
async def put_year(
    year: Year, body: YearConfigIn, expected: OptionalVersion, response: Response, deps: DepsDep, actor: ActorDep
) -> YearConfigOut:
    document = await planning.put_year(year, body, expected, actor=actor, planning=deps.planning)
    response.headers["ETag"] = etag(document["version"])
    return _year_out(document)


@router.get("/performance-years/{year}", response_model=YearConfigOut, tags=["performance years"], responses=PROBLEMS)
async def get_year(year: Year, response: Response, deps: DepsDep, actor: ActorDep) -> YearConfigOut:
    del actor
    document = await planning.get_year(year, deps.planning)
    response.headers["ETag"] = etag(document["version"])
    return _year_out(document)


def _skp_out(document: MongoDocument, response: Response | None = None) -> SkpOut:
    return versioned_out(SkpOut, planning.shown(document), response)


@router.post(
    "/skp",
    status_code=201,
    response_model=SkpOut,
    tags=["SKP"],
    summary="Draft one's own SKP for a year (after a mutation closed the one in force: for the rest of the year)",
    responses={**PROBLEMS, 409: {"description": "an SKP for this year exists (and was not closed by a mutation)"}},
)
async def create_skp(body: SkpIn, response: Response, deps: DepsDep, actor: ActorDep) -> SkpOut:
    document = await planning.create_skp(body, actor=actor, planning=deps.planning)
    response.headers["Location"] = f"/api/v1/skp/{document['_id']}"
    return _skp_out(document, response)


@router.get("/skp", response_model=Page[SkpOut], tags=["SKP"], summary="SKPs the caller may see", responses=PROBLEMS)
async def list_skp(
    deps: DepsDep,
    actor: ActorDep,
    paging: Paging,
    year: Annotated[int | None, Query(ge=2020, le=2100)] = None,
    nip: Nip | None = None,
    status: SkpStatus | None = None,
    pejabat_penilai_nip: Annotated[Appraiser | None, Query(description="Those this person appraises")] = None,
) -> Page[SkpOut]:
    given = {"year": year, "nip": nip, "status": status.value if status else None}
    filters = {k: v for k, v in {**given, "pejabat_penilai_nip": pejabat_penilai_nip}.items() if v}
    query = all_of(filters, await visible_records(actor, deps))
    items, total = await deps.planning.skps.page(
        query, sort=[("year", -1), ("nip", 1), ("_id", 1)], limit=paging.limit, offset=paging.offset
    )
    return Page[SkpOut](items=[_skp_out(d) for d in items], total=total, limit=paging.limit, offset=paging.offset)


@router.get("/skp/{skp_id}", response_model=SkpOut, tags=["SKP"], responses=PROBLEMS)
async def get_skp(skp_id: SkpId, response: Response, deps: DepsDep, actor: ActorDep) -> SkpOut:
    return _skp_out(await planning.visible_skp(skp_id, actor=actor, planning=deps.planning), response)


@router.put(
    "/skp/{skp_id}",
    response_model=SkpOut,
    tags=["SKP"],
    summary="Revise one's own draft or returned SKP (If-Match required)",
    responses={**PROBLEMS, **CONCURRENCY, **WORKFLOW},
)
async def edit_skp(
    skp_id: SkpId, body: SkpContent, expected: ExpectedVersion, response: Response, deps: DepsDep, actor: ActorDep
) -> SkpOut:
    document = await planning.edit_skp(skp_id, body, expected, actor=actor, planning=deps.planning)
    return _skp_out(document, response)


@router.post(
    "/skp/{skp_id}/submit",
    response_model=SkpOut,
    tags=["SKP"],
    summary="Submit one's own SKP to the pejabat penilai",
    responses={**PROBLEMS, **CONCURRENCY, **WORKFLOW},
)
async def submit_skp(
    skp_id: SkpId, expected: ExpectedVersion, response: Response, deps: DepsDep, actor: ActorDep
) -> SkpOut:
    return _skp_out(await planning.submit_skp(skp_id, expected, actor=actor, planning=deps.planning), response)


@router.post(
    "/skp/{skp_id}/approve",
    response_model=SkpOut,
    tags=["SKP"],
    summary="Approve a report's SKP or its pending revision (the pejabat penilai); publishes skp.approved.v1",
    responses={**PROBLEMS, **CONCURRENCY, **WORKFLOW},
)
async def approve_skp(
    skp_id: SkpId, expected: ExpectedVersion, response: Response, deps: DepsDep, actor: ActorDep
) -> SkpOut:
    return _skp_out(await planning.approve_skp(skp_id, expected, actor=actor, planning=deps.planning), response)


@router.put(
    "/skp/{skp_id}/expectations",
    response_model=SkpOut,
    tags=["SKP"],
    summary="Write the leader's expectations on a report's SKP (the pejabat penilai; If-Match)",
    description="Behaviour expectations per BerAKHLAK value and the ekspektasi khusus pimpinan are the "
    "leader's, not the employee's (PermenPANRB 6/2022 Pasal 5); the employee's SKP body carries neither.",
    responses={**PROBLEMS, **CONCURRENCY},
)
async def set_expectations(
    skp_id: SkpId, body: ExpectationsIn, expected: ExpectedVersion, response: Response, deps: DepsDep, actor: ActorDep
) -> SkpOut:
    document = await planning.set_expectations(skp_id, body, expected, actor=actor, planning=deps.planning)
    return _skp_out(document, response)


@router.post(
    "/skp/{skp_id}/return",
    response_model=SkpOut,
    tags=["SKP"],
    summary="Return a report's SKP or its pending revision, with a reason (the pejabat penilai)",
    responses={**PROBLEMS, **CONCURRENCY, **WORKFLOW},
)
async def return_skp(
    skp_id: SkpId, body: ReturnIn, expected: ExpectedVersion, response: Response, deps: DepsDep, actor: ActorDep
) -> SkpOut:
    document = await planning.return_skp(skp_id, body.reason, expected, actor=actor, planning=deps.planning)
    return _skp_out(document, response)


@router.post(
    "/skp/{skp_id}/deadline-extension",
    response_model=SkpOut,
    tags=["SKP"],
    summary="Extend the deadline (skp_due) of one SKP (admin_bkpsdm)",
    description="With the year's `deadline_enforcement: blocking`, a late submission or approval of this SKP is "
    "accepted until `until` (and still marked `late`).",
    responses=PROBLEMS,
)
async def extend_skp_deadline(
    skp_id: SkpId, body: DeadlineExtensionIn, response: Response, deps: DepsDep, actor: ActorDep
) -> SkpOut:
    await planning.visible_skp(skp_id, actor=actor, planning=deps.planning)
    document = await planning.extend_deadline(
        deps.planning.skps, skp_id, body.until, body.reason, actor=actor, clock=deps.planning.clock
    )
    return _skp_out(document, response)


@router.post(
    "/skp/{skp_id}/revisions",
    response_model=SkpOut,
    tags=["SKP"],
    summary="Submit a revision of one's own approved SKP (If-Match); publishes skp.submitted.v1",
    description="The revision waits for the pejabat penilai as `proposal` (approve or return it with the "
    "usual routes); the approved content stays in force until it is approved. Evaluations keep the "
    "content they were opened with.",
    responses={**PROBLEMS, **CONCURRENCY, **WORKFLOW},
)
async def revise_skp(
    skp_id: SkpId, body: SkpContent, expected: ExpectedVersion, response: Response, deps: DepsDep, actor: ActorDep
) -> SkpOut:
    document = await planning.revise_skp(skp_id, body, expected, actor=actor, planning=deps.planning)
    return _skp_out(document, response)


@router.get(
    "/employees/{nip}/cascade",
    response_model=CascadeOut,
    tags=["SKP"],
    summary="The RHK an SKP of this employee may intervene (their pejabat penilai's approved SKP of the year)",
    responses=PROBLEMS,
)
async def get_cascade(
    nip: Nip,
    request: Request,
    response: Response,
    deps: DepsDep,
    actor: ActorDep,
    year: Annotated[int, Query(ge=2020, le=2100)],
) -> CascadeOut:
    """For the employee drafting (and those who read their records): ids, kinds and texts of the RHK
    only, never the rest of the pejabat penilai's SKP."""
    source = await planning.cascade_source(nip, year, actor=actor, planning=deps.planning)
    language = negotiate(request.headers.get("accept-language"))
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"
    problem = source["problem"]
    return CascadeOut.model_validate({**source, "problem": problem.in_(language) if problem else None})
