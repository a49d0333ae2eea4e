"""Enrolment: seats and the waiting list, no one in two overlapping sessions, attendance and completion.

A request first claims its dates in the person's schedule (``schedules``, compare-and-set on one document per
person: two requests of the same person are decided one after the other), then joins the waiting list (one
document per person and session, a unique key), then the free seats are given in waiting-list order (priority,
request time, id). A seat is a counter on the session (``seats_free``) and the list of who holds one
(``holders``), changed together in one conditional write, so no number of concurrent requests on any number of
replicas can overbook a session. Taking a seat comes before marking the enrolment ``enrolled``: a crash in
between leaves a holder still ``waitlisted``, and a cancellation frees its seat after the enrolment is
``cancelled``: a crash in between leaves a cancelled holder. ``reconcile`` finishes the first and undoes the
second; it runs at start-up and whenever the holders of a session do not match its enrolments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.errors import ConflictError, NotFoundError
from shared.events import (
    EmployeeType,
    PositionType,
    TrainingCompleted,
    TrainingCompletedPayload,
    TrainingEnrolled,
    TrainingEnrolledPayload,
)
from shared.i18n import Text
from shared.mongo import MongoDocument
from shared.regulation import RegulationError, contract_year
from shared.versioned import AlreadyExistsError, BusyError, MissingError
from training.domain.access import ENROL, ORGANISE, READ, Actor
from training.domain.catalogue import Programme, Session
from training.domain.enrolment import HOLDS_SEAT, EnrolmentStatus, check_timing, check_transition, overlapping
from training.domain.errors import RuleError
from training.domain.jp import pppk_remaining
from training.repository.catalogue import to_programme, to_session
from training.services.context import PRODUCER, Training, authorise, refuse

S = EnrolmentStatus
PROMOTION_ROUNDS = 200
"""Most promotions one call makes (a session has at most 1000 seats; several calls share the work)."""
CLAIM_GRACE = dt.timedelta(minutes=2)
"""A schedule entry whose enrolment was never written (the request died in between) is dropped after this."""
SCHEDULE_KEPT = dt.timedelta(days=400)
"""Schedule entries of sessions that ended longer ago are dropped (no overlap possible, outside any contract
year)."""
SCHEDULE_MAX = 200
"""Most live schedule entries of one person."""
CLAIM_ATTEMPTS = 8
SETTLE_AFTER = dt.timedelta(seconds=30)
"""A holder still ``waitlisted`` this long after its last change is a promotion that stopped (a crash):
``reconcile`` finishes it. Younger ones are left to the request running them."""


def enrolment_id(session_code: str, nip: str) -> str:
    return f"{session_code}:{nip}"


async def load_session(ctx: Training, session_code: str, *, offered: bool = False) -> tuple[Programme, Session]:
    """A session and its programme; with ``offered``, only a session its programme still lists (a session
    dropped from the catalogue takes no new enrolments; its past ones can still be cancelled and completed)."""
    stored = await ctx.catalogue.session(session_code)
    programme = await ctx.catalogue.get(stored["program_code"]) if stored else None
    if offered and programme is not None and session_code not in programme.get("session_codes", []):
        programme = None
    if stored is None or programme is None:
        raise NotFoundError(
            Text(f"Sesi {session_code} tidak ada", f"No session {session_code}"), code="session_unknown"
        )
    return to_programme(programme), to_session(stored)


async def get_visible(ctx: Training, actor: Actor, enrolment: str) -> MongoDocument:
    document = await ctx.enrolments.get(enrolment)
    if document is None:
        raise NotFoundError(Text("Pendaftaran tidak ditemukan", "No such enrolment"), code="not_found")
    await authorise(ctx, actor, document["nip"], READ, hidden=True)
    return document


async def enrol(
    ctx: Training,
    actor: Actor,
    nip: str,
    session_code: str,
    *,
    recommendation_id: str | None = None,
    priority: int = 1,
) -> tuple[MongoDocument, bool]:
    """Enrol ``nip`` in a session: a seat when one is free and nobody waits before them, else a waiting place.
    Returns the enrolment and whether it was created (False: the same request again)."""
    await authorise(ctx, actor, nip, ENROL, hidden=False)
    programme, session = await load_session(ctx, session_code, offered=True)
    existing = await ctx.enrolments.get(enrolment_id(session_code, nip))
    if existing is not None:
        if existing["status"] in (S.CANCELLED, S.DECLINED):
            raise ConflictError(
                Text("Pendaftaran pada sesi ini sudah dibatalkan", "The enrolment in this session was cancelled"),
                code="enrolment_closed",
            )
        return existing, False
    person = await ctx.people.get(nip) or {}
    today = ctx.today()
    try:
        check_timing(S.ENROLLED, session, today)
        employee_type, position_type = person.get("employee_type"), person.get("position_type")
        if person and not programme.open_to(
            EmployeeType(employee_type) if employee_type else None,
            PositionType(position_type) if position_type else None,
        ):
            raise RuleError(
                "programme_not_open", Text("Program tidak terbuka bagi pegawai ini", "Not open to this employee")
            )
    except RuleError as exc:
        refuse(exc)
    await claim(ctx, person or {"_id": nip}, enrolment_id(session_code, nip), programme, session)
    now = ctx.now()
    document = {
        "_id": enrolment_id(session_code, nip),
        "nip": nip,
        "opd_code": person.get("opd_code"),
        "session_code": session_code,
        "program_code": programme.code,
        "title": programme.title,
        "jp": programme.jp,
        "starts_on": session.starts_on.isoformat(),
        "ends_on": session.ends_on.isoformat(),
        "status": S.WAITLISTED.value,
        "priority": priority,
        "requested_at": now,
        "requested_by": actor.nip,
        "recommendation_id": recommendation_id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    try:
        await ctx.enrolments.insert(document, now=now)
    except AlreadyExistsError:
        stored = await ctx.enrolments.get(document["_id"])
        assert stored is not None
        return stored, False
    await promote(ctx, session_code)
    for _ in range(CLAIM_ATTEMPTS):
        stored = await ctx.enrolments.get(document["_id"])
        assert stored is not None
        if stored["status"] != S.WAITLISTED:
            return stored, True
        # The answer says "waiting": a seat given later is then a promotion the employee is told of.
        told = await ctx.enrolments.update(stored, {"told_waiting": True}, now=ctx.now())
        if told is not None:
            return told, True
    raise ConflictError(Text("Coba lagi", "Try again"), code="busy")


def _live(entry: MongoDocument, enrolment: MongoDocument | None, now: dt.datetime) -> bool:
    """Whether a schedule entry still counts: its enrolment is active, or is being written."""
    if enrolment is None:
        return now - dt.datetime.fromisoformat(entry["claimed_at"]) < CLAIM_GRACE
    return S(enrolment["status"]) not in (S.CANCELLED, S.DECLINED)


async def live_schedule(ctx: Training, nip: str) -> tuple[list[MongoDocument], int]:
    """The live entries of a person's schedule and the version they were read at (0: no schedule yet)."""
    stored = await ctx.schedules.get(nip)
    if stored is None:
        return [], 0
    entries: list[MongoDocument] = stored.get("entries", [])
    enrolments = await ctx.enrolments.get_many([e["enrolment_id"] for e in entries])
    now, oldest = ctx.now(), (ctx.today() - SCHEDULE_KEPT).isoformat()
    kept = [e for e in entries if e["ends_on"] >= oldest and _live(e, enrolments.get(e["enrolment_id"]), now)]
    return kept, stored["version"]


