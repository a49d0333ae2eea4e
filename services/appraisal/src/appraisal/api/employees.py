from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response

from appraisal.api.common import CONCURRENCY, PROBLEMS, ActorDep, DepsDep, visibility
from appraisal.domain.access import Actor
from appraisal.schemas.common import Nip, OpdCode
from appraisal.schemas.employees import (
    EmployeeIn,
    EmployeeOut,
    EmployeePatch,
    ImportJobOut,
    ImportRowResult,
    LinkHistoryOut,
)
from appraisal.services import employees
from appraisal.wiring import Deps
from shared.errors import NotFoundError
from shared.events import PositionType
from shared.http import FORBIDDEN, TOO_LARGE, ProblemError
from shared.i18n import Text, from_stored, negotiate
from shared.mongo import MongoDocument
from shared.pagination import ExpectedVersion, Page, Paging, etag
from shared.queries import all_of

router = APIRouter(tags=["employees"])

MAX_CSV_BYTES = 10 * 1024 * 1024
ImportId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="The import's id (a UUID).")]


def _out(document: MongoDocument) -> EmployeeOut:
    return EmployeeOut.model_validate({**document, "nip": document["_id"]})


@router.post(
    "/employees",
    status_code=201,
    response_model=EmployeeOut,
    summary="Register an employee (admin_opd for their OPD, admin_bkpsdm)",
    description="Validates the NIP layout and publishes `employee.registered.v1`.",
    responses={**PROBLEMS, 409: {"description": "the NIP is already registered"}},
)
async def register(body: EmployeeIn, response: Response, deps: DepsDep, actor: ActorDep) -> EmployeeOut:
    document = await employees.register_employee(
        body, actor=actor, registry=deps.registry, today=deps.registry.clock.today()
    )
    response.headers["Location"] = f"/api/v1/employees/{document['_id']}"
    response.headers["ETag"] = etag(document["version"])
    return _out(document)


@router.get(
    "/employees",
    response_model=Page[EmployeeOut],
    summary="Employees the caller may see, filtered and paginated",
    responses=PROBLEMS,
)
async def list_employees(
    deps: DepsDep,
    actor: ActorDep,
    paging: Paging,
    opd_code: OpdCode | None = None,
    unit_code: Annotated[str | None, Query(max_length=64)] = None,
    position_type: PositionType | None = None,
    pejabat_penilai_nip: Nip | None = None,
    active: bool | None = None,
) -> Page[EmployeeOut]:
    filters: MongoDocument = {
        k: v
        for k, v in {
            "opd_code": opd_code,
            "unit_code": unit_code,
            "position_type": position_type.value if position_type else None,
            "pejabat_penilai_nip": pejabat_penilai_nip,
            "active": active,
        }.items()
        if v is not None
    }
    query = all_of(filters, visibility(actor))
    items, total = await deps.registry.employees.page(
        query, sort=[("opd_code", 1), ("name", 1), ("_id", 1)], limit=paging.limit, offset=paging.offset
    )
    return Page[EmployeeOut](items=[_out(d) for d in items], total=total, limit=paging.limit, offset=paging.offset)


@router.get("/employees/{nip}", response_model=EmployeeOut, summary="One employee", responses=PROBLEMS)
async def get_employee(nip: Nip, response: Response, deps: DepsDep, actor: ActorDep) -> EmployeeOut:
    document = await employees.visible_employee(nip, actor=actor, registry=deps.registry)
    response.headers["ETag"] = etag(document["version"])
    return _out(document)


@router.get(
    "/employees/{nip}/link-changes",
    response_model=LinkHistoryOut,
    summary="Who set this employee's appraiser links, and when (the audit of separation of duties)",
    description=(
        "Newest first, paginated (`limit`, `offset`). The record keeps its newest 100 changes; a change "
        "that followed another one (the pejabat penilai's own pejabat penilai changed) or was undone (a "
        "concurrent change made a loop) says so in `note`."
    ),
    responses=PROBLEMS,
)
async def get_link_changes(nip: Nip, deps: DepsDep, actor: ActorDep, paging: Paging) -> LinkHistoryOut:
    items, total = await employees.link_changes(
        nip, actor=actor, registry=deps.registry, limit=paging.limit, offset=paging.offset
    )
    return LinkHistoryOut.model_validate(
        {"nip": nip, "items": items, "total": total, "limit": paging.limit, "offset": paging.offset}
    )


