"""Employee registry: register, update, and the CSV bulk import."""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from appraisal.domain.access import MANAGE_REGISTRY, READ, Actor, Subject, may
from appraisal.domain.nip import InvalidNipError, parse_nip
from appraisal.repository.employees import EmployeeRepository, ImportRepository
from appraisal.repository.versioned import AlreadyExistsError
from appraisal.schemas.employees import EmployeeIn, EmployeePatch, check_appraisers
from appraisal.services.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError, VersionConflictError
from shared.events import EmployeeRegistered, EmployeeSnapshot, EmployeeType, EmployeeUpdated, EmployeeUpdatedPayload
from shared.mongo import MongoDocument

logger = logging.getLogger(__name__)

REGISTRY_FIELDS = (
    "name",
    "email",
    "employee_type",
    "position_type",
    "position_title",
    "opd_code",
    "unit_code",
    "pejabat_penilai_nip",
    "atasan_pejabat_penilai_nip",
)
CSV_COLUMNS = ("nip", *REGISTRY_FIELDS)
REQUIRED_COLUMNS = frozenset({"nip", "name", "employee_type", "position_type", "opd_code"})
PROGRESS_EVERY = 50


@dataclass(frozen=True)
class Registry:
    """What the registry use cases need."""

    employees: EmployeeRepository
    imports: ImportRepository
    wake_relay: Callable[[str, Any], None]
    producer: str


def now_ms() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)  # BSON dates hold milliseconds


def subject_of(employee: MongoDocument) -> Subject:
    return Subject(
        employee["_id"],
        employee["opd_code"],
        employee.get("pejabat_penilai_nip"),
        employee.get("atasan_pejabat_penilai_nip"),
    )


def snapshot(employee: MongoDocument) -> dict[str, Any]:
    return {
        "nip": employee["_id"],
        **{f: employee.get(f) for f in REGISTRY_FIELDS},
        "active": employee.get("active", True),
        "version": employee["version"],
    }


def _may_manage_opd(actor: Actor, opd_code: str) -> bool:
    return may(actor, Subject("", opd_code, None, None), MANAGE_REGISTRY)


def _check_nip(nip: str, employee_type: EmployeeType, today: date) -> None:
    try:
        parse_nip(nip, employee_type, today=today)
    except InvalidNipError as exc:
        raise InvalidError(f"NIP {nip} is not valid: {exc}", errors=[f"nip: {exc}"]) from exc