def jp_window(person: MongoDocument, on: dt.date) -> tuple[dt.date, dt.date]:
    """The days whose JP count toward the PPPK cap on ``on``: the contract year from the registry's
    ``contract_start``, or the calendar year when it is not known."""
    start = person.get("contract_start")
    if start:
        first = dt.date.fromisoformat(start)
        try:
            return contract_year(first, max(on, first))
        except RegulationError as exc:  # the rule's refusal, as training's own
            raise RuleError(exc.code, exc.text) from exc
    return dt.date(on.year, 1, 1), dt.date(on.year, 12, 31)


async def pppk_jp_used(
    ctx: Training, person: MongoDocument, on: dt.date, schedule: list[MongoDocument] | None = None
) -> float:
    """JP a PPPK has used or planned in the contract year of ``on``: approved ledger entries completed in it,
    and the sessions of the schedule ending in it (enrolled or waiting; completions once, from the schedule)."""
    nip = person["_id"]
    if schedule is None:
        schedule, _ = await live_schedule(ctx, nip)
    first, last = jp_window(person, on)
    planned = [e for e in schedule if first.isoformat() <= e["ends_on"] <= last.isoformat()]
    counted = {f"enrolment:{e['enrolment_id']}" for e in schedule}
    entries = await ctx.ledger.of_years(nip, list(range(first.year, last.year + 1)))
    days = (first.isoformat(), last.isoformat())
    credited = sum(
        float(e["jp"])
        for e in entries
        if e.get("status") == "approved" and e["_id"] not in counted and days[0] <= e["on"] <= days[1]
    )
    return round(credited + sum(float(e.get("jp", 0)) for e in planned), 2)