@router.patch(
    "/employees/{nip}",
    response_model=EmployeeOut,
    summary="Change an employee's record (If-Match required)",
    description="Publishes `employee.updated.v1` with the full record and the changed fields.",
    responses={**PROBLEMS, **CONCURRENCY},
)
async def update(
    nip: Nip, body: EmployeePatch, expected: ExpectedVersion, response: Response, deps: DepsDep, actor: ActorDep
) -> EmployeeOut:
    document = await employees.update_employee(
        nip, body, expected, actor=actor, registry=deps.registry, today=deps.registry.clock.today()
    )
    response.headers["ETag"] = etag(document["version"])
    return _out(document)


@router.post(
    "/employee-imports",
    status_code=202,
    response_model=ImportJobOut,
    summary="Bulk import of employees from CSV (runs in the background; poll the job)",
    description=(
        "Body: `text/csv`, UTF-8, comma- or semicolon-separated, first line the column names: "
        + ", ".join(employees.CSV_COLUMNS)
        + ". Each row is created, updated, left unchanged or rejected with its reasons; a rejected row "
        "writes nothing, and each accepted row is written whole. Running the same file again is safe."
    ),
    responses={**PROBLEMS, 413: {"description": "the file is larger than 10 MiB"}},
)
async def import_csv(
    request: Request,
    response: Response,
    deps: DepsDep,
    actor: ActorDep,
    body: Annotated[bytes, Body(media_type="text/csv", max_length=MAX_CSV_BYTES)] = b"",
) -> ImportJobOut:
    if not ({"admin_opd", "admin_bkpsdm"} & actor.roles):
        raise ProblemError(
            403,
            "forbidden",
            FORBIDDEN,
            Text("Impor memerlukan peran admin_opd atau admin_bkpsdm", "Imports need admin_opd or admin_bkpsdm"),
        )
    content = await request.body()
    if len(content) > MAX_CSV_BYTES:
        raise ProblemError(
            413, "too_large", TOO_LARGE, Text("Berkas CSV paling besar 10 MiB", "The CSV may be at most 10 MiB")
        )
    job = await employees.start_import(
        content, actor=actor, registry=deps.registry, today=deps.registry.clock.today(), spawn=deps.spawn
    )
    response.headers["Location"] = f"/api/v1/employee-imports/{job['_id']}"
    return _job_out(job)


def _job_out(job: MongoDocument) -> ImportJobOut:
    status = employees.import_status(job, employees.now_ms())
    return ImportJobOut.model_validate(
        {**job, "status": status, "id": job["_id"], "rows_url": f"/api/v1/employee-imports/{job['_id']}/rows"}
    )


async def _visible_job(import_id: str, deps: Deps, actor: Actor) -> MongoDocument:
    job = await deps.registry.imports.get(import_id)
    # Who started it, and still in a role that imports (a token of the same NIP as pegawai reads nothing).
    starter = job is not None and job["started_by"] == actor.nip and bool({"admin_opd", "admin_bkpsdm"} & actor.roles)
    if job is None or not (starter or "admin_bkpsdm" in actor.roles):
        raise NotFoundError(Text(f"Impor {import_id} tidak ditemukan", f"No import {import_id}"))
    return job


@router.get(
    "/employee-imports/{import_id}",
    response_model=ImportJobOut,
    summary="Progress and per-row results of an import",
    responses=PROBLEMS,
)
async def get_import(import_id: ImportId, deps: DepsDep, actor: ActorDep) -> ImportJobOut:
    return _job_out(await _visible_job(import_id, deps, actor))


@router.get(
    "/employee-imports/{import_id}/rows",
    response_model=Page[ImportRowResult],
    summary="Per-row results of an import, in file order (filter by outcome, e.g. rejected)",
    responses=PROBLEMS,
)
async def import_rows(
    request: Request,
    response: Response,
    import_id: ImportId,
    deps: DepsDep,
    actor: ActorDep,
    paging: Paging,
    outcome: Annotated[str | None, Query(pattern="^(created|updated|unchanged|rejected)$")] = None,
) -> Page[ImportRowResult]:
    await _visible_job(import_id, deps, actor)
    rows, total = await deps.registry.imports.row_page(import_id, outcome, limit=paging.limit, offset=paging.offset)
    # Row messages are kept in both languages; said in the one the request asks for (a row stored
    # before that, as a plain string, is shown as it is).
    language = negotiate(request.headers.get("accept-language"))
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"
    items = [
        ImportRowResult.model_validate(
            {
                **r,
                "errors": [from_stored(e).in_(language) for e in r.get("errors", [])],
                "notes": [from_stored(n).in_(language) for n in r.get("notes", [])],
            }
        )
        for r in rows
    ]
    return Page[ImportRowResult](items=items, total=total, limit=paging.limit, offset=paging.offset)