async def register_employee(data: EmployeeIn, *, actor: Actor, registry: Registry, today: date) -> MongoDocument:
    if not _may_manage_opd(actor, data.opd_code):
        raise ForbiddenError(f"you may not register employees of OPD {data.opd_code}")
    if data.nip == actor.nip and "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError("an OPD admin may not register their own record; ask the BKPSDM")
    _check_nip(data.nip, data.employee_type, today)
    now = now_ms()
    document: MongoDocument = {
        "_id": data.nip,
        **data.model_dump(mode="json", exclude={"nip"}),
        "active": True,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    event = EmployeeRegistered.create(EmployeeSnapshot.model_validate(snapshot(document)), producer=registry.producer)
    try:
        await registry.employees.insert(document, event, now=now)
    except AlreadyExistsError as exc:
        raise ConflictError(f"an employee with NIP {data.nip} is already registered") from exc
    registry.wake_relay(registry.employees.collection.name, document["_id"])
    return document


async def visible_employee(nip: str, *, actor: Actor, registry: Registry) -> MongoDocument:
    employee = await registry.employees.get(nip)
    if employee is None or not may(actor, subject_of(employee), READ):
        raise NotFoundError(f"no employee {nip}")
    return employee


async def update_employee(
    nip: str, patch: EmployeePatch, expected_version: int, *, actor: Actor, registry: Registry, today: date
) -> MongoDocument:
    current = await visible_employee(nip, actor=actor, registry=registry)
    if not may(actor, subject_of(current), MANAGE_REGISTRY):
        raise ForbiddenError(f"you may not change employee {nip}")
    if nip == actor.nip and "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError("an OPD admin may not change their own record; ask the BKPSDM")
    changes = patch.model_dump(mode="json", exclude_unset=True)
    if "opd_code" in changes and not _may_manage_opd(actor, changes["opd_code"]):
        raise ForbiddenError(f"you may not move employees to OPD {changes['opd_code']}")
    return await _apply_changes(current, changes, expected_version, registry=registry, today=today)


async def _apply_changes(
    current: MongoDocument, changes: dict[str, Any], expected_version: int, *, registry: Registry, today: date
) -> MongoDocument:
    if current["version"] != expected_version:
        raise VersionConflictError(f"employee {current['_id']} is at version {current['version']}")
    changed = sorted(k for k, v in changes.items() if current.get(k) != v)
    if not changed:
        return current
    after = {**current, **changes}
    try:
        check_appraisers(current["_id"], after.get("pejabat_penilai_nip"), after.get("atasan_pejabat_penilai_nip"))
    except ValueError as exc:
        raise InvalidError(str(exc)) from exc
    if "employee_type" in changed:
        _check_nip(current["_id"], EmployeeType(changes["employee_type"]), today)
    updated = {**current, **{k: changes[k] for k in changed}, "version": expected_version + 1}
    event = EmployeeUpdated.create(
        EmployeeUpdatedPayload.model_validate({**snapshot(updated), "changed_fields": changed}),
        producer=registry.producer,
    )
    stored = await registry.employees.update(
        current["_id"], expected_version, {k: changes[k] for k in changed}, event, now=now_ms()
    )
    if stored is None:
        raise VersionConflictError(f"employee {current['_id']} was changed concurrently")
    registry.wake_relay(registry.employees.collection.name, current["_id"])
    return stored


# ---------------------------------------------------------------- CSV import


def parse_csv(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows of a registry CSV (comma or semicolon separated, UTF-8) as (line number, values)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidError("the CSV must be UTF-8 text") from exc
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InvalidError("the CSV is empty; the first line must name the columns")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    missing = sorted(REQUIRED_COLUMNS - set(header))
    unknown = sorted(set(header) - set(CSV_COLUMNS))
    if missing or unknown:
        errors = [f"missing column: {m}" for m in missing] + [f"unknown column: {u}" for u in unknown]
        raise InvalidError(f"the CSV header is not usable; columns are: {', '.join(CSV_COLUMNS)}", errors=errors)
    rows = []
    try:
        for number, row in enumerate(reader, start=2):
            values = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
            if any(values.values()):
                rows.append((number, values))
    except csv.Error as exc:
        raise InvalidError(f"the CSV cannot be read near line {reader.line_num}: {exc}") from exc
    return rows


async def start_import(
    content: bytes,
    *,
    actor: Actor,
    registry: Registry,
    today: date,
    spawn: Callable[[Coroutine[Any, Any, None], str], object],
) -> MongoDocument:
    """Check the header, record the job, and process the rows in the background."""
    rows = parse_csv(content)
    job: MongoDocument = {
        "_id": str(uuid.uuid4()),
        "status": "running",
        "total": len(rows),
        "processed": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "started_by": actor.nip,
        "started_at": now_ms(),
        "finished_at": None,
    }
    await registry.imports.create(job)
    spawn(_run_import(job["_id"], rows, actor=actor, registry=registry, today=today), f"import-{job['_id']}")
    return job


async def _run_import(
    job_id: str, rows: list[tuple[int, dict[str, str]]], *, actor: Actor, registry: Registry, today: date
) -> None:
    try:
        await _import_rows(job_id, rows, actor=actor, registry=registry, today=today)
    except Exception:
        logger.exception("import %s failed", job_id)
        await registry.imports.progress(job_id, {"status": "failed", "finished_at": now_ms()}, [])
        raise


async def _import_rows(
    job_id: str, rows: list[tuple[int, dict[str, str]]], *, actor: Actor, registry: Registry, today: date
) -> None:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    pending: list[MongoDocument] = []
    for index, (line, values) in enumerate(rows, start=1):
        outcome, errors = await _import_row(values, actor=actor, registry=registry, today=today)
        counts[outcome] += 1
        pending.append({"row": line, "nip": values.get("nip") or None, "outcome": outcome, "errors": errors})
        if index % PROGRESS_EVERY == 0 or index == len(rows):
            await registry.imports.progress(job_id, {"processed": index, **counts}, pending)
            pending = []
    await registry.imports.progress(job_id, {"status": "completed", "finished_at": now_ms()}, [])


async def _import_row(
    values: dict[str, str], *, actor: Actor, registry: Registry, today: date
) -> tuple[str, list[str]]:
    """One row: created, updated, unchanged or rejected. Each row is one atomic write (with its event)."""
    cleaned = {k: v for k, v in values.items() if v != ""}
    try:
        data = EmployeeIn.model_validate(cleaned)
    except ValidationError as exc:
        return "rejected", [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    try:
        current = await registry.employees.get(data.nip)
        if current is None:
            await register_employee(data, actor=actor, registry=registry, today=today)
            return "created", []
        if not may(actor, subject_of(current), MANAGE_REGISTRY):
            return "rejected", [f"you may not change employee {data.nip} of OPD {current['opd_code']}"]
        if not _may_manage_opd(actor, data.opd_code):
            return "rejected", [f"you may not move employees to OPD {data.opd_code}"]
        # Only the columns the file has: a file without e.g. email leaves the stored emails alone.
        fields = {k: v for k, v in data.model_dump(mode="json", exclude={"nip"}).items() if k in values}
        stored = await _apply_changes(current, fields, current["version"], registry=registry, today=today)
        return ("unchanged" if stored["version"] == current["version"] else "updated"), []
    except (InvalidError, ForbiddenError, ConflictError, VersionConflictError) as exc:
        return "rejected", exc.messages or [exc.detail or exc.title]