async def claim(ctx: Training, person: MongoDocument, enrolment: str, programme: Programme, session: Session) -> None:
    """Claim the session's dates in the person's schedule, or refuse: an overlap with a session they are active
    in, or (a PPPK) over the cap. One compare-and-set on the person's schedule document, so two concurrent
    requests of the same person can never both pass."""
    nip = person["_id"]
    for _ in range(CLAIM_ATTEMPTS):
        kept, version = await live_schedule(ctx, nip)
        if any(e["enrolment_id"] == enrolment for e in kept):
            return  # the same request again
        held = [
            Session(e["session_code"], dt.date.fromisoformat(e["starts_on"]), dt.date.fromisoformat(e["ends_on"]), 1)
            for e in kept
        ]
        try:
            if clash := overlapping(session, held):
                names = ", ".join(sorted(s.code for s in clash))
                raise RuleError(
                    "session_overlap",
                    Text(f"Jadwal bertabrakan dengan sesi {names}", f"The dates overlap session(s) {names}"),
                )
            if person.get("employee_type") == "PPPK":
                used = await pppk_jp_used(ctx, person, session.ends_on, kept)
                if programme.jp > pppk_remaining(used):
                    raise RuleError(
                        "pppk_cap_exceeded",
                        Text(
                            f"Melebihi batas 24 JP PPPK per tahun perjanjian kerja (terpakai {used} JP)",
                            f"Over the PPPK cap of 24 JP per contract year ({used} JP used or planned)",
                        ),
                    )
            if len(kept) >= SCHEDULE_MAX:
                raise RuleError("schedule_full", Text("Terlalu banyak pendaftaran aktif", "Too many active enrolments"))
        except RuleError as exc:
            refuse(exc)
        entry = {
            "enrolment_id": enrolment,
            "session_code": session.code,
            "starts_on": session.starts_on.isoformat(),
            "ends_on": session.ends_on.isoformat(),
            "jp": programme.jp,
            "claimed_at": ctx.now().isoformat(),
        }
        if await ctx.schedules.write(nip, [*kept, entry], version):
            return
    raise ConflictError(Text("Coba lagi", "Try again"), code="busy")


async def release(ctx: Training, nip: str, enrolment: str) -> None:
    """Drop a cancelled enrolment from the person's schedule (a failed release is dropped by the next claim)."""
    for _ in range(CLAIM_ATTEMPTS):
        kept, version = await live_schedule(ctx, nip)
        rest = [e for e in kept if e["enrolment_id"] != enrolment]
        if version == 0 or await ctx.schedules.write(nip, rest, version):
            return


def enrolled_event(document: MongoDocument, *, promoted: bool) -> TrainingEnrolled:
    payload = TrainingEnrolledPayload(
        enrolment_id=document["_id"],
        nip=document["nip"],
        program_code=document["program_code"],
        title=document["title"],
        jp_planned=document["jp"],
        starts_on=dt.date.fromisoformat(document["starts_on"]),
        ends_on=dt.date.fromisoformat(document["ends_on"]),
        recommendation_id=document.get("recommendation_id"),
        session_code=document["session_code"],
        promoted_from_waiting_list=promoted,
    )
    return TrainingEnrolled.create(payload, producer=PRODUCER)


