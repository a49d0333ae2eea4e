"""Employee registry: register, update, and the CSV bulk import."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from appraisal.domain.access import MANAGE_REGISTRY, READ, Actor, Subject, may, reader_keys
from appraisal.domain.hierarchy import LINKS, MAX_CHAIN, LinkProblems, Person, link_problems
from appraisal.domain.mutation import is_mutation, mutation_date_problem
from appraisal.domain.nip import InvalidNipError, parse_nip
from appraisal.domain.siasn import canonical_header, read_value
from appraisal.repository.employees import EmployeeRepository, ImportRepository
from appraisal.repository.opd import OpdRepository
from appraisal.schemas.employees import EmployeeIn, EmployeePatch, check_appraisers, check_contract_start
from shared.clock import Clock
from shared.errors import (
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    VersionConflictError,
    at_version,
    changed_concurrently,
)
from shared.events import (
    PPK,
    EmployeeRegistered,
    EmployeeSnapshot,
    EmployeeType,
    EmployeeUpdated,
    EmployeeUpdatedPayload,
)
from shared.field_errors import field_message, field_name
from shared.i18n import Text, TextError, stored, verbatim
from shared.mongo import MongoDocument
from shared.versioned import AlreadyExistsError

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
    "contract_start",
)
CSV_COLUMNS = ("nip", *REGISTRY_FIELDS)
REQUIRED_COLUMNS = frozenset({"nip", "name", "employee_type", "position_type", "opd_code"})
IMPORT_CHUNK = 500
"""Rows read, decided and written together (one query, one bulk insert, one progress update)."""
UPDATE_CONCURRENCY = 16
LINK_CHANGES_KEPT = 100
"""Entries of ``link_changes`` kept on a record: the newest; older ones are dropped as new ones come."""
REPORTS_BATCH = 100
"""Reports whose atasan follows a change of their pejabat penilai's own pejabat penilai, per query."""
MAX_REPORT_BATCHES = 20
"""Batches of reports one link change updates (2,000 reports: a city's largest unit has a few hundred)."""
CAS_ATTEMPTS = 5

MutationHook = Callable[[MongoDocument, MongoDocument, date, Actor], Awaitable[object]]
"""Called after a record's write that is a mutation (``domain.mutation.is_mutation``): the record
before and after, the mutation date, the actor (``services.planning.split_at_mutation``)."""


@dataclass(frozen=True)
class Registry:
    """What the registry use cases need."""

    employees: EmployeeRepository
    imports: ImportRepository
    opds: OpdRepository
    wake_relay: Callable[[str, Any], None]
    producer: str
    on_mutation: MutationHook | None = None
    clock: Clock = field(default_factory=Clock)
    """The app's one clock: "today" (in WIB) of every date rule, for the registry and ``Planning``."""


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
    named = {nip for nip in links.values() if nip is not None and nip != PPK}  # the PPK has no record
    missing = [nip for nip in named if nip not in known]
    stored = await registry.employees.get_many(missing) if missing else {}
    return {**{nip: person_of(doc) for nip, doc in stored.items()}, **{n: known[n] for n in named if n in known}}


async def _chain_above(registry: Registry, pejabat: str | None, known: dict[str, Person]) -> list[str]:
    """The pejabat penilai above ``pejabat``, nearest first (one read per level, up to MAX_CHAIN)."""
    chain: list[str] = []
    if pejabat is None:
        return chain
    current: str | None = pejabat
    while current is not None and current != PPK and len(chain) < MAX_CHAIN:
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


