"""Recommendations: from low-score events, development plans and the development areas of good results;
matched by the rules of ``domain.matching``, ranked and explained; never the same programme twice for the same
need; withdrawn when the flag is withdrawn or a revised result is no longer low; accepted (enrolled) or declined
by the employee or their pejabat penilai."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

from shared.errors import ConflictError, InvalidError, NotFoundError
from shared.events import (
    AppraisalCompleted,
    Aspect,
    BerAkhlakValue,
    DevelopmentPlanChanged,
    EmployeeType,
    LowScoreFlagged,
    LowScoreWithdrawn,
    PositionType,
    Predikat,
    TrainingRecommendationWithdrawn,
    TrainingRecommendationWithdrawnPayload,
    TrainingRecommended,
    TrainingRecommendedPayload,
)
from shared.i18n import Text
from shared.mongo import MongoDocument
from shared.versioned import BusyError, MissingError
from training.domain.access import DECIDE, READ, Actor
from training.domain.errors import RuleError
from training.domain.matching import (
    Need,
    NeedKind,
    WeakIndicator,
    group_of,
    need_from_completed,
    need_from_development_plan,
    need_from_low_score,
    recommend,
)
from training.domain.rules import Dimension
from training.repository.catalogue import to_programme
from training.services import enrolments
from training.services.context import PRODUCER, Training, authorise

GOOD = (Predikat.BAIK, Predikat.SANGAT_BAIK)
LOW_KINDS = (NeedKind.LOW_SCORE.value, NeedKind.DEVELOPMENT_PLAN.value)


def need_document(need: Need) -> MongoDocument:
    return {
        "kind": need.kind.value,
        "key": need.key,
        "employee_type": need.employee_type.value if need.employee_type else None,
        "position_type": need.position_type.value if need.position_type else None,
        "sector": need.sector,
        "weak_indicators": [
            {"text": w.text, "aspect": w.aspect.value if w.aspect else None, "rhk_text": w.rhk_text}
            for w in need.weak_indicators
        ],
        "weak_behaviours": [b.value for b in need.weak_behaviours],
        "low_dimensions": sorted(d.value for d in need.low_dimensions),
        "cause": need.cause,
        "actions": list(need.actions),
    }


def need_of(document: MongoDocument) -> Need:
    n = document["need"]
    return Need(
        kind=NeedKind(n["kind"]),
        nip=document["nip"],
        appraisal_id=document["appraisal_id"],
        key=n["key"],
        employee_type=EmployeeType(n["employee_type"]) if n.get("employee_type") else None,
        position_type=PositionType(n["position_type"]) if n.get("position_type") else None,
        sector=n.get("sector"),
        weak_indicators=tuple(
            WeakIndicator(w["text"], Aspect(w["aspect"]) if w.get("aspect") else None, w.get("rhk_text"))
            for w in n.get("weak_indicators", [])
        ),
        weak_behaviours=tuple(BerAkhlakValue(b) for b in n.get("weak_behaviours", [])),
        low_dimensions=frozenset(Dimension(d) for d in n.get("low_dimensions", [])),
        cause=n.get("cause"),
        actions=tuple(n.get("actions", [])),
    )


async def _excluded(ctx: Training, group: str) -> set[str]:
    """Programmes already recommended for the need's group (any status): never again for the same need."""
    return {p["program_code"] for d in await ctx.recommendations.of_group(group) for p in d.get("programmes", [])}