async def promote(ctx: Training, session_code: str) -> int:
    """Give the free seats of a session to its waiting list, in order; returns how many were promoted."""
    stored = await ctx.catalogue.session(session_code)
    if stored is None or ctx.today() > dt.date.fromisoformat(stored["ends_on"]):
        return 0
    if len(stored.get("holders", [])) != await ctx.enrolments.holding(session_code):
        await reconcile(ctx, session_code)  # a step that did not finish (or one running now: harmless)
    promoted = 0
    for _ in range(PROMOTION_ROUNDS):
        waiting = await ctx.enrolments.waiting(session_code, limit=1)
        if not waiting:
            return promoted
        first = waiting[0]
        if not await ctx.catalogue.take_seat(session_code, first["_id"]):
            current = await ctx.catalogue.session(session_code) or {}
            if first["_id"] not in current.get("holders", []):
                return promoted  # no seat free
            # it holds a seat already: a promotion that did not finish; finish it
        if await _seated(ctx, session_code, first):
            promoted += 1
    return promoted


async def _seated(ctx: Training, session_code: str, waiting: MongoDocument) -> bool:
    """Mark a waiting enrolment that holds a seat ``enrolled`` (with its event: a promotion from the waiting list
    when the request was answered "waiting", ``told_waiting``); when it changed meanwhile and no longer wants the
    seat (cancelled), give the seat back."""
    written = await ctx.enrolments.update(
        waiting,
        {"status": S.ENROLLED.value, "enrolled_at": ctx.now()},
        enrolled_event(waiting, promoted=bool(waiting.get("told_waiting"))),
        now=ctx.now(),
    )
    if written is not None:
        ctx.wake(ctx.enrolments.collection.name, waiting["_id"])
        return True
    current = await ctx.enrolments.get(waiting["_id"])
    if current is None or S(current["status"]) in (S.CANCELLED, S.DECLINED):
        await ctx.catalogue.free_seat(session_code, waiting["_id"])
    return False


async def reconcile(ctx: Training, session_code: str) -> int:
    """Make the seats of a session match its enrolments: a holder still ``waitlisted`` (the promotion stopped
    between the seat and the enrolment) is enrolled; a holder ``cancelled``/``declined`` or unknown (the
    cancellation stopped before freeing its seat) gives the seat back. Each step is conditional, so it is safe
    while other requests run on the session. Returns how many holders it changed."""
    stored = await ctx.catalogue.session(session_code)
    if stored is None:
        return 0
    holders: list[str] = stored.get("holders", [])
    documents = await ctx.enrolments.get_many(holders)
    changed = 0
    for holder in holders:
        document = documents.get(holder)
        if document is None or S(document["status"]) in (S.CANCELLED, S.DECLINED):
            changed += await ctx.catalogue.free_seat(session_code, holder)
        elif document["status"] == S.WAITLISTED and ctx.now() - document["updated_at"] >= SETTLE_AFTER:
            changed += await _seated(ctx, session_code, document)
    return changed


async def reconcile_running(ctx: Training) -> int:
    """``reconcile`` every session that has not ended (at start-up); returns how many holders changed."""
    changed = 0
    for session in await ctx.catalogue.running(ctx.today()):
        if session.get("holders"):
            changed += await reconcile(ctx, session["_id"])
            changed += await promote(ctx, session["_id"])
    return changed


async def _move(ctx: Training, enrolment: str, target: EnrolmentStatus, extra: MongoDocument | None = None) -> Any:
    _, session = await load_session(ctx, (await _get(ctx, enrolment))["session_code"])

    async def decide(current: MongoDocument) -> tuple[MongoDocument, list[Any]]:
        try:
            check_transition(S(current["status"]), target)
            check_timing(target, session, ctx.today())
        except RuleError as exc:
            refuse(exc)
        return {"status": target.value, **(extra or {})}, []

    try:
        return await ctx.enrolments.modify(enrolment, decide, now=ctx.now)
    except MissingError as exc:
        raise NotFoundError(Text("Pendaftaran tidak ditemukan", "No such enrolment"), code="not_found") from exc
    except BusyError as exc:
        raise ConflictError(Text("Coba lagi", "Try again"), code="busy") from exc


