"""Periodic and annual evaluation: realisation, feedback, ratings, the predikat, low scores,
development plans and objections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from appraisal.domain.access import READ, Actor, Relation, may, objection_decider
from appraisal.domain.evaluation import (
    Rollup,
    capaian,
    finalisation_problems,
    finalise_opens_on,
    is_annual,
    is_low,
    may_finalise_on,
    periods_required_for_annual,
    rating_departures,
    roll_up,
    suggest_overall,
    suggest_rhk_rating,
    weak_parts,
    year_of,
)
from appraisal.domain.followup import (
    ObjectionDecision,
    improvement_due,
    must_escalate,
    objection_open,
    opens_improvement_window,
)
from appraisal.domain.mutation import signed_by
from appraisal.domain.predikat import PREDIKAT_MATRIX_2022, PredikatMatrix
from appraisal.domain.rules import (
    CAPAIAN_THRESHOLDS,
    DEFAULT_FINALISE_GRACE_DAYS,
    DEFAULT_OBJECTION_WINDOW_DAYS,
    HEAD_HASIL_KERJA,
    OBJECTION_DECISION_DAYS,
)
from appraisal.repository.evaluations import (
    EvaluationRepository,
    OrgYearRepository,
    PlanSlotRepository,
    evaluation_id,
    plan_slot_id,
)
from appraisal.schemas.evaluations import (
    BehaviourRatingIn,
    DecisionIn,
    DevelopmentPlanIn,
    ExplanationIn,
    ExplanationRequestIn,
    RatingsIn,
    RealisationIn,
    RhkRating,
)
from appraisal.services.employees import employee_not_found, heads_of, subject_of
from appraisal.services.planning import Planning, check_deadline, get_year, in_force, skp_for_period, year_periods
from shared.clock import local_day
from shared.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from shared.events import (
    AppraisalCompleted,
    AppraisalCompletedPayload,
    Aspect,
    BerAkhlakValue,
    DevelopmentPlanChanged,
    DevelopmentPlanChangedPayload,
    Event,
    LowScoreFlagged,
    LowScoreFlaggedPayload,
    LowScoreWithdrawn,
    LowScoreWithdrawnPayload,
    ObjectionDecided,
    ObjectionDecidedPayload,
    ObjectionFiled,
    ObjectionFiledPayload,
    OrgPredikat,
    Predikat,
    RatingLevel,
)
from shared.i18n import Text, join
from shared.mongo import MongoDocument
from shared.periods import period_label
from shared.versioned import CAS_ATTEMPTS, AlreadyExistsError, BusyError, Decision, MissingError


@dataclass(frozen=True)
class Evaluations:
    planning: Planning
    evaluations: EvaluationRepository
    org_years: OrgYearRepository
    plan_slots: PlanSlotRepository
    matrix: PredikatMatrix = PREDIKAT_MATRIX_2022

    @property
    def producer(self) -> str:
        return self.planning.registry.producer


# ---------------------------------------------------------------- reading and opening


async def _owner_and_access(nip: str, actor: Actor, ctx: Evaluations, allowed: tuple[Relation, ...]) -> MongoDocument:
    owner = await ctx.planning.registry.employees.get(nip)
    if owner is None or not may(actor, subject_of(owner), READ):
        raise NotFoundError(employee_not_found(nip))
    if not may(actor, subject_of(owner), allowed):
        raise ForbiddenError(
            Text(f"Anda tidak berwenang melakukan ini untuk pegawai {nip}", f"You may not do this for employee {nip}")
        )
    return owner


def evaluation_not_found(key: str) -> Text:
    return Text(f"Evaluasi {key} tidak ditemukan", f"No evaluation {key}")


async def visible_evaluation(key: str, *, actor: Actor, ctx: Evaluations) -> tuple[MongoDocument, MongoDocument]:
    """The evaluation and its owner, when the registry lets the actor read the owner's records, or the
    actor signed it (finalised it, or decided its objection: kept after a mutation, ``domain.mutation``)."""
    evaluation = await ctx.evaluations.get(key)
    owner = await ctx.planning.registry.employees.get(evaluation["nip"]) if evaluation else None
    if evaluation is None or owner is None:
        raise NotFoundError(evaluation_not_found(key))
    if not (may(actor, subject_of(owner), READ) or signed_by(actor.nip, evaluation_signers(evaluation))):
        raise NotFoundError(evaluation_not_found(key))
    return evaluation, owner


def evaluation_signers(evaluation: MongoDocument) -> list[str | None]:
    """Who signed an evaluation here: the pejabat penilai who finalised it (``finalise`` records them),
    the atasan who decided its objection. A result recorded from elsewhere (``source: recorded``) was
    signed by nobody here: the appraiser named on it is data the BKPSDM typed, not a signature."""
    objection = evaluation.get("objection") or {}
    signed_here = evaluation["status"] == "finalised" and evaluation.get("source") != "recorded"
    finaliser = evaluation.get("pejabat_penilai_nip") if signed_here else None
    return [finaliser, objection.get("decided_by")]


async def _authorised(
    key: str, actor: Actor, ctx: Evaluations, allowed: tuple[Relation, ...], refusal: Text
) -> MongoDocument:
    """The evaluation, when the actor may see it and stands in one of the ``allowed`` relations."""
    evaluation, owner = await visible_evaluation(key, actor=actor, ctx=ctx)
    if not may(actor, subject_of(owner), allowed):
        raise ForbiddenError(refusal)
    return evaluation


async def refuse_if_year_closed(evaluation: MongoDocument, ctx: Evaluations) -> None:
    """Annual results of an OPD whose year is closed (its distribution checked) may not change."""
    if not evaluation["annual"]:
        return
    org = await ctx.org_years.get(f"{evaluation['opd_code']}-{evaluation['year']}")
    if org is not None and org.get("closed"):
        year, opd = evaluation["year"], evaluation["opd_code"]
        raise ConflictError(
            Text(
                f"Tahun {year} pada {opd} sudah ditutup; hasil tahunan sudah final",
                f"The year {year} of {opd} is closed; annual results are final",
            ),
            code="year_closed",
        )


async def open_evaluation(nip: str, period: str, *, actor: Actor, ctx: Evaluations) -> tuple[MongoDocument, bool]:
    """Open the evaluation of an employee for a period (the employee or their pejabat penilai);
    returns (evaluation, created). Opening again returns the existing one."""
    owner = await _owner_and_access(nip, actor, ctx, (Relation.SELF, Relation.APPRAISER))
    year = year_of(period)
    config = await get_year(year, ctx.planning)
    if not is_annual(period) and period not in year_periods(config):
        periods, frequency = ", ".join(year_periods(config)), config["frequency"]
        raise InvalidError(
            Text(
                f"{period} bukan periode evaluasi tahun {year} ({frequency}); gunakan salah satu dari {periods}, "
                f"atau {year} untuk evaluasi tahunan",
                f"{period} is not an evaluation period of {year} ({frequency}); use one of {periods} "
                f"or {year} for the annual evaluation",
            )
        )
    key = evaluation_id(nip, period)
    existing = await ctx.evaluations.get(key)
    if existing is not None:
        return existing, False
    if owner.get("active") is False:
        raise ConflictError(
            Text(
                f"Pegawai {nip} tidak aktif; tidak ada evaluasi baru yang dibuka untuknya",
                f"Employee {nip} is inactive; no new evaluation opens for them",
            ),
            code="inactive_employee",
        )
    skp = await skp_for_period(nip, period, ctx.planning)  # the SKP valid at the period's end (domain.mutation)
    if skp is None or not in_force(skp):
        raise InvalidError(
            Text(
                f"SKP {year} milik {nip} yang berlaku pada akhir periode {period} harus disetujui dahulu",
                f"the SKP {year} of {nip} valid at the end of {period} must be approved before its evaluations open",
            ),
            code="skp_not_approved",
        )
    realisations: list[MongoDocument] = []
    if is_annual(period):
        periodic = await ctx.evaluations.periodic(nip, year)
        realisations = _annual_prefill(skp["rhk"], _final_periodic(year_periods(config), periodic), ctx)
    now = ctx.planning.clock.now()
    document: MongoDocument = {
        "_id": key,
        "nip": nip,
        "period": period,
        "year": year,
        "annual": is_annual(period),
        "skp_id": skp["_id"],
        "skp_revision": int(skp.get("revision", 0)),
        "opd_code": owner["opd_code"],
        "unit_code": owner.get("unit_code"),
        "pejabat_penilai_nip": owner.get("pejabat_penilai_nip"),
        "atasan_pejabat_penilai_nip": owner.get("atasan_pejabat_penilai_nip"),
        "rhk": skp["rhk"],
        "realisations": realisations,
        "feedback": [],
        "rhk_ratings": [],
        "behaviour_ratings": [],
        "hasil_kerja": None,
        "perilaku_kerja": None,
        "predikat": None,
        "predikat_rule": None,
        "status": "open",
        "revision": 0,
        "finalised_at": None,
        "development_plan": None,
        "objection": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    try:
        await ctx.evaluations.insert(document, now=now)
    except AlreadyExistsError:
        stored = await ctx.evaluations.get(key)
        assert stored is not None
        return stored, False
    return document, True


def _final_periodic(periods: list[str], periodic: list[MongoDocument]) -> list[MongoDocument]:
    """The finalised periodic evaluations an annual one rolls up; refuses (409 ``periods_not_final``) while
    a required period (``periods_required_for_annual``) has none or is still open."""
    by_period = {e["period"]: e for e in periodic}
    required = periods_required_for_annual(periods, list(by_period))
    missing = [p for p in required if by_period.get(p, {}).get("status") != "finalised"]
    if missing:
        raise ConflictError(
            Text(
                "Evaluasi tahunan baru dibuka setelah evaluasi periodik tahun itu final; belum final: ",
                "The annual evaluation opens once the year's periodic evaluations are final; not final yet: ",
            )
            + join([period_label(p) for p in missing], ", "),
            errors=[
                Text(f"{period_label(p).ind} ({p}) belum final", f"{period_label(p).en} ({p}) is not final")
                for p in missing
            ],
            code="periods_not_final",
        )
    return [by_period[p] for p in required]


def _annual_prefill(rhk: list[MongoDocument], periodic: list[MongoDocument], ctx: Evaluations) -> list[MongoDocument]:
    """The annual realisation of each indicator rolled up from the periodic ones (``roll_up`` by the
    indicator's ``rollup`` in the SKP, default ``last``); indicators that give none are left empty."""
    now = ctx.planning.clock.now()
    found = []
    for indicator in (i for r in rhk for i in r["indicators"]):
        kind = Rollup(indicator.get("rollup", Rollup.LAST.value))
        values = [
            next((r["realisation"] for r in e["realisations"] if r["indicator_id"] == indicator["indicator_id"]), None)
            for e in periodic
        ]
        value = roll_up(kind, values)
        if value is not None:
            found.append(
                {
                    "indicator_id": indicator["indicator_id"],
                    "realisation": value,
                    "evidence_links": [],
                    "note": None,
                    "rollup": kind.value,
                    "rolled_up_from": [e["period"] for e, v in zip(periodic, values, strict=True) if v is not None],
                    "updated_at": now,
                }
            )
    return found


# ---------------------------------------------------------------- changes (read, decide, compare-and-set)


async def _change(key: str, decide: Decision, ctx: Evaluations, first: MongoDocument | None = None) -> MongoDocument:
    """Apply ``decide`` to the current evaluation (compare-and-set, retried); wake the relay for its events.
    ``first``: the evaluation as the request already read it (``shared.versioned``: one read fewer)."""
    published: list[Event] = []

    async def recording(current: MongoDocument) -> tuple[MongoDocument, Sequence[Event]]:
        fields, events = await decide(current)
        published[:] = events
        return fields, events

    try:
        stored = await ctx.evaluations.modify(key, recording, now=ctx.planning.clock.now, first=first)
    except MissingError as exc:
        raise NotFoundError(evaluation_not_found(key)) from exc
    except BusyError as exc:
        raise ConflictError(
            Text(
                f"Evaluasi {key} sedang diubah oleh pihak lain; coba lagi",
                f"Evaluation {key} is being changed by others; try again",
            ),
            code="busy",
        ) from exc
    if published:
        ctx.planning.registry.wake_relay(ctx.evaluations.collection.name, key)
    return stored


def _require_open(evaluation: MongoDocument) -> None:
    if evaluation["status"] != "open":
        key = evaluation["_id"]
        raise ConflictError(
            Text(f"Evaluasi {key} sudah final", f"Evaluation {key} is finalised"), code="evaluation_finalised"
        )


def _indicator_ids(evaluation: MongoDocument) -> set[str]:
    return {i["indicator_id"] for r in evaluation["rhk"] for i in r["indicators"]}


def _rhk_ids(evaluation: MongoDocument) -> list[str]:
    return [r["rhk_id"] for r in evaluation["rhk"]]


async def record_realisation(
    key: str, indicator_id: str, body: RealisationIn, *, actor: Actor, ctx: Evaluations
) -> MongoDocument:
    evaluation = await _authorised(
        key,
        actor,
        ctx,
        (Relation.SELF,),
        Text(
            "Hanya pegawai yang bersangkutan yang mencatat realisasinya", "Only the employee records their realisation"
        ),
    )
    if indicator_id not in _indicator_ids(evaluation):
        raise NotFoundError(
            Text(f"SKP tidak memiliki indikator {indicator_id}", f"The SKP has no indicator {indicator_id}")
        )

    async def change(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        _require_open(current)
        entry = {
            "indicator_id": indicator_id,
            "realisation": body.realisation,
            "evidence_links": [str(link) for link in body.evidence_links],
            "note": body.note,
            "updated_at": ctx.planning.clock.now(),
        }
        others = [r for r in current["realisations"] if r["indicator_id"] != indicator_id]
        return {"realisations": [*others, entry]}, []

    return await _change(key, change, ctx)


async def add_feedback(key: str, rhk_id: str, text: str, *, actor: Actor, ctx: Evaluations) -> MongoDocument:
    evaluation = await _authorised(
        key,
        actor,
        ctx,
        (Relation.APPRAISER,),
        Text("Hanya pejabat penilai yang memberikan umpan balik", "Only the pejabat penilai gives feedback"),
    )
    if rhk_id not in _rhk_ids(evaluation):
        raise NotFoundError(Text(f"SKP tidak memiliki RHK {rhk_id}", f"The SKP has no RHK {rhk_id}"))

    async def change(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        _require_open(current)
        entry = {"rhk_id": rhk_id, "text": text, "by": actor.nip, "at": ctx.planning.clock.now()}
        return {"feedback": [*current["feedback"], entry]}, []

    return await _change(key, change, ctx)


def _merged_ratings(
    current: MongoDocument, rhk_ratings: Sequence[RhkRating], behaviour_ratings: Sequence[BehaviourRatingIn]
) -> MongoDocument:
    """The stored RHK and BerAKHLAK ratings with the given ones set (others keep their value)."""
    unknown = sorted({r.rhk_id for r in rhk_ratings} - set(_rhk_ids(current)))
    if unknown:
        raise InvalidError(
            Text("Penilaian menyebut RHK yang tidak ada dalam SKP", "Ratings name RHK that are not in the SKP"),
            errors=[Text(f"RHK tidak dikenal: {u}", f"unknown RHK: {u}") for u in unknown],
        )
    rhk = {r["rhk_id"]: r["rating"] for r in current["rhk_ratings"]} | {r.rhk_id: r.rating.value for r in rhk_ratings}
    values = {r["value"]: r["rating"] for r in current["behaviour_ratings"]} | {
        r.value.value: r.rating.value for r in behaviour_ratings
    }
    return {
        "rhk_ratings": [{"rhk_id": k, "rating": v} for k, v in rhk.items()],
        "behaviour_ratings": [{"value": k, "rating": v} for k, v in values.items()],
    }


async def rate(key: str, body: RatingsIn, *, actor: Actor, ctx: Evaluations) -> MongoDocument:
    evaluation = await _authorised(
        key,
        actor,
        ctx,
        (Relation.APPRAISER,),
        Text("Hanya pejabat penilai yang menilai", "Only the pejabat penilai rates"),
    )
    _merged_ratings(evaluation, body.rhk_ratings, body.behaviour_ratings)  # refuses unknown RHK before anything

    async def change(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        _require_open(current)
        fields: MongoDocument = _merged_ratings(current, body.rhk_ratings, body.behaviour_ratings)
        for overall in ("hasil_kerja", "perilaku_kerja"):
            value = getattr(body, overall)
            if value is not None:
                fields[overall] = value.value
        if body.justification is not None:
            fields["rating_justification"] = body.justification
        return fields, []

    return await _change(key, change, ctx, first=evaluation)


# ---------------------------------------------------------------- suggestion


def _capaians(evaluation: MongoDocument) -> list[dict[str, Any]]:
    realised = {r["indicator_id"]: r["realisation"] for r in evaluation["realisations"]}
    return [
        {
            "rhk_id": rhk["rhk_id"],
            "indicator_id": i["indicator_id"],
            "target": i["target"],
            "realisation": realised.get(i["indicator_id"]),
            "capaian": capaian(Aspect(i["aspect"]), i["target"], realised.get(i["indicator_id"])),
        }
        for rhk in evaluation["rhk"]
        for i in rhk["indicators"]
    ]


async def _organisation_result(
    evaluation: MongoDocument, ctx: Evaluations, owner: MongoDocument | None = None
) -> OrgPredikat | None:
    """For the annual evaluation of an OPD's head (its JPT): the organisation predikat of that OPD
    and year, which their Hasil Kerja follows (``HEAD_HASIL_KERJA``); None otherwise. With the
    ``owner``'s registry record at hand, anyone but a JPT is answered without reading the OPD's heads
    (two database round trips saved on almost every annual evaluation)."""
    if not evaluation["annual"]:
        return None
    if owner is not None and owner.get("position_type") != "JPT":
        return None
    heads = await heads_of(evaluation["opd_code"], ctx.planning.registry.employees)
    if evaluation["nip"] not in {head["_id"] for head in heads}:
        return None
    org = await ctx.org_years.get(f"{evaluation['opd_code']}-{evaluation['year']}")
    return OrgPredikat(org["predikat"]) if org and org.get("predikat") else None


async def _departures(
    evaluation: MongoDocument, ctx: Evaluations, owner: MongoDocument | None = None
) -> dict[str, Text]:
    """Where the overall ratings depart from what the parts give (``rating_departures``), or, for
    the annual Hasil Kerja of an OPD's head, from the organisation predikat (``HEAD_HASIL_KERJA``)."""
    rhk_ratings, values = _ratings(evaluation)
    departures = rating_departures(
        rhk_kinds={r["rhk_id"]: r["kind"] for r in evaluation["rhk"]},
        rhk_ratings=rhk_ratings,
        behaviour_ratings=values,
        hasil_kerja=RatingLevel(evaluation["hasil_kerja"]),
        perilaku_kerja=RatingLevel(evaluation["perilaku_kerja"]),
    )
    organisation = await _organisation_result(evaluation, ctx, owner)
    if organisation is not None:  # the head's Hasil Kerja follows the organisation, not their RHK
        departures.pop("hasil_kerja", None)
        if HEAD_HASIL_KERJA[organisation] is not RatingLevel(evaluation["hasil_kerja"]):
            given, follows = evaluation["hasil_kerja"], HEAD_HASIL_KERJA[organisation].value
            departures["hasil_kerja"] = Text(
                f"Hasil Kerja {given}, sedangkan predikat organisasi {organisation.value} menghasilkan {follows} "
                "(hasil kerja pimpinan unit mengikuti capaian organisasi)",
                f"Hasil Kerja is {given} while the organisation predikat {organisation.value} "
                f"gives {follows} (the head's result follows the organisation's)",
            )
    return departures


async def suggestion(key: str, *, actor: Actor, ctx: Evaluations) -> dict[str, Any]:
    evaluation, owner = await visible_evaluation(key, actor=actor, ctx=ctx)
    indicators = _capaians(evaluation)
    rhk_ratings = {
        rhk["rhk_id"]: suggest_rhk_rating([i["capaian"] for i in indicators if i["rhk_id"] == rhk["rhk_id"]])
        for rhk in evaluation["rhk"]
    }
    kinds = {rhk["rhk_id"]: rhk["kind"] for rhk in evaluation["rhk"]}
    given = {r["rhk_id"]: RatingLevel(r["rating"]) for r in evaluation["rhk_ratings"]}
    basis = {k: given.get(k) or v for k, v in rhk_ratings.items()}
    values = [("utama", RatingLevel(r["rating"])) for r in evaluation["behaviour_ratings"]]
    periodic: list[dict[str, Any]] = []
    if evaluation["annual"]:
        finalised = await ctx.evaluations.finalised_periodic(evaluation["nip"], evaluation["year"])
        periodic = [
            {
                "period": e["period"],
                "hasil_kerja": e["hasil_kerja"],
                "perilaku_kerja": e["perilaku_kerja"],
                "predikat": e["predikat"],
            }
            for e in finalised
        ]
        rolled = {r["indicator_id"]: r for r in _annual_prefill(evaluation["rhk"], finalised, ctx)}
        kinds_of = {
            i["indicator_id"]: i.get("rollup", Rollup.LAST.value) for r in evaluation["rhk"] for i in r["indicators"]
        }
        for indicator in indicators:
            indicator["rollup"] = kinds_of[indicator["indicator_id"]]
            indicator["rolled_up"] = rolled.get(indicator["indicator_id"], {}).get("realisation")
    organisation = await _organisation_result(evaluation, ctx, owner)
    hasil = suggest_overall([(kinds[k], v) for k, v in basis.items() if v is not None])
    return {
        "indicators": indicators,
        "rhk_ratings": rhk_ratings,
        "hasil_kerja": HEAD_HASIL_KERJA[organisation] if organisation else hasil,
        "organisation_predikat": organisation.value if organisation else None,
        "perilaku_kerja": suggest_overall(values),
        "periodic_results": periodic,
        "source": CAPAIAN_THRESHOLDS.source,
    }


# ---------------------------------------------------------------- finalising


def _ratings(evaluation: MongoDocument) -> tuple[dict[str, RatingLevel], dict[BerAkhlakValue, RatingLevel]]:
    rhk = {r["rhk_id"]: RatingLevel(r["rating"]) for r in evaluation["rhk_ratings"]}
    values = {BerAkhlakValue(r["value"]): RatingLevel(r["rating"]) for r in evaluation["behaviour_ratings"]}
    return rhk, values


def _indicator_results(evaluation: MongoDocument, rhk_ids: set[str] | None = None) -> list[dict[str, Any]]:
    rhk_text = {r["rhk_id"]: r["text"] for r in evaluation["rhk"]}
    aspects = {
        i["indicator_id"]: (i["aspect"], i["text"], i["unit"]) for r in evaluation["rhk"] for i in r["indicators"]
    }
    ratings = {r["rhk_id"]: r["rating"] for r in evaluation["rhk_ratings"]}
    return [
        {
            "rhk_id": c["rhk_id"],
            "rhk_text": rhk_text[c["rhk_id"]],
            "indicator_id": c["indicator_id"],
            "indicator_text": aspects[c["indicator_id"]][1],
            "aspect": aspects[c["indicator_id"]][0],
            "target": c["target"],
            "realisation": c["realisation"],
            "unit": aspects[c["indicator_id"]][2],
            "achievement_pct": c["capaian"],
            "rating": ratings.get(c["rhk_id"]),
        }
        for c in _capaians(evaluation)
        if rhk_ids is None or c["rhk_id"] in rhk_ids
    ]


def plan_event(
    evaluation: MongoDocument,
    plan: MongoDocument,
    *,
    producer: str,
    now: dt.datetime,
    followed_up: Sequence[str] = (),
) -> Event:
    """``appraisal.development_plan_changed.v1`` for the plan ``evaluation`` now holds."""
    return DevelopmentPlanChanged.create(
        DevelopmentPlanChangedPayload.model_validate(
            {
                "appraisal_id": evaluation["_id"],
                "nip": evaluation["nip"],
                "opd_code": evaluation["opd_code"],
                "period": evaluation["period"],
                "status": plan["status"],
                "cause": plan.get("cause"),
                "cause_note": plan.get("cause_note"),
                "actions": plan.get("actions", []),
                "due_on": plan.get("due_on"),
                "escalated": plan.get("escalated", False),
                "pejabat_penilai_nip": evaluation.get("pejabat_penilai_nip"),
                "continues_appraisal_id": plan.get("continues_appraisal_id"),
                "followed_up_appraisal_ids": list(followed_up),
            }
        ),
        producer=producer,
        occurred_at=now,
    )


@dataclass(frozen=True)
class ResultFollowUp:
    """What a (re)finalised result publishes and how it is followed up."""

    events: list[Event]
    plan: MongoDocument | None
    """Its own development plan (None when not low, or when it joined another's)."""
    joined_plan_id: str | None
    """The evaluation whose open plan this low periodic result joined."""


async def _plan_to_join(evaluation: MongoDocument, ctx: Evaluations) -> str | None:
    """The evaluation whose open development plan this low periodic result joins (one plan at a time per
    employee and year), or None when it opens its own: then it holds the year's plan slot. The slot is
    claimed by insert and passed on by compare-and-set, so two low results finalised at once never both
    open a plan; a holder still being finalised counts as open, a holder left without an open plan
    (withdrawn) is replaced."""
    me = evaluation["_id"]
    joined = await ctx.evaluations.open_plan(evaluation["nip"], evaluation["year"], other_than=me)
    if joined is not None:
        return joined
    key = plan_slot_id(evaluation["nip"], evaluation["year"])
    for _ in range(CAS_ATTEMPTS):
        holder = await ctx.plan_slots.claim(key, me)
        if holder == me:
            return None
        other = await ctx.evaluations.get(holder) if holder else None
        if other is not None and (other["status"] == "open" or _plan_open(other)):
            return holder
        if holder and await ctx.plan_slots.pass_on(key, holder, me):
            return None
    raise ConflictError(
        Text(
            f"Rencana pengembangan {key} sedang diubah pihak lain; coba lagi",
            f"The development plan of {key} is being changed by others; try again",
        ),
        code="busy",
    )


def _plan_open(evaluation: MongoDocument) -> bool:
    plan = evaluation.get("development_plan")
    return plan is not None and plan["status"] in ("awaiting_input", "active")


async def result_events(
    evaluation: MongoDocument,
    predikat: Predikat,
    revision: int,
    *,
    ctx: Evaluations,
    now: dt.datetime,
    owner: MongoDocument | None = None,
) -> ResultFollowUp:
    """The events of a (re)finalised result, and how it is followed up (its own plan, or the one it joins).
    ``owner``: the employee's registry record when the request has read it already (else read here)."""
    rhk_ratings, values = _ratings(evaluation)
    common = {
        "appraisal_id": evaluation["_id"],
        "revision": revision,
        "nip": evaluation["nip"],
        "opd_code": evaluation["opd_code"],
        "unit_code": evaluation.get("unit_code"),
        "period": evaluation["period"],
        "hasil_kerja": evaluation["hasil_kerja"],
        "perilaku_kerja": evaluation["perilaku_kerja"],
        "predikat": predikat.value,
        "pejabat_penilai_nip": evaluation.get("pejabat_penilai_nip"),
    }
    if owner is None:
        owner = await ctx.planning.registry.employees.get(evaluation["nip"])
    unit = await ctx.planning.registry.opds.get(evaluation["opd_code"])
    common |= {
        "position_type": owner.get("position_type") if owner else None,
        "employee_type": owner.get("employee_type") if owner else None,
        "sector": unit["sector"] if unit is not None else None,
    }
    weak = weak_parts(rhk_ratings, values)
    weak_fields = {
        "weak_indicators": _indicator_results(evaluation, set(weak.weak_rhk_ids)) if weak.weak_rhk_ids else [],
        "weak_behaviours": [{"value": v.value, "rating": "di_bawah_ekspektasi"} for v in weak.weak_behaviours],
    }
    events: list[Event] = [
        AppraisalCompleted.create(
            AppraisalCompletedPayload.model_validate(
                {
                    **common,
                    "indicators": _indicator_results(evaluation),
                    "behaviours": [{"value": v.value, "rating": r.value} for v, r in values.items()],
                    **weak_fields,
                    "rating_justification": evaluation.get("rating_justification"),
                    "due": evaluation.get("due"),
                    "late": bool(evaluation.get("late")),
                }
            ),
            producer=ctx.producer,
            occurred_at=now,
        )
    ]
    if not is_low(predikat):
        return ResultFollowUp(events, None, None)
    escalated = False
    if evaluation["annual"]:
        history = await ctx.evaluations.annual_predikat_history(evaluation["nip"])
        escalated = must_escalate({**history, evaluation["year"]: predikat}, evaluation["year"])
    window = opens_improvement_window(predikat, annual=evaluation["annual"])
    due_on = improvement_due(local_day(now)) if window else None
    # One plan at a time: a low periodic result while a plan of the year is open is followed up in that
    # plan; an annual result has its own (it may open the improvement window and be escalated).
    joined = None
    if not evaluation["annual"] and not _plan_open(evaluation):
        joined = await _plan_to_join(evaluation, ctx)
    events.append(
        LowScoreFlagged.create(
            LowScoreFlaggedPayload.model_validate(
                {
                    **common,
                    **weak_fields,
                    "improvement_due": due_on.isoformat() if due_on else None,
                    "development_plan_appraisal_id": joined or evaluation["_id"],
                    "escalated_to_bkpsdm": escalated,
                }
            ),
            producer=ctx.producer,
            occurred_at=now,
        )
    )
    if joined is not None:
        return ResultFollowUp(events, None, joined)
    plan = (
        evaluation["development_plan"]
        if _plan_open(evaluation)
        else {
            "status": "awaiting_input",
            "cause": None,
            "cause_note": None,
            "actions": [],
        }
    )
    plan = {**plan, "due_on": due_on.isoformat() if due_on else None, "escalated": escalated}
    if plan != evaluation.get("development_plan"):
        events.append(plan_event(evaluation, plan, producer=ctx.producer, now=now))
    return ResultFollowUp(events, plan, None)


def _refuse_before_period_end(period: str, config: MongoDocument, today: dt.date) -> None:
    """A period is finalised once it has ended, or within the year's ``finalise_grace_days`` before."""
    grace = int(config.get("finalise_grace_days", DEFAULT_FINALISE_GRACE_DAYS))
    if not may_finalise_on(period, today, grace):
        opens = finalise_opens_on(period, grace).isoformat()
        raise ConflictError(
            Text(
                f"Periode {period} belum berakhir; evaluasinya dapat difinalkan mulai {opens}",
                f"The period {period} has not ended; its evaluation can be finalised from {opens}",
            ),
            code="period_not_ended",
        )


async def finalise(key: str, *, actor: Actor, ctx: Evaluations) -> MongoDocument:
    evaluation, owner = await visible_evaluation(key, actor=actor, ctx=ctx)
    if not may(actor, subject_of(owner), (Relation.APPRAISER,)):
        raise ForbiddenError(
            Text("Hanya pejabat penilai yang memfinalkan evaluasi", "Only the pejabat penilai finalises")
        )
    config = await get_year(evaluation["year"], ctx.planning)
    due = config.get("evaluation_due", {}).get(evaluation["period"])

    async def change(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        _require_open(current)
        today = ctx.planning.clock.today()
        _refuse_before_period_end(current["period"], config, today)
        step = Text(f"finalisasi evaluasi {current['period']}", f"finalising the evaluation {current['period']}")
        late = check_deadline(config, due, current, step, today=today)
        rhk_ratings, values = _ratings(current)
        problems = finalisation_problems(
            rhk_ids=_rhk_ids(current),
            rhk_ratings=rhk_ratings,
            behaviour_ratings=values,
            hasil_kerja=RatingLevel(current["hasil_kerja"]) if current["hasil_kerja"] else None,
            perilaku_kerja=RatingLevel(current["perilaku_kerja"]) if current["perilaku_kerja"] else None,
        )
        if problems:
            raise InvalidError(
                Text("Evaluasi belum dapat difinalkan", "The evaluation cannot be finalised yet"),
                errors=problems,
                code="evaluation_incomplete",
            )
        departures = await _departures(current, ctx, owner)
        if departures and not current.get("rating_justification"):
            raise InvalidError(
                Text(
                    "Penilaian keseluruhan berbeda dari penilaian bagian-bagiannya: tuliskan alasannya pada "
                    "`justification` (PATCH …/ratings)",
                    "An overall rating departs from its parts: give the reason in `justification` (PATCH …/ratings)",
                ),
                errors=list(departures.values()),
                code="justification_required",
            )
        predikat = ctx.matrix.predikat(
            hasil_kerja=RatingLevel(current["hasil_kerja"]), perilaku_kerja=RatingLevel(current["perilaku_kerja"])
        )
        now = ctx.planning.clock.now()
        # whoever finalises is the appraiser of record
        current = {**current, "pejabat_penilai_nip": actor.nip, "due": due, "late": late}
        await refuse_if_year_closed(current, ctx)
        result = await result_events(current, predikat, 1, ctx=ctx, now=now, owner=owner)
        fields = {
            "pejabat_penilai_nip": actor.nip,
            "status": "finalised",
            "predikat": predikat.value,
            "predikat_rule": ctx.matrix.version,
            "revision": 1,
            "finalised_at": now,
            "development_plan": result.plan,
            "joined_plan_id": result.joined_plan_id,
            "due": due,
            "late": late,
        }
        return fields, result.events

    stored = await _change(key, change, ctx, first=evaluation)
    await hand_over_plan(stored, ctx)
    return stored


# ---------------------------------------------------------------- follow-up and objection


async def plan_development(key: str, body: DevelopmentPlanIn, *, actor: Actor, ctx: Evaluations) -> MongoDocument:
    await _authorised(
        key,
        actor,
        ctx,
        (Relation.APPRAISER,),
        Text(
            "Hanya pejabat penilai yang mencatat rencana pengembangan",
            "Only the pejabat penilai records the development plan",
        ),
    )

    async def change(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        plan = current.get("development_plan")
        if plan is None or plan["status"] == "withdrawn":
            raise ConflictError(
                Text(
                    f"Evaluasi {key} tidak memiliki hasil rendah yang memerlukan rencana pengembangan",
                    f"Evaluation {key} has no low result that needs a development plan",
                ),
                code="no_plan",
            )
        recorded = {**plan, **body.model_dump(mode="json"), "status": "active"}
        return {"development_plan": recorded}, [
            plan_event(current, recorded, producer=ctx.producer, now=ctx.planning.clock.now())
        ]

    return await _change(key, change, ctx)


async def file_objection(key: str, reason: str, *, actor: Actor, ctx: Evaluations) -> MongoDocument:
    evaluation = await _authorised(
        key,
        actor,
        ctx,
        (Relation.SELF,),
        Text(
            "Hanya pegawai yang bersangkutan yang dapat mengajukan keberatan atas penilaiannya",
            "Only the employee may object to their appraisal",
        ),
    )
    owner = await ctx.planning.registry.employees.get(evaluation["nip"])
    # The one who decides, the registry's now: the atasan, or the PPK for whom it appraises with nobody above.
    atasan = objection_decider(subject_of(owner)) if owner else evaluation.get("atasan_pejabat_penilai_nip")
    if atasan is None and evaluation.get("status") == "finalised" and evaluation.get("source") != "recorded":
        raise InvalidError(
            Text(
                f"{evaluation['nip']} belum punya atasan pejabat penilai di registri, jadi tidak ada yang memutus "
                "keberatan; minta admin OPD (atau BKPSDM) menetapkannya, lalu ajukan lagi",
                f"{evaluation['nip']} has no atasan pejabat penilai in the registry, so nobody could decide the "
                "objection; ask the OPD admin (or the BKPSDM) to set one, then file again",
            ),
            code="no_atasan",
        )
    config = await ctx.planning.years.get(evaluation["year"])
    window = int(config["objection_window_days"]) if config else DEFAULT_OBJECTION_WINDOW_DAYS

    async def change(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        if current["status"] != "finalised":
            raise ConflictError(
                Text(
                    "Keberatan hanya dapat diajukan atas penilaian yang sudah final",
                    "Only a finalised appraisal can be objected to",
                ),
                code="not_finalised",
            )
        if current.get("source") == "recorded":
            raise ConflictError(
                Text(
                    "Hasil ini difinalkan di sistem lain dan dicatat sebagai riwayat; ajukan keberatan di tempat "
                    "hasil itu diputuskan",
                    "This result was finalised elsewhere and recorded as history; object where it was decided",
                ),
                code="recorded_history",
            )
        if current.get("objection") is not None:
            raise ConflictError(
                Text(
                    "Keberatan atas penilaian ini sudah pernah diajukan",
                    "An objection was already filed for this appraisal",
                ),
                code="objection_exists",
            )
        now = ctx.planning.clock.now()
        if not objection_open(current["finalised_at"], now, window):
            raise InvalidError(
                Text(
                    f"Keberatan hanya dapat diajukan paling lambat {window} hari setelah penilaian difinalkan",
                    f"Objections close {window} days after finalisation",
                ),
                code="objection_window_closed",
            )
        filed = ObjectionFiled.create(
            ObjectionFiledPayload(
                appraisal_id=current["_id"],
                nip=current["nip"],
                opd_code=current["opd_code"],
                period=current["period"],
                reason=reason,
                decision_due=local_day(now) + dt.timedelta(days=OBJECTION_DECISION_DAYS),
                atasan_pejabat_penilai_nip=atasan,  # the registry's now: the one who may decide
                pejabat_penilai_nip=current.get("pejabat_penilai_nip"),
            ),
            producer=ctx.producer,
            occurred_at=now,
        )
        objection = {
            "reason": reason,
            "filed_at": now,
            "decision_due": (local_day(now) + dt.timedelta(days=OBJECTION_DECISION_DAYS)).isoformat(),
            "explanations": [],
            "status": "pending",
        }
        return {"objection": objection, "atasan_pejabat_penilai_nip": atasan}, [filed]

    return await _change(key, change, ctx)


MAX_EXPLANATIONS = 10
"""Explanation requests one objection may carry (a documented bound)."""
ASKED_OF = {
    "employee": Text("pegawai yang bersangkutan", "employee"),
    "pejabat_penilai": Text("pejabat penilai", "pejabat penilai"),
}
"""Whom an explanation request names, as a sentence says it."""


def _pending_objection(current: MongoDocument) -> MongoDocument:
    objection: MongoDocument | None = current.get("objection")
    if objection is None or objection["status"] != "pending":
        raise ConflictError(
            Text("Tidak ada keberatan yang sedang menunggu keputusan", "There is no pending objection"),
            code="no_pending_objection",
        )
    return objection


async def ask_explanation(key: str, body: ExplanationRequestIn, *, actor: Actor, ctx: Evaluations) -> MongoDocument:
    """The atasan pejabat penilai asks the pejabat penilai or the employee to explain, before deciding
    (PP 30/2019 Pasal 59(3))."""
    await _authorised(
        key,
        actor,
        ctx,
        (Relation.APPRAISERS_SUPERIOR,),
        Text("Hanya atasan pejabat penilai yang meminta penjelasan", "Only the atasan pejabat penilai asks"),
    )

    async def change(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        objection = _pending_objection(current)
        if len(objection.get("explanations", [])) >= MAX_EXPLANATIONS:
            raise ConflictError(
                Text(
                    f"Paling banyak {MAX_EXPLANATIONS} permintaan penjelasan untuk setiap keberatan",
                    f"At most {MAX_EXPLANATIONS} explanations per objection",
                ),
                code="too_many_explanations",
            )
        asked = {"to": body.to, "question": body.question, "asked_at": ctx.planning.clock.now(), "answer": None}
        return {"objection": {**objection, "explanations": [*objection.get("explanations", []), asked]}}, []

    return await _change(key, change, ctx)


async def give_explanation(
    key: str, index: int, body: ExplanationIn, *, actor: Actor, ctx: Evaluations
) -> MongoDocument:
    """The one asked (the employee, or their pejabat penilai) answers request ``index`` (from 0)."""
    evaluation = await _authorised(
        key,
        actor,
        ctx,
        (Relation.SELF, Relation.APPRAISER),
        Text(
            "Hanya pegawai yang bersangkutan atau pejabat penilainya yang memberikan penjelasan",
            "Only the employee or their pejabat penilai explains",
        ),
    )
    relations_needed = {"employee": Relation.SELF, "pejabat_penilai": Relation.APPRAISER}

    async def change(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        objection = _pending_objection(current)
        explanations = list(objection.get("explanations", []))
        if index >= len(explanations):
            raise NotFoundError(
                Text(
                    f"Permintaan penjelasan {index} tidak ada pada keberatan ini",
                    f"No explanation request {index} on this objection",
                )
            )
        request = explanations[index]
        owner = await ctx.planning.registry.employees.get(evaluation["nip"])
        if owner is None or not may(actor, subject_of(owner), (relations_needed[request["to"]],)):
            asked = ASKED_OF[request["to"]]
            raise ForbiddenError(
                Text(f"Penjelasan ini diminta dari {asked.ind}", f"This explanation was asked of the {asked.en}")
            )
        if request.get("answer") is not None:
            raise ConflictError(
                Text("Permintaan ini sudah dijawab", "This request was answered already"), code="explanation_answered"
            )
        explanations[index] = {
            **request,
            "answer": body.answer,
            "answered_by": actor.nip,
            "answered_at": ctx.planning.clock.now(),
        }
        return {"objection": {**objection, "explanations": explanations}}, []

    return await _change(key, change, ctx)


async def decide_objection(key: str, body: DecisionIn, *, actor: Actor, ctx: Evaluations) -> MongoDocument:
    await _authorised(
        key,
        actor,
        ctx,
        (Relation.APPRAISERS_SUPERIOR,),
        Text(
            "Hanya atasan pejabat penilai yang memutuskan keberatan",
            "Only the atasan pejabat penilai decides an objection",
        ),
    )

    async def change(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        objection = _pending_objection(current)
        now = ctx.planning.clock.now()
        decided = {
            **objection,
            "status": body.decision.value,
            "decided_by": actor.nip,
            "decided_at": now,
            "note": body.note,
        }
        fields: MongoDocument = {"objection": decided}

        def decided_event(revision: int, predikat: Predikat) -> Event:
            return ObjectionDecided.create(
                ObjectionDecidedPayload(
                    appraisal_id=current["_id"],
                    nip=current["nip"],
                    opd_code=current["opd_code"],
                    period=current["period"],
                    decision=body.decision.value,
                    note=body.note,
                    decided_by=actor.nip,
                    revision=revision,
                    predikat=predikat,
                    pejabat_penilai_nip=current.get("pejabat_penilai_nip"),
                ),
                producer=ctx.producer,
                occurred_at=now,
            )

        unchanged_result = decided_event(int(current["revision"]), Predikat(current["predikat"]))
        if body.decision is ObjectionDecision.REJECTED:
            return fields, [unchanged_result]
        revised = {
            **current,
            "hasil_kerja": (body.hasil_kerja or RatingLevel(current["hasil_kerja"])).value,
            "perilaku_kerja": (body.perilaku_kerja or RatingLevel(current["perilaku_kerja"])).value,
            **_merged_ratings(current, body.rhk_ratings, body.behaviour_ratings),
        }
        predikat = ctx.matrix.predikat(
            hasil_kerja=RatingLevel(revised["hasil_kerja"]), perilaku_kerja=RatingLevel(revised["perilaku_kerja"])
        )
        departures = await _departures(revised, ctx)
        if departures and not body.note:
            raise InvalidError(
                Text(
                    "Penilaian keseluruhan yang diputuskan berbeda dari penilaian bagian-bagiannya: tuliskan "
                    "alasannya pada `note`",
                    "The decided overall rating departs from its parts: give the reason in `note`",
                ),
                errors=list(departures.values()),
                code="justification_required",
            )
        # The justification of the revised result is the atasan's (the pejabat penilai's no longer applies).
        revised["rating_justification"] = body.note if departures else None
        compared = ("hasil_kerja", "perilaku_kerja", "rhk_ratings", "behaviour_ratings")
        unchanged = all(revised[f] == current[f] for f in compared)
        if unchanged:
            return fields, [unchanged_result]
        # An objection filed in time is decided even after the OPD's year was closed (Pasal 59).
        revision = int(current["revision"]) + 1
        result = await result_events(revised, predikat, revision, ctx=ctx, now=now)
        events, plan = result.events, result.plan
        own_plan = current.get("development_plan")
        if is_low(Predikat(current["predikat"])) and not is_low(predikat):
            events.append(
                LowScoreWithdrawn.create(
                    LowScoreWithdrawnPayload(
                        appraisal_id=current["_id"],
                        revision=revision,
                        nip=current["nip"],
                        opd_code=current["opd_code"],
                        period=current["period"],
                        predikat=predikat,
                        previous_predikat=Predikat(current["predikat"]),
                        reason="objection_upheld",
                        development_plan_withdrawn=bool(own_plan and own_plan["status"] != "withdrawn"),
                        pejabat_penilai_nip=current.get("pejabat_penilai_nip"),
                    ),
                    producer=ctx.producer,
                    occurred_at=now,
                )
            )
        if plan is None and own_plan:
            plan = {**own_plan, "status": "withdrawn"}
            if own_plan["status"] != "withdrawn":
                events.append(plan_event(current, plan, producer=ctx.producer, now=now))
        events.append(decided_event(revision, predikat))
        fields.update(
            {
                "hasil_kerja": revised["hasil_kerja"],
                "perilaku_kerja": revised["perilaku_kerja"],
                "rhk_ratings": revised["rhk_ratings"],
                "behaviour_ratings": revised["behaviour_ratings"],
                "rating_justification": revised["rating_justification"],
                "predikat": predikat.value,
                "revision": revision,
                "development_plan": plan,
                "joined_plan_id": result.joined_plan_id,
            }
        )
        return fields, events

    stored = await _change(key, change, ctx)
    await hand_over_plan(stored, ctx)
    return stored


async def hand_over_plan(evaluation: MongoDocument, ctx: Evaluations) -> None:
    """Keep the low periods of a year followed up after the plan they joined closed. When ``evaluation``
    holds the employee-year's plan slot but no open plan (an upheld objection withdrew it, or its result
    is no longer low), the earliest low period that joined it takes the plan over (its cause and actions
    carry over; ``appraisal.development_plan_changed.v1`` with ``continues_appraisal_id``) and the others
    follow the new holder. Each step is a compare-and-set on one document, safe to repeat."""
    if evaluation["annual"] or _plan_open(evaluation):
        return
    joiners = [
        e
        for e in await ctx.evaluations.joined_to(evaluation["nip"], evaluation["year"], evaluation["_id"])
        if e["status"] == "finalised" and e.get("predikat") and is_low(Predikat(e["predikat"]))
    ]
    if not joiners:
        return
    heir, followers = joiners[0], joiners[1:]
    key = plan_slot_id(evaluation["nip"], evaluation["year"])
    holder = await ctx.plan_slots.holder(key)  # None: a plan opened before the slots existed
    if holder is None:
        moved = await ctx.plan_slots.claim(key, heir["_id"]) == heir["_id"]
    else:
        moved = holder == evaluation["_id"] and await ctx.plan_slots.pass_on(key, holder, heir["_id"])
    if not moved:
        return  # another result holds the year's plan now: the low periods are followed up there
    previous = evaluation.get("development_plan") or {}
    now = ctx.planning.clock.now()

    async def take_over(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        if _plan_open(current):
            return {"joined_plan_id": None}, []
        plan = {
            "status": "active" if previous.get("actions") else "awaiting_input",
            "cause": previous.get("cause"),
            "cause_note": previous.get("cause_note"),
            "actions": previous.get("actions", []),
            "due_on": None,  # a periodic plan: coaching, no improvement window
            "escalated": False,
            "continues_appraisal_id": evaluation["_id"],
        }
        followed = [f["_id"] for f in followers]
        event = plan_event(current, plan, producer=ctx.producer, now=now, followed_up=followed)
        return {"development_plan": plan, "joined_plan_id": None}, [event]

    await _change(heir["_id"], take_over, ctx)

    async def follow(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        return {"joined_plan_id": heir["_id"]}, []

    for follower in followers:
        await _change(follower["_id"], follow, ctx)