def _link_entry(
    before: MongoDocument, after: MongoDocument, *, actor: Actor, now: datetime, note: str | None = None
) -> MongoDocument | None:
    """The audit entry of a change of appraiser links (None when no link changes); ``note`` says why
    when the change was not asked for itself (it followed another change, or undid one)."""
    changes = [
        {"field": field, "old": before.get(field), "new": after.get(field)}
        for field in LINKS
        if before.get(field) != after.get(field)
    ]
    if not changes:
        return None
    return {"at": now, "by": actor.nip, "changes": changes, **({"note": note} if note else {})}


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
    try:
        check_contract_start(data.employee_type, data.contract_start, today)
    except TextError as exc:
        raise InvalidError(exc.text, errors=[Text("contract_start: ", "contract_start: ") + exc.text]) from exc
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
    _refuse(
        link_problems(
            data.nip,
            data.opd_code,
            links,
            frozenset(LINKS),
            actor=actor,
            people=people,
            chain=[],
            position_type=data.position_type.value,
        )
    )
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
    current: MongoDocument,
    changes: dict[str, Any],
    *,
    actor: Actor,
    producer: str,
    today: date,
    note: str | None = None,
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
    if {"employee_type", "contract_start"} & set(changed):
        try:
            check_contract_start(after.get("employee_type"), after.get("contract_start"), today)
        except TextError as exc:
            raise InvalidError(exc.text, errors=[Text("contract_start: ", "contract_start: ") + exc.text]) from exc
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
    entry = _link_entry(current, updated, actor=actor, now=now_ms(), note=note)
    if entry is not None:  # the whole list, capped, set in the same compare-and-set write
        fields["link_changes"] = [*current.get("link_changes", []), entry][-LINK_CHANGES_KEPT:]
    return _Change(fields, event, entry)


async def _check_changed_links(
    current: MongoDocument, changes: dict[str, Any], *, actor: Actor, registry: Registry, known: dict[str, Person]
) -> set[str]:
    """The hierarchy and separation-of-duties rules for the links ``changes`` sets on ``current``;
    returns the NIPs whose records the check relied on (the people named and the chain above)."""
    after = {**current, **changes}
    changed = frozenset(f for f in LINKS if f in changes and current.get(f) != changes[f])
    moved = "opd_code" in changes and changes["opd_code"] != current["opd_code"]
    # A JPT appraised by the PPK who becomes something else is checked again (the PPK appraises JPT only).
    demoted = after.get("pejabat_penilai_nip") == PPK and after.get("position_type") != current.get("position_type")
    if not changed and not moved and not demoted:
        return set()
    links = {field: after.get(field) for field in LINKS}
    people = await _named_people(registry, links, known)
    pejabat = links["pejabat_penilai_nip"]
    chain = await _chain_above(registry, pejabat, known) if "pejabat_penilai_nip" in changed else []
    # A move to another OPD re-checks the links it keeps (an appraiser of the old OPD becomes cross-OPD).
    checked = frozenset(LINKS) if moved else changed | ({"pejabat_penilai_nip"} if demoted else set())
    _refuse(
        link_problems(
            current["_id"],
            after["opd_code"],
            links,
            checked,
            actor=actor,
            people=people,
            chain=chain,
            position_type=after.get("position_type"),
        )
    )
    return {nip for nip in [*links.values(), *chain] if nip is not None}


async def update_employee(
    nip: str, patch: EmployeePatch, expected_version: int, *, actor: Actor, registry: Registry, today: date
) -> MongoDocument:
    current = await visible_employee(nip, actor=actor, registry=registry)
    changes = patch.model_dump(mode="json", exclude_unset=True, exclude={"mutation_date"})
    _check_may_change(current, changes, actor)
    day = _mutation_date(patch.mutation_date, current, changes, today)
    if current["version"] != expected_version:
        raise VersionConflictError(at_version(Text(f"Data pegawai {nip}", f"Employee {nip}"), current["version"]))
    change = _plan_change(current, changes, actor=actor, producer=registry.producer, today=today)
    if change is None:
        return current
    if "opd_code" in change.fields:
        require_known_opd(change.fields["opd_code"], await registry.opds.active_codes())
    await _check_changed_links(current, changes, actor=actor, registry=registry, known={})
    stored = await _write_change(registry, current, change, now_ms(), actor=actor)
    if stored is None:
        raise VersionConflictError(changed_concurrently(Text(f"Data pegawai {nip}", f"Employee {nip}")))
    registry.wake_relay(registry.employees.collection.name, nip)
    await _after_mutation(registry, current, stored, day, actor)
    return stored


