"""The JP ledger per employee per year (completions and approved learning done elsewhere), who is behind per
unit and OPD, and the effectiveness of recommended programmes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from shared.effectiveness import Completion, Effect, Result, by_need_kind, by_programme
from shared.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from shared.events import EmployeeType, Predikat, TrainingCompleted, TrainingCompletedPayload
from shared.i18n import Text
from shared.mongo import MongoDocument
from shared.versioned import BusyError, MissingError
from training.domain.access import APPROVE_LEARNING, READ, REPORT_LEARNING, Actor, actor_keys
from training.domain.errors import RuleError
from training.domain.jp import JpStanding, classify, jp_for
from training.domain.rules import LearningForm
from training.services.context import PRODUCER, Training, authorise, refuse

EXTERNAL_PROGRAM_CODE = "EXTERNAL"
"""``program_code`` of training.completed.v1 for learning done elsewhere (no programme of the catalogue)."""


async def report_external(
    ctx: Training,
    actor: Actor,
    nip: str,
    *,
    title: str,
    form: LearningForm,
    on: dt.date,
    evidence: str,
    days: float | None,
    jp_stated: float | None,
    minutes: int | None,
    international: bool,
) -> MongoDocument:
    """Learning done elsewhere, with its evidence; it counts once the pejabat penilai approves it."""
    await authorise(ctx, actor, nip, REPORT_LEARNING, hidden=False)
    if on > ctx.today():
        raise ConflictError(Text("Tanggal di masa depan", "The date is in the future"), code="date_in_future")
    if on.year < ctx.today().year - 1:
        raise InvalidError(
            Text("Hanya pembelajaran tahun ini atau tahun lalu", "Only learning of this year or last year counts"),
            code="date_too_old",
        )
    try:
        jp = jp_for(form, days=days, jp_stated=jp_stated, minutes=minutes, international=international)
    except RuleError as exc:
        refuse(exc)
    if await ctx.ledger.live_with_evidence(nip, evidence) is not None:
        raise ConflictError(
            Text(
                "Bukti ini sudah dilaporkan (menunggu atau disetujui)",
                "This evidence has been reported already (pending or approved)",
            ),
            code="evidence_already_reported",
        )
    person = await ctx.people.get(nip) or {}
    now = ctx.now()
    document = {
        "_id": f"external:{uuid.uuid4()}",
        "nip": nip,
        "opd_code": person.get("opd_code"),
        "source": "external",
        "status": "pending",
        "title": title,
        "form": form.value,
        "jp": jp,
        "on": on.isoformat(),
        "year": on.year,
        "evidence": evidence,
        "international": international,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    await ctx.ledger.insert(document, now=now)
    return document


async def decide_external(ctx: Training, actor: Actor, ref: str, approve: bool, note: str | None) -> MongoDocument:
    entry = await ctx.ledger.get(ref)
    if entry is None or entry.get("source") != "external":
        raise NotFoundError(Text("Entri tidak ditemukan", "No such entry"), code="not_found")
    await authorise(ctx, actor, entry["nip"], READ, hidden=True)
    await authorise(ctx, actor, entry["nip"], APPROVE_LEARNING, hidden=False)

    async def decide(current: MongoDocument) -> tuple[MongoDocument, list[Any]]:
        if current["status"] != "pending":
            raise ConflictError(
                Text(f"Entri sudah {current['status']}", f"The entry is {current['status']}"), code="entry_decided"
            )
        fields = {"status": "approved" if approve else "rejected", "decided_by": actor.nip, "note": note}
        return fields, [external_completed(current)] if approve else []

    try:
        written: MongoDocument = await ctx.ledger.modify(ref, decide, now=ctx.now)
    except (MissingError, BusyError) as exc:
        raise ConflictError(Text("Coba lagi", "Try again"), code="busy") from exc
    if approve:
        ctx.wake(ctx.ledger.collection.name, ref)
    return written


def external_completed(entry: MongoDocument) -> TrainingCompleted:
    """training.completed.v1 for approved learning done elsewhere: every JP credit travels in events."""
    day = dt.date.fromisoformat(entry["on"])
    payload = TrainingCompletedPayload(
        enrolment_id=entry["_id"],
        nip=entry["nip"],
        program_code=EXTERNAL_PROGRAM_CODE,
        title=entry["title"],
        jp_earned=entry["jp"],
        completed_on=day,
        year=day.year,
        certificate_ref=entry.get("evidence"),
        external_learning=True,
    )
    return TrainingCompleted.create(payload, producer=PRODUCER)


def standing_of(employee_type: str | None, earned: float, year: int, today: dt.date) -> JpStanding:
    as_of = min(today, dt.date(year, 12, 31)) if year <= today.year else dt.date(year, 1, 1)
    return classify(EmployeeType(employee_type or "PNS"), earned, as_of=as_of, year=year)


async def ledger_of(ctx: Training, actor: Actor, nip: str, year: int) -> tuple[list[MongoDocument], JpStanding]:
    await authorise(ctx, actor, nip, READ, hidden=True)
    entries = await ctx.ledger.of(nip, year)
    earned = round(sum(e["jp"] for e in entries if e["status"] == "approved"), 2)
    person = await ctx.people.get(nip) or {}
    return entries, standing_of(person.get("employee_type"), earned, year, ctx.today())


async def _team(ctx: Training, actor: Actor) -> list[MongoDocument] | None:
    """The employees whose standing ``actor`` may see in a report: the BKPSDM everyone, an OPD's admin their OPD,
    a pejabat penilai their team; None for anyone else."""
    if not actor.roles & {"admin_bkpsdm", "admin_opd", "pejabat_penilai"}:
        return None
    keys = actor_keys(actor)
    query: MongoDocument = {"active": True}
    if keys is not None:
        query["readers"] = {"$in": [k for k in keys if not k.startswith("self:")]}
    return await ctx.people.find(query)


async def standings(
    ctx: Training,
    actor: Actor,
    year: int,
    *,
    opd_code: str | None,
    unit_code: str | None,
    employee_type: str | None,
    behind_only: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each visible employee's JP standing of ``year`` (behind first), and the counts per OPD and unit."""
    people = await _team(ctx, actor)
    if people is None:
        raise ForbiddenError(
            Text("Hanya pejabat penilai, admin OPD dan BKPSDM", "Only a pejabat penilai, an OPD admin or the BKPSDM"),
            code="forbidden",
        )
    people = [
        p
        for p in people
        if (opd_code is None or p.get("opd_code") == opd_code)
        and (unit_code is None or p.get("unit_code") == unit_code)
        and (employee_type is None or p.get("employee_type") == employee_type)
    ]
    earned: dict[str, float] = defaultdict(float)
    wanted = {p["_id"] for p in people}
    for entry in await ctx.ledger.approved_of(sorted(wanted), year):
        earned[entry["nip"]] += entry["jp"]
    rows = []
    today = ctx.today()
    for p in people:
        s = standing_of(p.get("employee_type"), round(earned[p["_id"]], 2), year, today)
        rows.append(
            {
                "nip": p["_id"],
                "name": p.get("name"),
                "opd_code": p.get("opd_code"),
                "unit_code": p.get("unit_code"),
                "employee_type": s.employee_type.value,
                "earned_jp": s.earned_jp,
                "progress": s.progress.value,
                "minimum_jp": s.minimum_jp,
                "expected_by_now": s.expected_by_now,
                "shortfall": s.shortfall,
                "remaining_under_cap": s.remaining_under_cap,
                "over_cap": s.over_cap,
                "behind": s.progress.value in ("not_started", "behind", "over_cap"),
            }
        )
    order = {"not_started": 0, "behind": 1, "over_cap": 2}
    rows.sort(key=lambda r: (order.get(r["progress"], 3), -(r["shortfall"] or r["over_cap"]), r["nip"]))
    groups: dict[tuple[str, str | None, str], Counter[str]] = defaultdict(Counter)
    for r in rows:
        for key in ((r["opd_code"], None, r["employee_type"]), (r["opd_code"], r["unit_code"], r["employee_type"])):
            groups[key]["employees"] += 1
            groups[key]["behind"] += int(r["behind"])
    summary = [
        {"opd_code": k[0], "unit_code": k[1], "employee_type": k[2], **dict(v)}
        for k, v in sorted(groups.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "", kv[0][2]))
    ]
    if behind_only:
        rows = [r for r in rows if r["behind"]]
    return rows, summary


