"""Enrolment: seats and the waiting list, no one in two overlapping sessions, attendance and completion.

Seats are a counter on the session document (``seats_free``) taken with a conditional ``$inc`` (only while it
is above 0), so no number of concurrent requests on any number of replicas can overbook a session. A request
first joins the waiting list (one document per person and session, a unique key), then the free seats are given
in waiting-list order (priority, request time, id): each promotion takes a seat, then moves the enrolment with a
compare-and-set; a lost compare-and-set gives the seat back."""

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


def enrolment_id(session_code: str, nip: str) -> str:
    return f"{session_code}:{nip}"


async def load_session(ctx: Training, session_code: str) -> tuple[Programme, Session]:
    stored = await ctx.catalogue.session(session_code)
    programme = await ctx.catalogue.get(stored["program_code"]) if stored else None
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
    programme, session = await load_session(ctx, session_code)
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
        held = await ctx.enrolments.active_of(nip)
        sessions = await ctx.catalogue.sessions_by_id([d["session_code"] for d in held])
        if clash := overlapping(session, [to_session(s) for s in sessions.values()]):
            names = ", ".join(sorted(s.code for s in clash))
            raise RuleError(
                "session_overlap",
                Text(f"Jadwal bertabrakan dengan sesi {names}", f"The dates overlap session(s) {names}"),
            )
        if employee_type == "PPPK":
            used = await jp_of_year(ctx, nip, today.year)
            if programme.jp > pppk_remaining(used):
                raise RuleError(
                    "pppk_cap_exceeded",
                    Text(
                        f"Melebihi batas 24 JP PPPK (terpakai {used} JP)",
                        f"Over the PPPK cap of 24 JP ({used} JP used)",
                    ),
                )
    except RuleError as exc:
        refuse(exc)
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
    stored = await ctx.enrolments.get(document["_id"])
    assert stored is not None
    return stored, True


async def jp_of_year(ctx: Training, nip: str, year: int) -> float:
    entries = await ctx.ledger.of(nip, year)
    return round(sum(float(e["jp"]) for e in entries if e.get("status") == "approved"), 2)


def enrolled_event(document: MongoDocument) -> TrainingEnrolled:
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
    )
    return TrainingEnrolled.create(payload, producer=PRODUCER)


async def promote(ctx: Training, session_code: str) -> int:
    """Give the free seats of a session to its waiting list, in order; returns how many were promoted."""
    stored = await ctx.catalogue.session(session_code)
    if stored is None or ctx.today() > dt.date.fromisoformat(stored["ends_on"]):
        return 0
    promoted = 0
    for _ in range(PROMOTION_ROUNDS):
        waiting = await ctx.enrolments.waiting(session_code, limit=1)
        if not waiting or not await ctx.catalogue.take_seat(session_code):
            return promoted
        first = waiting[0]
        written = await ctx.enrolments.update(
            first, {"status": S.ENROLLED.value, "enrolled_at": ctx.now()}, enrolled_event(first), now=ctx.now()
        )
        if written is None:  # changed meanwhile (promoted by another replica, or cancelled): give the seat back
            await ctx.catalogue.free_seat(session_code)
            continue
        ctx.wake(ctx.enrolments.collection.name, first["_id"])
        promoted += 1
    return promoted


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
    if S(before["status"]) in HOLDS_SEAT:
        await ctx.catalogue.free_seat(before["session_code"])
        await promote(ctx, before["session_code"])
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