def _mutation_date(given: date | None, current: MongoDocument, changes: dict[str, Any], today: date) -> date:
    """The date a mutation takes effect: as given in the PATCH, or today."""
    if given is None:
        return today
    if not is_mutation(current, {**current, **changes}):
        raise InvalidError(
            Text(
                "mutation_date hanya berlaku bersama pergantian pejabat penilai atau OPD",
                "mutation_date goes only with a new pejabat penilai or OPD",
            ),
            code="mutation_date_without_mutation",
        )
    problem = mutation_date_problem(given, today)
    if problem is not None:
        raise InvalidError(
            Text(
                "mutation_date tidak boleh di masa depan atau sebelum tahun lalu",
                "mutation_date may not lie in the future or before last year",
            ),
            errors=[
                Text("mutation_date: di masa depan", "mutation_date: in the future")
                if problem == "future"
                else Text("mutation_date: sebelum tahun lalu", "mutation_date: before last year")
            ],
            code="invalid_mutation_date",
        )
    return given


async def _after_mutation(
    registry: Registry, before: MongoDocument, after: MongoDocument, day: date, actor: Actor
) -> None:
    """The hook of a mutation (a new pejabat penilai or another OPD): the SKP split at ``day``."""
    if registry.on_mutation is not None and is_mutation(before, after):
        await registry.on_mutation(before, after, day, actor)


async def _write_change(
    registry: Registry, current: MongoDocument, change: _Change, now: datetime, *, actor: Actor
) -> MongoDocument | None:
    """THE place where a planned change of a registry record is written (PATCH and every CSV row):
    one compare-and-set write of the fields, the event and the capped ``link_changes``; None when
    someone else changed the record first. A change of appraiser links then has its consequences
    here, in ``_after_link_change`` (so a further consequence of a link change belongs there too)."""
    stored = await registry.employees.update(current, change.fields, change.event, now=now)
    if stored is not None and change.link_change is not None:
        await _after_link_change(registry, current, stored, actor=actor)
    return stored


async def _after_link_change(registry: Registry, before: MongoDocument, after: MongoDocument, *, actor: Actor) -> None:
    """The consequences of a written change of ``before``'s appraiser links, in order:

    1. the loop check again, after the write (``_undo_if_loop``): two changes checked at the same
       time each against the other's old state cannot both stay;
    2. the reports follow (``_reports_follow``): whom this employee appraises get, as atasan, this
       employee's new pejabat penilai."""
    nip, pejabat = after["_id"], after.get("pejabat_penilai_nip")
    if before.get("pejabat_penilai_nip") == pejabat:
        return
    await _undo_if_loop(registry, before, after, actor=actor)
    await _reports_follow(registry, nip, pejabat, actor=actor)