async def create(
    ctx: Training,
    need: Need,
    *,
    revision: int,
    period: str | None,
    opd_code: str | None,
    baseline: Predikat | None,
    due_by: dt.date | None,
) -> MongoDocument | None:
    """Match the need against the catalogue and store the recommendation with its event (one write); the same
    need again (a redelivered event) finds it stored and changes nothing. None when it was stored already."""
    if await ctx.recommendations.get(need.recommendation_id) is not None:
        return None
    person = await ctx.people.get(need.nip) or {}
    if need.employee_type is None and person.get("employee_type"):
        need = _with_person(need, person)
    catalogue = [to_programme(d) for d in await ctx.catalogue.all()]
    pppk_used = None
    if need.employee_type is EmployeeType.PPPK:
        pppk_used = await enrolments.pppk_jp_used(ctx, {"_id": need.nip, **person}, ctx.today())
    exclude = await _excluded(ctx, need.group)
    result = recommend(need, catalogue, exclude=exclude, pppk_jp_used=pppk_used)
    now = ctx.now()
    programmes = [
        {
            "program_code": m.programme.code,
            "title": m.programme.title,
            "jp": m.programme.jp,
            "modality": m.programme.modality.value,
            "form": m.programme.form.value,
            "score": m.score,
            "explanation": m.explanation,
            "exceeds_pppk_cap": m.exceeds_pppk_cap,
        }
        for m in result.matches
    ]
    document: MongoDocument = {
        "_id": result.recommendation_id,
        "nip": need.nip,
        "opd_code": opd_code or person.get("opd_code"),
        "appraisal_id": need.appraisal_id,
        "group": need.group,
        "revision": revision,
        "period": period,
        "reason": need.kind.value,
        "need": need_document(need),
        "baseline_predikat": baseline.value if baseline else None,
        "programmes": programmes,
        "status": "open" if programmes else "no_match",
        "due_by": due_by.isoformat() if due_by else None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    events = []
    if programmes:
        payload = TrainingRecommendedPayload(
            recommendation_id=result.recommendation_id,
            nip=need.nip,
            reason=need.kind.value,
            source_appraisal_id=need.appraisal_id,
            programs=[m.as_event_program().model_copy(update={"explanation": m.explanation}) for m in result.matches],
            due_by=due_by,
        )
        events.append(TrainingRecommended.create(payload, producer=PRODUCER))
    taken = await ctx.recommendations.insert_many([(document, events)], now=now)
    if taken:
        return None
    if events:
        ctx.wake(ctx.recommendations.collection.name, document["_id"])
    return document


def _with_person(need: Need, person: MongoDocument) -> Need:
    return replace(
        need,
        employee_type=EmployeeType(person["employee_type"]),
        position_type=need.position_type or PositionType(person["position_type"]),
    )


WithdrawReason = Literal["low_score_withdrawn", "plan_withdrawn", "result_improved"]


async def withdraw(
    ctx: Training,
    group: str,
    kinds: Sequence[str],
    below_revision: int | None,
    why: WithdrawReason,
    *,
    stored: list[MongoDocument] | None = None,
) -> int:
    """Withdraw the open recommendations of an appraisal (of ``kinds``, older than ``below_revision``), each with
    its training.recommendation_withdrawn.v1 in the same write. ``stored``: the group's documents, when the
    caller read them already (a batch reads all its groups at once); each write still checks the version."""
    withdrawn = 0
    for document in stored if stored is not None else await ctx.recommendations.of_group(group):
        if document["status"] != "open" or document["reason"] not in kinds:
            continue
        if below_revision is not None and document.get("revision", 1) >= below_revision:
            continue
        payload = TrainingRecommendationWithdrawnPayload(
            recommendation_id=document["_id"],
            nip=document["nip"],
            reason=why,
            source_appraisal_id=document.get("appraisal_id"),
        )
        event = TrainingRecommendationWithdrawn.create(payload, producer=PRODUCER)
        written = await ctx.recommendations.update(
            document, {"status": "withdrawn", "withdrawn_because": why}, event, now=ctx.now()
        )
        if written is not None:
            ctx.wake(ctx.recommendations.collection.name, document["_id"])
            withdrawn += 1
    return withdrawn


# ---------------------------------------------------------------- event handlers (idempotent, any order)


async def _superseded(ctx: Training, appraisal_id: str, revision: int) -> int | None:
    """The revision of a newer result of the appraisal that is not low (Baik or Sangat Baik), when one is stored:
    a low-score flag or plan of an older revision arriving after it (any order) must not stay open."""
    result = await ctx.results.get(appraisal_id)
    if result is None or result["revision"] <= revision or Predikat(result["predikat"]) not in GOOD:
        return None
    return int(result["revision"])


async def _create_unless_superseded(ctx: Training, need: Need, *, revision: int, **fields: Any) -> None:
    """``create`` the low-score or plan recommendation unless a newer good result is known; checked again after
    the write (that result may be stored meanwhile, its handler then finding nothing to withdraw yet)."""
    if await _superseded(ctx, need.appraisal_id, revision) is not None:
        return
    await create(ctx, need, revision=revision, **fields)
    newer = await _superseded(ctx, need.appraisal_id, revision)
    if newer is not None:
        await withdraw(ctx, need.group, LOW_KINDS, newer, "result_improved")


async def on_low_score(events: Sequence[LowScoreFlagged], *, ctx: Training) -> None:
    for event in events:
        p = event.payload
        try:
            need = need_from_low_score(p)
        except RuleError:
            continue  # a key the rules refuse (an id too long): nothing to recommend from
        await _create_unless_superseded(
            ctx,
            need,
            revision=p.revision,
            period=p.period,
            opd_code=p.opd_code,
            baseline=p.predikat,
            due_by=p.improvement_due,
        )


async def on_low_score_withdrawn(events: Sequence[LowScoreWithdrawn], *, ctx: Training) -> None:
    for event in events:
        p = event.payload
        await withdraw(ctx, group_of(p.nip, p.appraisal_id), LOW_KINDS, None, "low_score_withdrawn")


async def on_development_plan(events: Sequence[DevelopmentPlanChanged], *, ctx: Training) -> None:
    for event in events:
        p = event.payload
        group = group_of(p.nip, p.appraisal_id)
        if p.status == "withdrawn":
            await withdraw(ctx, group, (NeedKind.DEVELOPMENT_PLAN.value,), None, "plan_withdrawn")
            continue
        lows = [d for d in await ctx.recommendations.of_group(group) if d["reason"] == NeedKind.LOW_SCORE.value]
        low = max(lows, key=lambda d: d.get("revision", 1), default=None)
        try:
            need = need_from_development_plan(p, need_of(low) if low else None)
        except RuleError:
            continue
        if need is None:
            continue
        await _create_unless_superseded(
            ctx,
            need,
            revision=low.get("revision", 1) if low else 1,
            period=p.period,
            opd_code=p.opd_code,
            baseline=Predikat(low["baseline_predikat"]) if low and low.get("baseline_predikat") else None,
            due_by=p.due_on,
        )


async def on_appraisal_completed(events: Sequence[AppraisalCompleted], *, ctx: Training) -> None:
    """Keep the result (effectiveness); a revised result no longer low withdraws the open low-score
    recommendations of its appraisal; the development areas of a good result become a need."""
    newest: dict[str, MongoDocument] = {}
    for event in events:
        p = event.payload
        if p.appraisal_id not in newest or newest[p.appraisal_id]["revision"] < p.revision:
            newest[p.appraisal_id] = {
                "_id": p.appraisal_id,
                "nip": p.nip,
                "period": p.period,
                "predikat": p.predikat.value,
                "revision": p.revision,
                "opd_code": p.opd_code,
            }
    await ctx.results.store(list(newest.values()))
    good = [event.payload for event in events if event.payload.predikat in GOOD]
    # One read for the batch's groups; a group met again in the batch is read afresh (the first may have changed it).
    stored = await ctx.recommendations.of_groups([group_of(p.nip, p.appraisal_id) for p in good]) if good else {}
    for p in good:
        group = group_of(p.nip, p.appraisal_id)
        await withdraw(ctx, group, LOW_KINDS, p.revision, "result_improved", stored=stored.pop(group, None))
        try:
            need = need_from_completed(p)
        except RuleError:
            continue
        if need is not None:
            await create(
                ctx, need, revision=p.revision, period=p.period, opd_code=p.opd_code, baseline=p.predikat, due_by=None
            )


# ---------------------------------------------------------------- the API's use cases


async def get_visible(ctx: Training, actor: Actor, recommendation: str) -> MongoDocument:
    document = await ctx.recommendations.get(recommendation)
    if document is None:
        raise NotFoundError(Text("Rekomendasi tidak ditemukan", "No such recommendation"), code="not_found")
    await authorise(ctx, actor, document["nip"], READ, hidden=True)
    return document


async def _decide(ctx: Training, recommendation: str, fields: MongoDocument) -> MongoDocument:
    async def decide(current: MongoDocument) -> tuple[MongoDocument, list[Any]]:
        if current["status"] != "open":
            raise ConflictError(
                Text(f"Rekomendasi sudah {current['status']}", f"The recommendation is {current['status']}"),
                code="recommendation_not_open",
            )
        return fields, []

    try:
        written: MongoDocument = await ctx.recommendations.modify(recommendation, decide, now=ctx.now)
    except MissingError as exc:
        raise NotFoundError(Text("Rekomendasi tidak ditemukan", "No such recommendation"), code="not_found") from exc
    except BusyError as exc:
        raise ConflictError(Text("Coba lagi", "Try again"), code="busy") from exc
    return written


async def accept(
    ctx: Training, actor: Actor, recommendation: str, program_code: str, session_code: str
) -> tuple[MongoDocument, MongoDocument]:
    """Accept one programme of the recommendation by enrolling in one of its sessions (a waiting place when it is
    full). Returns the recommendation and the enrolment."""
    document = await get_visible(ctx, actor, recommendation)
    await authorise(ctx, actor, document["nip"], DECIDE, hidden=False)
    if document["status"] == "accepted" and document.get("enrolment_id"):
        enrolment = await ctx.enrolments.get(document["enrolment_id"])
        if enrolment is not None and enrolment["session_code"] == session_code:
            return document, enrolment
    if document["status"] != "open":
        raise ConflictError(
            Text(f"Rekomendasi sudah {document['status']}", f"The recommendation is {document['status']}"),
            code="recommendation_not_open",
        )
    if program_code not in {p["program_code"] for p in document["programmes"]}:
        raise InvalidError(
            Text("Program bukan bagian dari rekomendasi", "The programme is not part of the recommendation"),
            code="programme_not_recommended",
        )
    session = await ctx.catalogue.session(session_code)
    if session is None or session["program_code"] != program_code:
        raise InvalidError(
            Text("Sesi bukan sesi program ini", "The session is not a session of the programme"),
            code="session_not_of_programme",
        )
    priority = 0 if document["reason"] in LOW_KINDS else 1
    enrolment, _ = await enrolments.enrol(
        ctx, actor, document["nip"], session_code, recommendation_id=recommendation, priority=priority
    )
    fields = {"status": "accepted", "program_code": program_code, "enrolment_id": enrolment["_id"]}
    try:
        written = await _decide(ctx, recommendation, {**fields, "decided_by": actor.nip})
    except ConflictError:
        written = await ctx.recommendations.get(recommendation) or document
    return written, enrolment


async def decline(ctx: Training, actor: Actor, recommendation: str, reason: str) -> MongoDocument:
    document = await get_visible(ctx, actor, recommendation)
    await authorise(ctx, actor, document["nip"], DECIDE, hidden=False)
    return await _decide(ctx, recommendation, {"status": "declined", "decline_reason": reason, "decided_by": actor.nip})