async def _get(ctx: Training, enrolment: str) -> MongoDocument:
    document = await ctx.enrolments.get(enrolment)
    if document is None:
        raise NotFoundError(Text("Pendaftaran tidak ditemukan", "No such enrolment"), code="not_found")
    return document


async def cancel(ctx: Training, actor: Actor, enrolment: str) -> MongoDocument:
    """Cancel an enrolment or a waiting place; a freed seat goes to the next on the waiting list."""
    before = await get_visible(ctx, actor, enrolment)
    await authorise(ctx, actor, before["nip"], ENROL, hidden=False)
    written: MongoDocument = await _move(ctx, enrolment, S.CANCELLED, {"cancelled_by": actor.nip})
    # Always: a waiting enrolment may hold a seat its promotion did not finish marking (conditional, once).
    if await ctx.catalogue.free_seat(before["session_code"], enrolment) or S(before["status"]) in HOLDS_SEAT:
        await promote(ctx, before["session_code"])
    await release(ctx, before["nip"], enrolment)
    return written


async def attend(ctx: Training, actor: Actor, enrolment: str) -> MongoDocument:
    before = await get_visible(ctx, actor, enrolment)
    await authorise(ctx, actor, before["nip"], ORGANISE, hidden=False)
    written: MongoDocument = await _move(ctx, enrolment, S.ATTENDED, {"attended_recorded_by": actor.nip})
    return written


async def complete(
    ctx: Training, actor: Actor, enrolment: str, certificate_ref: str, completed_on: dt.date | None
) -> MongoDocument:
    """Record the completion with its certificate number: the JP are credited to the ledger and
    training.completed.v1 announces them. Again on a completed enrolment: the same answer (nothing doubles)."""
    before = await get_visible(ctx, actor, enrolment)
    await authorise(ctx, actor, before["nip"], ORGANISE, hidden=False)
    if before["status"] == S.ENROLLED:
        before = await _move(ctx, enrolment, S.ATTENDED, {"attended_recorded_by": actor.nip})
    if before["status"] != S.COMPLETED:
        _, session = await load_session(ctx, before["session_code"])
        day = completed_on or min(ctx.today(), session.ends_on)
        if day < session.ends_on or day > ctx.today():
            raise ConflictError(
                Text("Tanggal selesai di luar sesi", "The completion date is outside the session"),
                code="completion_date_invalid",
            )
        payload = TrainingCompletedPayload(
            enrolment_id=before["_id"],
            nip=before["nip"],
            program_code=before["program_code"],
            title=before["title"],
            jp_earned=before["jp"],
            completed_on=day,
            year=day.year,
            certificate_ref=certificate_ref,
            recommendation_id=before.get("recommendation_id"),
            session_code=before["session_code"],
        )
        event = TrainingCompleted.create(payload, producer=PRODUCER)

        async def decide(current: MongoDocument) -> tuple[MongoDocument, list[Any]]:
            try:
                check_transition(S(current["status"]), S.COMPLETED)
                check_timing(S.COMPLETED, session, ctx.today())
            except RuleError as exc:
                refuse(exc)
            fields = {"status": S.COMPLETED.value, "certificate_ref": certificate_ref, "completed_on": day.isoformat()}
            return fields, [event]

        before = await ctx.enrolments.modify(enrolment, decide, now=ctx.now)
        ctx.wake(ctx.enrolments.collection.name, enrolment)
    day = dt.date.fromisoformat(before["completed_on"])
    await ctx.ledger.add(
        {
            "_id": f"enrolment:{before['_id']}",
            "nip": before["nip"],
            "source": "completion",
            "status": "approved",
            "title": before["title"],
            "program_code": before["program_code"],
            "jp": before["jp"],
            "on": day.isoformat(),
            "year": day.year,
            "certificate_ref": before.get("certificate_ref"),
            "version": 1,
            "created_at": ctx.now(),
        }
    )
    return before