async def _undo_if_loop(registry: Registry, before: MongoDocument, after: MongoDocument, *, actor: Actor) -> None:
    """Re-read the chain above the pejabat penilai just written; if it now comes back to the employee
    (a concurrent change closed a loop), put the links back as they were (compare-and-set, recorded
    and announced like any change) and refuse with 409 ``link_race``.

    Sound without multi-document transactions: each of two changes closing a loop is written before
    its own re-read, so the later re-read sees both writes (each single-document write is atomic)."""
    nip, pejabat = after["_id"], after.get("pejabat_penilai_nip")
    if pejabat is None or pejabat == PPK or nip not in await _chain_above(registry, pejabat, {}):
        return
    undo = {field: before.get(field) for field in LINKS}
    current: MongoDocument | None = after
    for _ in range(CAS_ATTEMPTS):
        if current is None or current.get("pejabat_penilai_nip") != pejabat:
            break  # changed again meanwhile: that change has its own check
        change = _plan_change(
            current, undo, actor=actor, producer=registry.producer, today=registry.clock.today(), note="undone: loop"
        )
        if change is None or await registry.employees.update(current, change.fields, change.event, now=now_ms()):
            break
        current = await registry.employees.get(nip)
    registry.wake_relay(registry.employees.collection.name, nip)
    raise ConflictError(
        Text(
            f"perubahan bersamaan membuat lingkaran penilai: {pejabat} dinilai (langsung atau lebih bawah) "
            f"oleh {nip}; perubahan dibatalkan",
            f"a concurrent change made a loop: {pejabat} is appraised (directly or further down) by {nip}; "
            "the change was undone",
        ),
        code="link_race",
    )


async def _reports_follow(registry: Registry, nip: str, pejabat: str | None, *, actor: Actor) -> None:
    """The atasan pejabat penilai of ``nip``'s reports (whom ``nip`` appraises) becomes ``pejabat``,
    ``nip``'s new pejabat penilai (domain.hierarchy: the atasan is the pejabat penilai's own pejabat
    penilai; none when ``nip`` has none). In batches of REPORTS_BATCH, at most MAX_REPORT_BATCHES;
    each report's change is a compare-and-set write recorded in its ``link_changes`` and announced by
    ``employee.updated.v1``. A report changed concurrently is read again (CAS_ATTEMPTS)."""
    for _ in range(MAX_REPORT_BATCHES):
        reports = await registry.employees.reports_to_follow(nip, pejabat, REPORTS_BATCH)
        if not reports:
            return
        for report in reports:
            current: MongoDocument | None = report
            for _attempt in range(CAS_ATTEMPTS):
                if current is None or current.get("pejabat_penilai_nip") != nip:
                    break
                change = _plan_change(
                    current,
                    {"atasan_pejabat_penilai_nip": pejabat},
                    actor=actor,
                    producer=registry.producer,
                    today=registry.clock.today(),
                    note=f"follows the pejabat penilai {nip}",
                )
                if change is None or await registry.employees.update(
                    current, change.fields, change.event, now=now_ms()
                ):
                    break
                current = await registry.employees.get(report["_id"])
            registry.wake_relay(registry.employees.collection.name, report["_id"])
    logger.warning("the reports of %s were not all updated within %d batches", nip, MAX_REPORT_BATCHES)


async def link_changes(
    nip: str, *, actor: Actor, registry: Registry, limit: int, offset: int
) -> tuple[list[MongoDocument], int]:
    """Who set the employee's appraiser links, when, from what to what; newest first, a page of them
    (the record keeps the newest LINK_CHANGES_KEPT)."""
    employee = await visible_employee(nip, actor=actor, registry=registry)
    entries = list(reversed(employee.get("link_changes", [])))
    return entries[offset : offset + limit], len(entries)


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
    depends_on: dict[int, set[int]] = field(default_factory=dict)
    """Per row to write, the earlier rows of the chunk its checks relied on (the people it names, the
    chain above them): it is written only after them, and only if they were."""

    def reject(self, line: int, *errors: Text) -> None:
        self.outcomes[line] = ("rejected", list(errors))

    def waves(self) -> list[list[int]]:
        """The rows to write, in waves: a row's wave comes after the waves of every row it relies on."""
        wave: dict[int, int] = {}
        for line in sorted([*self.inserts, *self.updates]):  # a row relies on earlier rows only
            wave[line] = 1 + max((wave.get(d, 0) for d in self.depends_on.get(line, ())), default=-1)
        return [sorted(k for k, w in wave.items() if w == n) for n in range(max(wave.values(), default=-1) + 1)]


