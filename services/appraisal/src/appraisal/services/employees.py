"""Employee registry: register, update, and the CSV bulk import."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from appraisal.domain.access import MANAGE_REGISTRY, READ, Actor, Subject, may, reader_keys
from appraisal.domain.hierarchy import LINKS, MAX_CHAIN, LinkProblems, Person, link_problems
from appraisal.domain.nip import InvalidNipError, parse_nip
from appraisal.domain.siasn import canonical_header, read_value
from appraisal.repository.employees import EmployeeRepository, ImportRepository
from appraisal.repository.opd import OpdRepository
from appraisal.repository.versioned import AlreadyExistsError
from appraisal.schemas.employees import EmployeeIn, EmployeePatch, check_appraisers
from appraisal.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    VersionConflictError,
    at_version,
    changed_concurrently,
)
from shared.events import EmployeeRegistered, EmployeeSnapshot, EmployeeType, EmployeeUpdated, EmployeeUpdatedPayload
from shared.field_errors import field_message, field_name
from shared.i18n import Text, TextError, stored, verbatim
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
IMPORT_CHUNK = 500
"""Rows read, decided and written together (one query, one bulk insert, one progress update)."""
UPDATE_CONCURRENCY = 16


@dataclass(frozen=True)
class Registry:
    """What the registry use cases need."""

    employees: EmployeeRepository
    imports: ImportRepository
    opds: OpdRepository
    wake_relay: Callable[[str, Any], None]
    producer: str


def employee_not_found(nip: str) -> Text:
    return Text(f"Pegawai dengan NIP {nip} tidak ditemukan", f"No employee {nip}")


def already_registered(nip: str) -> Text:
    return Text(f"Pegawai dengan NIP {nip} sudah terdaftar", f"An employee with NIP {nip} is already registered")


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


def person_of(employee: MongoDocument) -> Person:
    return Person(
        employee["_id"], employee["opd_code"], employee.get("active", True), employee.get("pejabat_penilai_nip")
    )


async def _named_people(
    registry: Registry, links: dict[str, str | None], known: dict[str, Person]
) -> dict[str, Person]:
    """The registered employees ``links`` name (``known`` first: rows planned earlier in an import)."""
    named = {nip for nip in links.values() if nip is not None}
    missing = [nip for nip in named if nip not in known]
    stored = await registry.employees.get_many(missing) if missing else {}
    return {**{nip: person_of(doc) for nip, doc in stored.items()}, **{n: known[n] for n in named if n in known}}


async def _chain_above(registry: Registry, pejabat: str | None, known: dict[str, Person]) -> list[str]:
    """The pejabat penilai above ``pejabat``, nearest first (one read per level, up to MAX_CHAIN)."""
    chain: list[str] = []
    if pejabat is None:
        return chain
    current: str | None = pejabat
    while current is not None and len(chain) < MAX_CHAIN:
        person = known.get(current)
        if person is None:
            stored = await registry.employees.get(current)
            person = person_of(stored) if stored is not None else None
        above = person.pejabat_penilai_nip if person is not None else None
        if above is None or above in chain or above == pejabat:
            break
        chain.append(above)
        current = above
    return chain


def _refuse(problems: LinkProblems) -> None:
    """Raise what ``problems`` found: separation of duties first (403), then the hierarchy (422)."""
    if problems.forbidden:
        raise ForbiddenError(
            Text(
                "Tautan penilai ini bukan wewenang Anda untuk menetapkannya", "This appraiser link is not yours to set"
            ),
            errors=problems.forbidden,
            code="separation_of_duties",
        )
    if problems.invalid:
        raise InvalidError(
            Text("Tautan penilai melanggar aturan hierarki", "The appraiser links break the hierarchy rules"),
            errors=problems.invalid,
        )


def _link_entry(before: MongoDocument, after: MongoDocument, *, actor: Actor, now: datetime) -> MongoDocument | None:
    """The audit entry of a change of appraiser links (None when no link changes)."""
    changes = [
        {"field": field, "old": before.get(field), "new": after.get(field)}
        for field in LINKS
        if before.get(field) != after.get(field)
    ]
    return {"at": now, "by": actor.nip, "changes": changes} if changes else None


async def heads_of(opd_code: str, employees: EmployeeRepository) -> list[MongoDocument]:
    """The head(s) of an OPD: its active JPT whose pejabat penilai is outside the OPD or absent."""
    jpt = await employees.heads_of(opd_code)
    above = await employees.get_many(sorted({j["pejabat_penilai_nip"] for j in jpt if j.get("pejabat_penilai_nip")}))
    return [
        j
        for j in jpt
        if not j.get("pejabat_penilai_nip")
        or j["pejabat_penilai_nip"] not in above
        or above[j["pejabat_penilai_nip"]]["opd_code"] != opd_code
    ]


def require_known_opd(code: str, known: frozenset[str]) -> None:
    """422 for a code that is not an active OPD or kecamatan of the master data (``services.master``):
    every path that names an OPD checks it, so an OPD is never created by a typo."""
    if code not in known:
        raise InvalidError(
            Text(
                f"OPD {code} tidak ada dalam data induk (GET /api/v1/opd menampilkan kodenya; BKPSDM menambahkan "
                "yang baru)",
                f"OPD {code} is not in the master data (GET /api/v1/opd lists the codes; the BKPSDM adds new ones)",
            ),
            errors=[Text(f"opd_code: OPD {code} tidak dikenal", f"opd_code: unknown OPD {code}")],
            code="unknown_opd",
        )


def _may_manage_opd(actor: Actor, opd_code: str) -> bool:
    return may(actor, Subject("", opd_code, None, None), MANAGE_REGISTRY)


def _check_nip(nip: str, employee_type: EmployeeType, today: date) -> None:
    try:
        parse_nip(nip, employee_type, today=today)
    except InvalidNipError as exc:
        raise InvalidError(
            Text(f"NIP {nip} tidak valid: ", f"NIP {nip} is not valid: ") + exc.text,
            errors=[Text("nip: ", "nip: ") + exc.text],
        ) from exc


def _new_employee(
    data: EmployeeIn, *, actor: Actor, producer: str, today: date, known_opds: frozenset[str]
) -> tuple[MongoDocument, EmployeeRegistered]:
    """The document and event of a new registry record, after the rules for creating one."""
    if not _may_manage_opd(actor, data.opd_code):
        raise ForbiddenError(
            Text(
                f"Anda tidak berwenang mendaftarkan pegawai OPD {data.opd_code}",
                f"You may not register employees of OPD {data.opd_code}",
            )
        )
    if data.nip == actor.nip and "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError(
            Text(
                "Admin OPD tidak boleh mendaftarkan data dirinya sendiri; hubungi BKPSDM",
                "An OPD admin may not register their own record; ask the BKPSDM",
            )
        )
    require_known_opd(data.opd_code, known_opds)
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
    document["readers"] = reader_keys(subject_of(document))
    entry = _link_entry({}, document, actor=actor, now=now)
    if entry is not None:
        document["link_changes"] = [entry]
    event = EmployeeRegistered.create(EmployeeSnapshot.model_validate(snapshot(document)), producer=producer)
    return document, event


async def register_employee(data: EmployeeIn, *, actor: Actor, registry: Registry, today: date) -> MongoDocument:
    known_opds = await registry.opds.active_codes()
    document, event = _new_employee(data, actor=actor, producer=registry.producer, today=today, known_opds=known_opds)
    links = {field: getattr(data, field) for field in LINKS}
    people = await _named_people(registry, links, {})
    # A new record has nobody under it (links name registered people only), so no loop to look for.
    _refuse(link_problems(data.nip, data.opd_code, links, frozenset(LINKS), actor=actor, people=people, chain=[]))
    try:
        await registry.employees.insert(document, event, now=document["created_at"])
    except AlreadyExistsError as exc:
        raise ConflictError(already_registered(data.nip)) from exc
    registry.wake_relay(registry.employees.collection.name, document["_id"])
    return document


async def backfill_readers(registry: Registry) -> int:
    """Give every record written before ``readers`` existed its keys (at start-up); returns how many."""
    missing = await registry.employees.without_readers()
    await registry.employees.set_readers({e["_id"]: reader_keys(subject_of(e)) for e in missing})
    return len(missing)


async def visible_employee(nip: str, *, actor: Actor, registry: Registry) -> MongoDocument:
    employee = await registry.employees.get(nip)
    if employee is None or not may(actor, subject_of(employee), READ):
        raise NotFoundError(employee_not_found(nip))
    return employee


def _check_may_change(current: MongoDocument, changes: dict[str, Any], actor: Actor) -> None:
    """The one rule for every path that changes a registry record (PATCH and each CSV row)."""
    nip = current["_id"]
    if not may(actor, subject_of(current), MANAGE_REGISTRY):
        raise ForbiddenError(
            Text(f"Anda tidak berwenang mengubah data pegawai {nip}", f"You may not change employee {nip}")
        )
    if nip == actor.nip and "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError(
            Text(
                "Admin OPD tidak boleh mengubah data dirinya sendiri; hubungi BKPSDM",
                "An OPD admin may not change their own record; ask the BKPSDM",
            )
        )
    if "opd_code" in changes and not _may_manage_opd(actor, changes["opd_code"]):
        target = changes["opd_code"]
        raise ForbiddenError(
            Text(
                f"Anda tidak berwenang memindahkan pegawai ke OPD {target}",
                f"You may not move employees to OPD {target}",
            )
        )


@dataclass(frozen=True)
class _Change:
    """A planned change of one record: the fields that differ and the event that announces them."""

    fields: MongoDocument
    event: EmployeeUpdated
    link_change: MongoDocument | None = None
    """The audit entry pushed to ``link_changes`` when an appraiser link changes."""


def _plan_change(
    current: MongoDocument, changes: dict[str, Any], *, actor: Actor, producer: str, today: date
) -> _Change | None:
    """What ``changes`` would change in ``current`` (None: nothing), after the registry's rules
    (the appraiser links are checked by the caller, ``_check_changed_links``)."""
    changed = sorted(k for k, v in changes.items() if current.get(k) != v)
    if not changed:
        return None
    after = {**current, **changes}
    try:
        check_appraisers(current["_id"], after.get("pejabat_penilai_nip"), after.get("atasan_pejabat_penilai_nip"))
    except TextError as exc:
        raise InvalidError(exc.text) from exc
    if "employee_type" in changed:
        _check_nip(current["_id"], EmployeeType(changes["employee_type"]), today)
    fields = {k: changes[k] for k in changed}
    updated = {**current, **fields, "version": current["version"] + 1}
    readers = reader_keys(subject_of(updated))
    if current.get("readers") != readers:  # a relation changed, or the record predates its keys
        fields["readers"] = readers
    event = EmployeeUpdated.create(
        EmployeeUpdatedPayload.model_validate({**snapshot(updated), "changed_fields": changed}), producer=producer
    )
    return _Change(fields, event, _link_entry(current, updated, actor=actor, now=now_ms()))


async def _check_changed_links(
    current: MongoDocument, changes: dict[str, Any], *, actor: Actor, registry: Registry, known: dict[str, Person]
) -> None:
    """The hierarchy and separation-of-duties rules for the links ``changes`` sets on ``current``."""
    after = {**current, **changes}
    changed = frozenset(f for f in LINKS if f in changes and current.get(f) != changes[f])
    moved = "opd_code" in changes and changes["opd_code"] != current["opd_code"]
    if not changed and not moved:
        return
    links = {field: after.get(field) for field in LINKS}
    people = await _named_people(registry, links, known)
    pejabat = links["pejabat_penilai_nip"]
    chain = await _chain_above(registry, pejabat, known) if "pejabat_penilai_nip" in changed else []
    # A move to another OPD re-checks the links it keeps (an appraiser of the old OPD becomes cross-OPD).
    checked = frozenset(LINKS) if moved else changed
    _refuse(link_problems(current["_id"], after["opd_code"], links, checked, actor=actor, people=people, chain=chain))


async def update_employee(
    nip: str, patch: EmployeePatch, expected_version: int, *, actor: Actor, registry: Registry, today: date
) -> MongoDocument:
    current = await visible_employee(nip, actor=actor, registry=registry)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    _check_may_change(current, changes, actor)
    if current["version"] != expected_version:
        raise VersionConflictError(at_version(Text(f"Data pegawai {nip}", f"Employee {nip}"), current["version"]))
    change = _plan_change(current, changes, actor=actor, producer=registry.producer, today=today)
    if change is None:
        return current
    if "opd_code" in change.fields:
        require_known_opd(change.fields["opd_code"], await registry.opds.active_codes())
    await _check_changed_links(current, changes, actor=actor, registry=registry, known={})
    stored = await _write_change(registry, current, change, now_ms())
    if stored is None:
        raise VersionConflictError(changed_concurrently(Text(f"Data pegawai {nip}", f"Employee {nip}")))
    registry.wake_relay(registry.employees.collection.name, nip)
    return stored


async def _write_change(
    registry: Registry, current: MongoDocument, change: _Change, now: datetime
) -> MongoDocument | None:
    push = {"link_changes": change.link_change} if change.link_change is not None else None
    return await registry.employees.update(current, change.fields, change.event, now=now, push=push)


async def link_changes(nip: str, *, actor: Actor, registry: Registry) -> list[MongoDocument]:
    """Who set the employee's appraiser links, when, from what to what; newest first."""
    employee = await visible_employee(nip, actor=actor, registry=registry)
    return list(reversed(employee.get("link_changes", [])))