EFFECTIVENESS_READ = 100_000
"""Most completions one effectiveness report reads (the newest first)."""


@dataclass(frozen=True)
class EffectivenessReport:
    by_programme: list[Effect]
    by_need_kind: list[Effect]
    completions: int
    complete: bool


async def effectiveness(ctx: Training, actor: Actor) -> EffectivenessReport:
    """Per programme and per need kind: of the completions of recommended programmes, how many have a later
    result, and how many of those improved, stayed or worsened (the BKPSDM: all; an OPD's admin: their OPD)."""
    if "admin_bkpsdm" in actor.roles:
        nips = None
    elif "admin_opd" in actor.roles and actor.opd_code:
        nips = await ctx.people.nips({"opd_code": actor.opd_code})
    else:
        raise ForbiddenError(Text("Hanya admin OPD dan BKPSDM", "Only an OPD admin or the BKPSDM"), code="forbidden")
    read = await ctx.enrolments.completed(nips, limit=EFFECTIVENESS_READ + 1)
    complete = len(read) <= EFFECTIVENESS_READ
    done = [d for d in read[:EFFECTIVENESS_READ] if d.get("recommendation_id")]
    recs = await ctx.recommendations.get_many([d["recommendation_id"] for d in done])
    completions = []
    for d in done:
        rec = recs.get(d["recommendation_id"])
        if rec is None:
            continue
        baseline = rec.get("baseline_predikat")
        completions.append(
            Completion(
                nip=d["nip"],
                program_code=d["program_code"],
                need_kind=rec["reason"],
                completed_on=dt.date.fromisoformat(d["completed_on"]),
                baseline=Predikat(baseline) if baseline and rec["reason"] != "development_area" else None,
            )
        )
    results = []
    for r in await ctx.results.of(sorted({c.nip for c in completions})):
        try:
            results.append(Result(r["nip"], r["period"], Predikat(r["predikat"])))
        except ValueError:  # an unknown predikat, as stored
            continue
    return EffectivenessReport(
        by_programme(completions, results), by_need_kind(completions, results), len(completions), complete
    )