async def _import_chunk(
    chunk: list[tuple[int, dict[str, str]]], *, actor: Actor, registry: Registry, today: date
) -> list[MongoDocument]:
    """One chunk of rows: one query for the stored records, then the writes in waves (``_Chunk.waves``):
    a bulk insert of the new records and a compare-and-set write per changed one (each row's state
    change and event are one write). A row whose checks relied on a row that was not written is
    rejected, not written against a state that does not exist."""
    plan = await _plan_chunk(chunk, actor=actor, registry=registry, today=today)
    now = now_ms()
    gate = asyncio.Semaphore(UPDATE_CONCURRENCY)

    async def update(line: int, current: MongoDocument, change: _Change) -> None:
        nip = current["_id"]
        async with gate:
            try:
                stored = await _write_change(registry, current, change, now, actor=actor)
            except ConflictError as exc:  # written, then undone: a concurrent change made a loop
                plan.reject(line, exc.detail or exc.title)
                return
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
            await _after_mutation(registry, current, stored, today, actor)

    for wave in plan.waves():
        ready = []
        for line in wave:
            failed = sorted(d for d in plan.depends_on.get(line, ()) if plan.outcomes.get(d, ("",))[0] == "rejected")
            if failed:
                rows = ", ".join(map(str, failed))
                plan.reject(
                    line,
                    Text(
                        f"bergantung pada baris {rows}, yang tidak tersimpan",
                        f"relies on row {rows}, which was not written",
                    ),
                )
            else:
                ready.append(line)
        inserts = [(line, plan.inserts[line]) for line in ready if line in plan.inserts]
        taken = await registry.employees.insert_many([(document, [event]) for _, (document, event) in inserts], now)
        for line, (document, _) in inserts:
            if document["_id"] in taken:
                plan.reject(line, already_registered(document["_id"]))
            else:
                plan.outcomes[line] = ("created", [])
        done = await asyncio.gather(
            *(update(line, *plan.updates[line]) for line in ready if line in plan.updates), return_exceptions=True
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
    planned: dict[str, int] = {}  # NIP -> the row of this chunk that writes it
    for line, data, values in parsed:
        current = stored.get(data.nip)
        try:
            if current is None:
                # The rules of creating a record first: a row of another OPD learns nothing of its links.
                planned_row = _new_employee(
                    data, actor=actor, producer=registry.producer, today=today, known_opds=known_opds
                )
                links = {field: getattr(data, field) for field in LINKS}
                people = await _named_people(registry, links, known)
                _refuse(
                    link_problems(
                        data.nip,
                        data.opd_code,
                        links,
                        frozenset(LINKS),
                        actor=actor,
                        people=people,
                        chain=[],
                        position_type=data.position_type.value,
                    )
                )
                plan.inserts[line] = planned_row
                plan.depends_on[line] = {planned[n] for n in links.values() if n in planned}
                planned[data.nip] = line
                known[data.nip] = person_of(planned_row[0])
                continue
            # Only the columns the file has: a file without e.g. email leaves the stored emails alone.
            changes = {k: v for k, v in data.model_dump(mode="json", exclude={"nip"}).items() if k in values}
            _check_may_change(current, changes, actor)
            change = _plan_change(current, changes, actor=actor, producer=registry.producer, today=today)
            if change is not None and "opd_code" in change.fields:
                require_known_opd(change.fields["opd_code"], known_opds)
            relied: set[str] = set()
            if change is not None:
                relied = await _check_changed_links(current, changes, actor=actor, registry=registry, known=known)
        except (InvalidError, ForbiddenError) as exc:
            plan.reject(line, *(exc.messages or [exc.detail or exc.title]))
            continue
        if change is None:
            plan.outcomes[line] = ("unchanged", [])
        else:
            plan.updates[line] = (current, change)
            plan.depends_on[line] = {planned[n] for n in relied if n in planned}
            planned[data.nip] = line
            known[data.nip] = person_of({**current, **change.fields})
    return plan