# ---------------------------------------------------------------- CSV import


def parse_csv(content: bytes) -> tuple[list[tuple[int, dict[str, str]]], dict[int, list[Text]]]:
    """Rows of a registry CSV (comma or semicolon separated, UTF-8) as (line number, values), and per
    line the notes on values read as something else. The columns are the registry's own names or
    those of a SIASN-style export (``domain.siasn``: NIP, NAMA, JENIS JABATAN, JABATAN, ...)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidError(Text("CSV harus berupa teks UTF-8", "The CSV must be UTF-8 text")) from exc
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InvalidError(
            Text(
                "CSV kosong; baris pertama harus berisi nama kolom",
                "The CSV is empty; the first line must name the columns",
            )
        )
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = {name: _column(name) for name in reader.fieldnames or [] if name is not None}
    fields = [field for field in columns.values() if field]
    missing = sorted(REQUIRED_COLUMNS - set(fields))
    unknown = sorted(name.strip() for name, field in columns.items() if field is None)
    twice = sorted({f for f in fields if fields.count(f) > 1})
    if missing or unknown or twice:
        errors = [Text(f"kolom tidak ada: {m}", f"missing column: {m}") for m in missing]
        errors += [Text(f"kolom tidak dikenal: {u}", f"unknown column: {u}") for u in unknown]
        errors += [Text(f"dua kolom sama-sama berisi {t}", f"two columns give {t}") for t in twice]
        names = ", ".join(CSV_COLUMNS)
        raise InvalidError(
            Text(
                f"Baris judul CSV tidak dapat digunakan; kolomnya adalah: {names} (atau nama kolom SIASN-nya)",
                f"The CSV header is not usable; columns are: {names} (or their SIASN names)",
            ),
            errors=errors,
        )
    rows: list[tuple[int, dict[str, str]]] = []
    notes: dict[int, list[Text]] = {}
    try:
        for number, row in enumerate(reader, start=2):
            values: dict[str, str] = {}
            for name, raw in row.items():
                field = columns.get(name) if name is not None else None
                if field is None:
                    continue
                values[field], note = read_value(field, (raw or "").strip())
                if note:
                    notes.setdefault(number, []).append(note)
            if any(values.values()):
                rows.append((number, values))
    except csv.Error as exc:
        line = reader.line_num
        raise InvalidError(
            Text(f"CSV tidak dapat dibaca di sekitar baris {line}: ", f"The CSV cannot be read near line {line}: ")
            + verbatim(str(exc))  # the csv module's own (English) words
        ) from exc
    return rows, notes


def _column(name: str) -> str | None:
    """The registry field a column gives: its own name, or a SIASN-style one."""
    stripped = name.strip()
    return stripped if stripped in CSV_COLUMNS else canonical_header(stripped)


async def start_import(
    content: bytes,
    *,
    actor: Actor,
    registry: Registry,
    today: date,
    spawn: Callable[[Coroutine[Any, Any, None], str], object],
) -> MongoDocument:
    """Check the header, record the job, and process the rows in the background."""
    rows, notes = parse_csv(content)
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
        "heartbeat_at": now_ms(),
        "finished_at": None,
    }
    await registry.imports.create(job)
    spawn(_run_import(job["_id"], rows, notes, actor=actor, registry=registry, today=today), f"import-{job['_id']}")
    return job


async def _run_import(
    job_id: str,
    rows: list[tuple[int, dict[str, str]]],
    notes: dict[int, list[Text]],
    *,
    actor: Actor,
    registry: Registry,
    today: date,
) -> None:
    try:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        processed = 0
        for chunk in _chunks(rows):
            results = await _import_chunk(chunk, actor=actor, registry=registry, today=today)
            for result in results:
                result["notes"] = [stored(note) for note in notes.get(result["row"], [])]
            processed += len(chunk)
            for result in results:
                counts[result["outcome"]] += 1
            await registry.imports.progress(job_id, {"processed": processed, **counts}, results, now_ms())
        await registry.imports.progress(job_id, {"status": "completed", "finished_at": now_ms()}, [], now_ms())
    except Exception:
        logger.exception("import %s failed", job_id)
        await registry.imports.progress(job_id, {"status": "failed", "finished_at": now_ms()}, [], now_ms())
        raise


IMPORT_SILENCE = timedelta(minutes=2)
"""An import whose process has not reported for this long has stopped (a chunk takes well under a second)."""


def import_status(job: MongoDocument, now: datetime) -> str:
    """``running``, unless its process stopped without saying so (then ``interrupted``), or the stored status."""
    heartbeat: datetime = job.get("heartbeat_at") or job["started_at"]
    silent = job["status"] == "running" and heartbeat < now - IMPORT_SILENCE
    return "interrupted" if silent else str(job["status"])


def _chunks(rows: list[tuple[int, dict[str, str]]]) -> Iterator[list[tuple[int, dict[str, str]]]]:
    """Rows in chunks of up to ``IMPORT_CHUNK``, none holding a NIP twice: a later row for the same
    NIP goes to a later chunk, so it applies after (and on top of) the earlier one, as in the file."""
    chunk: list[tuple[int, dict[str, str]]] = []
    nips: set[str] = set()
    for line, values in rows:
        nip = values.get("nip", "")
        if len(chunk) == IMPORT_CHUNK or (nip and nip in nips):
            yield chunk
            chunk, nips = [], set()
        chunk.append((line, values))
        nips.add(nip)
    if chunk:
        yield chunk


@dataclass
class _Chunk:
    """What became, or will become, of each row of a chunk."""

    outcomes: dict[int, tuple[str, list[Text]]] = field(default_factory=dict)
    inserts: dict[int, tuple[MongoDocument, EmployeeRegistered]] = field(default_factory=dict)
    updates: dict[int, tuple[MongoDocument, _Change]] = field(default_factory=dict)

    def reject(self, line: int, *errors: Text) -> None:
        self.outcomes[line] = ("rejected", list(errors))


async def _import_chunk(
    chunk: list[tuple[int, dict[str, str]]], *, actor: Actor, registry: Registry, today: date
) -> list[MongoDocument]:
    """One chunk of rows: one query for the stored records, one bulk insert of the new ones, and a
    compare-and-set write per changed one (each row's state change and event are one write)."""
    plan = await _plan_chunk(chunk, actor=actor, registry=registry, today=today)
    now = now_ms()
    inserts = [(document, [event]) for document, event in plan.inserts.values()]
    taken = await registry.employees.insert_many(inserts, now)
    for line, (document, _) in plan.inserts.items():
        if document["_id"] in taken:
            plan.reject(line, already_registered(document["_id"]))
        else:
            plan.outcomes[line] = ("created", [])
    gate = asyncio.Semaphore(UPDATE_CONCURRENCY)

    async def update(line: int, current: MongoDocument, change: _Change) -> None:
        nip = current["_id"]
        async with gate:
            stored = await _write_change(registry, current, change, now)
        if stored is None:
            plan.reject(
                line,
                Text(
                    f"Data pegawai {nip} diubah pada saat yang sama; impor ulang baris ini",
                    f"Employee {nip} was changed meanwhile; import the row again",
                ),
            )
        else:
            plan.outcomes[line] = ("updated", [])

    done = await asyncio.gather(
        *(update(line, current, change) for line, (current, change) in plan.updates.items()), return_exceptions=True
    )
    for failure in done:  # every write has ended before the job is marked failed
        if isinstance(failure, BaseException):
            raise failure
    for line, values in chunk:
        if plan.outcomes[line][0] in ("created", "updated"):
            registry.wake_relay(registry.employees.collection.name, values["nip"])
    return [
        {
            "row": line,
            "nip": values.get("nip") or None,
            "outcome": plan.outcomes[line][0],
            "errors": [stored(error) for error in plan.outcomes[line][1]],
        }
        for line, values in chunk
    ]


def _row_error(error: Any) -> Text:
    """A field error of a CSV row, after the field it is about (none for the row as a whole)."""
    where = field_name(error)
    return (Text(f"{where}: ", f"{where}: ") if where else Text("", "")) + field_message(error)


async def _plan_chunk(
    chunk: list[tuple[int, dict[str, str]]], *, actor: Actor, registry: Registry, today: date
) -> _Chunk:
    """Decide every row: rejected, unchanged, to insert, or to update. Each row passes the same rules
    as the single-record routes (``_new_employee``, ``_check_may_change``, ``_plan_change``)."""
    plan = _Chunk()
    parsed: list[tuple[int, EmployeeIn, dict[str, str]]] = []
    for line, values in chunk:
        try:
            parsed.append((line, EmployeeIn.model_validate({k: v for k, v in values.items() if v != ""}), values))
        except ValidationError as exc:
            plan.reject(line, *(_row_error(e) for e in exc.errors()))
    stored = await registry.employees.get_many([data.nip for _, data, _ in parsed])
    known_opds = await registry.opds.active_codes()
    named = [nip for _, data, _ in parsed for nip in (data.pejabat_penilai_nip, data.atasan_pejabat_penilai_nip) if nip]
    # The people the rows name, read once; rows created earlier in this chunk join them as they are planned
    # (a file lists the heads before their staff; a row naming someone of a later chunk is rejected).
    known = {nip: person_of(doc) for nip, doc in (await registry.employees.get_many(sorted(set(named)))).items()}
    for line, data, values in parsed:
        current = stored.get(data.nip)
        try:
            if current is None:
                # The rules of creating a record first: a row of another OPD learns nothing of its links.
                planned = _new_employee(
                    data, actor=actor, producer=registry.producer, today=today, known_opds=known_opds
                )
                links = {field: getattr(data, field) for field in LINKS}
                people = await _named_people(registry, links, known)
                _refuse(
                    link_problems(
                        data.nip, data.opd_code, links, frozenset(LINKS), actor=actor, people=people, chain=[]
                    )
                )
                plan.inserts[line] = planned
                known[data.nip] = person_of(planned[0])
                continue
            # Only the columns the file has: a file without e.g. email leaves the stored emails alone.
            changes = {k: v for k, v in data.model_dump(mode="json", exclude={"nip"}).items() if k in values}
            _check_may_change(current, changes, actor)
            change = _plan_change(current, changes, actor=actor, producer=registry.producer, today=today)
            if change is not None and "opd_code" in change.fields:
                require_known_opd(change.fields["opd_code"], known_opds)
            if change is not None:
                await _check_changed_links(current, changes, actor=actor, registry=registry, known=known)
        except (InvalidError, ForbiddenError) as exc:
            plan.reject(line, *(exc.messages or [exc.detail or exc.title]))
            continue
        if change is None:
            plan.outcomes[line] = ("unchanged", [])
        else:
            plan.updates[line] = (current, change)
            known[data.nip] = person_of({**current, **change.fields})
    return plan
