"""Performance years and the SKP (performance plan) workflow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from appraisal.domain.access import READ, Actor, Relation, may
from appraisal.domain.evaluation import (
    DeadlineOutcome,
    Frequency,
    deadline_outcome,
    deadline_problems,
    extension_problem,
    period_end,
    periods_of,
)
from appraisal.domain.mutation import (
    MAX_SEGMENTS,
    Span,
    is_mutation,
    next_span,
    segment_on,
    signed_by,
    split_end,
    year_span,
)
from appraisal.domain.skp import (
    DONE_WORDS,
    Indicator,
    Rhk,
    SkpAction,
    SkpStatus,
    WorkflowError,
    on_proposal,
    revision_transition,
    submission_problems,
    transition,
)
from appraisal.repository.planning import SkpRepository, YearRepository, skp_id
from appraisal.schemas.skp import ExpectationsIn, SkpContent, SkpIn
from appraisal.schemas.years import YearConfigIn
from appraisal.services.employees import Registry, now_ms, subject_of
from appraisal.services.master import create_or_update
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
    Event,
    PerformanceYearConfigured,
    PerformanceYearConfiguredPayload,
    SkpApproved,
    SkpApprovedPayload,
    SkpReturned,
    SkpReturnedPayload,
    SkpSubmitted,
    SkpSubmittedPayload,
)
from shared.i18n import Text
from shared.mongo import MongoDocument
from shared.versioned import AlreadyExistsError, BusyError, MissingError, VersionedRepository


@dataclass(frozen=True)
class Planning:
    registry: Registry
    years: YearRepository
    skps: SkpRepository

    @property
    def clock(self) -> Clock:
        return self.registry.clock


# ---------------------------------------------------------------- performance years


async def put_year(
    year: int, config: YearConfigIn, expected_version: int | None, *, actor: Actor, planning: Planning
) -> MongoDocument:
    if "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError(
            Text("Hanya admin_bkpsdm yang mengatur tahun kinerja", "Only admin_bkpsdm configures performance years")
        )
    allowed = {*periods_of(year, config.frequency), str(year)}
    unknown = sorted(set(config.evaluation_due) - allowed)
    if unknown:
        frequency = config.frequency.value
        raise InvalidError(
            Text(
                f"evaluation_due menyebut periode yang tidak ada pada tahun {year} dengan frekuensi {frequency}",
                f"evaluation_due names periods that are not in {year} at {frequency} frequency",
            ),
            errors=[Text(f"periode tidak dikenal: {p}", f"unknown period: {p}") for p in unknown],
        )
    problems = deadline_problems(year, config.skp_due, config.evaluation_due)
    if problems:
        raise InvalidError(
            Text(f"Tenggat tahun {year} tidak masuk akal", f"The deadlines of {year} are out of range"),
            errors=problems,
            code="deadline_out_of_range",
        )
    fields = config.model_dump(mode="json")

    def announce(version: int) -> Event:
        payload = {**fields, "year": year, "periods": [*periods_of(year, config.frequency), str(year)]}
        return PerformanceYearConfigured.create(
            PerformanceYearConfiguredPayload.model_validate({**payload, "version": version}),
            producer=planning.registry.producer,
        )

    what = Text(f"Tahun {year}", f"Year {year}")
    document, _ = await create_or_update(planning.years, year, fields, expected_version, what, announce)
    planning.registry.wake_relay(planning.years.collection.name, year)
    return document


async def get_year(year: int, planning: Planning) -> MongoDocument:
    config = await planning.years.get(year)
    if config is None:
        raise NotFoundError(
            Text(
                f"Tahun {year} belum diatur (admin_bkpsdm: PUT /api/v1/performance-years/{year})",
                f"Year {year} is not configured yet (admin_bkpsdm: PUT /api/v1/performance-years/{year})",
            )
        )
    return config


def year_periods(config: MongoDocument) -> list[str]:
    return periods_of(int(config["_id"]), Frequency(config["frequency"]))


def check_deadline(
    config: MongoDocument, due: str | None, record: MongoDocument, step: Text, *, today: dt.date
) -> bool:
    """Whether ``step`` (on ``record``, an SKP or an evaluation) is late against ``due`` (an ISO date from
    the year's configuration, or None); refuses it (409 ``deadline_passed``) when the year's
    ``deadline_enforcement`` is ``blocking`` and the BKPSDM gave the record no extension covering today."""
    extended = record.get("deadline_extended_to")
    outcome = deadline_outcome(
        dt.date.fromisoformat(due) if due else None,
        today,
        blocking=config.get("deadline_enforcement", "warning") == "blocking",
        extended_to=dt.date.fromisoformat(extended) if extended else None,
    )
    if outcome is DeadlineOutcome.REFUSED:
        raise ConflictError(
            Text(f"Batas waktu {due} sudah lewat: ", f"The deadline {due} has passed: ")
            + step
            + Text(
                " ditolak (tahun ini memblokir keterlambatan; BKPSDM dapat memberi perpanjangan)",
                " is refused (this year blocks late steps; the BKPSDM may grant an extension)",
            ),
            code="deadline_passed",
        )
    return outcome is DeadlineOutcome.LATE


async def extend_deadline(
    repository: VersionedRepository, key: str, until: dt.date, reason: str, *, actor: Actor, clock: Clock
) -> MongoDocument:
    """The BKPSDM extends the deadline of one SKP or evaluation (``deadline_extended_to``): with
    ``blocking`` enforcement its late step is accepted until then (still marked late)."""
    if "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError(Text("Hanya BKPSDM yang memberi perpanjangan", "Only the BKPSDM grants an extension"))
    problem = extension_problem(until, clock.today())
    if problem is not None:
        raise InvalidError(problem, code="deadline_out_of_range")
    now = clock.now()

    async def decide(current: MongoDocument) -> tuple[MongoDocument, Sequence[Event]]:
        extension = {"until": until.isoformat(), "reason": reason, "by": actor.nip, "at": now}
        return {"deadline_extended_to": until.isoformat(), "deadline_extension": extension}, ()

    try:
        return await repository.modify(key, decide, now=clock.now)
    except MissingError as exc:
        raise NotFoundError(Text(f"Tidak ada {key}", f"No {key}")) from exc
    except BusyError as exc:
        raise ConflictError(Text("Sedang diubah; coba lagi", "Being changed; try again"), code="busy") from exc


# ---------------------------------------------------------------- SKP


def _rhk(document: MongoDocument) -> list[Rhk]:
    return [
        Rhk(
            r["rhk_id"],
            r["kind"],
            r["text"],
            r.get("intervened_rhk_id"),
            tuple(
                Indicator(i["indicator_id"], i["aspect"], i["text"], i["target"], i["unit"]) for i in r["indicators"]
            ),
        )
        for r in document["rhk"]
    ]


def span_of(skp: MongoDocument) -> Span:
    """The SKP's validity span (an SKP stored before spans existed covers its whole year)."""
    whole = year_span(int(skp["year"]))
    start = date.fromisoformat(skp["valid_from"]) if skp.get("valid_from") else whole.start
    end = date.fromisoformat(skp["valid_to"]) if skp.get("valid_to") else whole.end
    return Span(start, end)


def shown(skp: MongoDocument) -> MongoDocument:
    """The SKP as answered: with its span and segment, also when stored before they existed."""
    span = span_of(skp)
    return {**skp, "segment": skp.get("segment", 1), "valid_from": span.start, "valid_to": span.end}


def in_force(skp: MongoDocument) -> bool:
    """Approved, and in force for its span (a closed SKP was approved and stays so for its span)."""
    return skp["status"] in (SkpStatus.APPROVED, SkpStatus.CLOSED)


async def _superior_rhk_ids(
    owner: MongoDocument, year: int, span: Span, planning: Planning
) -> tuple[set[str] | None, list[Text]]:
    """The RHK ids an SKP may intervene, or None when it intervenes nothing; plus problems finding them
    (``superior_skps``)."""
    agreed, problems = await superior_skps(owner, year, span, planning)
    return (None if agreed is None else {r["rhk_id"] for s in agreed for r in s["rhk"]}), problems


async def superior_skps(
    owner: MongoDocument, year: int, span: Span, planning: Planning
) -> tuple[list[MongoDocument] | None, list[Text]]:
    """The pejabat penilai's approved SKP segments an SKP of ``owner`` cascades from, or None when it
    intervenes nothing; plus problems finding them.

    The explicit rule (domain.md 1.2-1.3): only a JPT intervenes nothing, when their pejabat penilai
    is outside their OPD (a kepala dinas appraised by the Sekda) or absent (the top of the chain,
    appraised by the Wali Kota, who has no NIP). Everyone else intervenes an RHK of their pejabat
    penilai's approved SKP of the year: of a segment whose span meets ``span`` (``domain.mutation``),
    whichever OPD that one is in."""
    superior_nip = owner.get("pejabat_penilai_nip")
    superior = await planning.registry.employees.get(superior_nip) if superior_nip else None
    head = owner.get("position_type") == "JPT"
    if superior is None:
        if head:
            return None, []
        return [], [
            Text(
                "SKP memerlukan pejabat penilai yang tercatat dalam data kepegawaian (minta admin OPD menetapkannya)",
                "The SKP needs a pejabat penilai in the registry (ask the OPD admin to set the link)",
            )
        ]
    if head and superior["opd_code"] != owner["opd_code"]:
        return None, []
    segments = await planning.skps.of_year(superior["_id"], year)
    agreed = [s for s in segments if in_force(s) and span_of(s).overlaps(span)]
    if not agreed:
        superior_nip = superior["_id"]
        return [], [
            Text(
                f"SKP {year} milik pejabat penilai ({superior_nip}) belum disetujui",
                f"The SKP {year} of the pejabat penilai ({superior_nip}) is not approved yet",
            )
        ]
    return agreed, []


async def cascade_source(nip: str, year: int, *, actor: Actor, planning: Planning) -> MongoDocument:
    """What an SKP of ``nip`` for ``year`` may intervene: the RHK (id, kind, text only) of the pejabat
    penilai's approved SKP, for those who may read the employee's records (404 otherwise, as for a
    NIP that does not exist). The span is that of the employee's SKP segment not closed, else the year."""
    owner = await planning.registry.employees.get(nip)
    if owner is None or not may(actor, subject_of(owner), READ):
        raise NotFoundError(Text(f"Pegawai {nip} tidak ditemukan", f"No employee {nip}"))
    await get_year(year, planning)
    segments = [s for s in await planning.skps.of_year(nip, year) if s["status"] != SkpStatus.CLOSED]
    span = span_of(segments[-1]) if segments else year_span(year)
    agreed, problems = await superior_skps(owner, year, span, planning)
    return {
        "nip": nip,
        "year": year,
        "pejabat_penilai_nip": owner.get("pejabat_penilai_nip"),
        "required": agreed is not None,
        "rhk": [
            {"rhk_id": r["rhk_id"], "kind": r["kind"], "text": r["text"], "skp_id": s["_id"]}
            for s in agreed or []
            for r in s["rhk"]
        ],
        "problem": problems[0] if problems else None,
    }


async def _owner(actor: Actor, planning: Planning) -> MongoDocument:
    if actor.nip == PPK:
        raise ForbiddenError(
            Text(
                "PPK (Wali Kota) bukan ASN dan tidak menyusun SKP",
                "The PPK (the Wali Kota) is not an ASN and has no SKP",
            )
        )
    owner = await planning.registry.employees.get(actor.nip)
    if owner is None:
        raise InvalidError(
            Text(
                f"NIP {actor.nip} tidak terdaftar dalam data kepegawaian; minta admin OPD untuk mendaftarkannya",
                f"NIP {actor.nip} is not in the employee registry; ask the OPD admin to register it",
            )
        )
    return owner


async def create_skp(data: SkpIn, *, actor: Actor, planning: Planning) -> MongoDocument:
    """The employee drafts their own SKP for a year: the first (1 January - 31 December), or, after
    a mutation closed the one in force, the next segment for the rest of the year."""
    owner = await _owner(actor, planning)
    await get_year(data.year, planning)
    segments = await planning.skps.of_year(owner["_id"], data.year)
    segment, span = 1, year_span(data.year)
    if segments:
        last = segments[-1]
        if last["status"] != SkpStatus.CLOSED:
            raise ConflictError(
                Text(
                    f"SKP {data.year} milik {owner['_id']} sudah ada", f"An SKP {data.year} exists for {owner['_id']}"
                ),
                code="skp_exists",
            )
        if len(segments) >= MAX_SEGMENTS:
            raise ConflictError(
                Text(
                    f"SKP {data.year} sudah terbagi {MAX_SEGMENTS} kali",
                    f"the SKP {data.year} was split {MAX_SEGMENTS} times already",
                ),
                code="too_many_segments",
            )
        segment, span = int(last.get("segment", 1)) + 1, next_span(span_of(last), data.year)
    now = planning.clock.now()
    document: MongoDocument = {
        "_id": skp_id(owner["_id"], data.year, segment),
        "nip": owner["_id"],
        **data.model_dump(mode="json"),
        "segment": segment,
        "valid_from": span.start.isoformat(),
        "valid_to": span.end.isoformat(),
        "opd_code": owner["opd_code"],
        "unit_code": owner.get("unit_code"),
        "pejabat_penilai_nip": owner.get("pejabat_penilai_nip"),
        "status": SkpStatus.DRAFT.value,
        "return_reason": None,
        "revision": 0,
        "proposal": None,
        "history": [{"action": "create", "by": actor.nip, "at": now}],
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "approved_at": None,
    }
    try:
        await planning.skps.insert(document, now=now)
    except AlreadyExistsError as exc:
        nip = owner["_id"]
        raise ConflictError(
            Text(f"SKP {data.year} milik {nip} sudah ada", f"An SKP {data.year} exists for {nip}"), code="skp_exists"
        ) from exc
    return document


def skp_signers(skp: MongoDocument) -> list[str]:
    """Who signed the SKP: whoever approved it or one of its revisions."""
    return [entry["by"] for entry in skp.get("history", []) if entry.get("action") == "approve"]


async def visible_skp(skp_key: str, *, actor: Actor, planning: Planning) -> MongoDocument:
    """The SKP, when the registry lets the actor read its owner's records, or the actor signed it
    (approved it or a revision of it: kept after a mutation moved the link, ``domain.mutation``)."""
    skp = await planning.skps.get(skp_key)
    owner = await planning.registry.employees.get(skp["nip"]) if skp else None
    if skp is None or owner is None:
        raise NotFoundError(Text(f"SKP {skp_key} tidak ditemukan", f"No SKP {skp_key}"))
    if not (may(actor, subject_of(owner), READ) or signed_by(actor.nip, skp_signers(skp))):
        raise NotFoundError(Text(f"SKP {skp_key} tidak ditemukan", f"No SKP {skp_key}"))
    return skp


async def skp_for_period(nip: str, period: str, planning: Planning) -> MongoDocument | None:
    """The SKP segment a period is evaluated against: the one valid on the period's last day
    (``domain.mutation``), in force or not; None when there is none."""
    segments = await planning.skps.of_year(nip, int(period[:4]))
    index = segment_on([span_of(s) for s in segments], period_end(period))
    return segments[index] if index is not None else None


async def _checked(
    skp_key: str, actor: Actor, planning: Planning, allowed: tuple[Relation, ...], action: SkpAction
) -> tuple[MongoDocument, MongoDocument]:
    """The SKP and its owner, when the actor may see it and stands in one of the ``allowed`` relations."""
    skp = await visible_skp(skp_key, actor=actor, planning=planning)
    owner = await planning.registry.employees.get(skp["nip"])
    if owner is None or not may(actor, subject_of(owner), allowed):
        who = (
            Text("pegawai yang bersangkutan", "the employee")
            if allowed == (Relation.SELF,)
            else Text("pejabat penilai pegawai tersebut", "the employee's pejabat penilai")
        )
        done = DONE_WORDS[action]
        raise ForbiddenError(
            Text(f"SKP ini hanya dapat {done.ind} oleh {who.ind}", f"Only {who.en} may {action.value} this SKP")
        )
    return skp, owner


async def _problems(owner: MongoDocument, skp: MongoDocument, content: MongoDocument, planning: Planning) -> list[Text]:
    superior_ids, problems = await _superior_rhk_ids(owner, skp["year"], span_of(skp), planning)
    return problems + submission_problems(_rhk(content), superior_rhk_ids=superior_ids)


async def _act(
    skp_key: str,
    action: SkpAction,
    expected_version: int,
    *,
    actor: Actor,
    planning: Planning,
    allowed: tuple[Relation, ...],
    fields: dict[str, Any] | None = None,
    note: str | None = None,
) -> tuple[MongoDocument, MongoDocument]:
    """Check relation and workflow, then write the new state; returns (stored SKP, owner)."""
    skp, owner = await _checked(skp_key, actor, planning, allowed, action)
    if action in (SkpAction.APPROVE, SkpAction.RETURN) and on_proposal(SkpStatus(skp["status"]), _proposal(skp)):
        return await _decide_proposal(skp, owner, action, expected_version, actor=actor, planning=planning, note=note)
    try:
        status = transition(SkpStatus(skp["status"]), action)
    except WorkflowError as exc:
        raise ConflictError(exc.text, code="workflow_violation") from exc
    if skp["version"] != expected_version:
        raise VersionConflictError(at_version(Text(f"SKP {skp_key}", f"SKP {skp_key}"), skp["version"]))
    if action is SkpAction.SUBMIT and not owner.get("pejabat_penilai_nip"):
        # Refused now rather than left with nobody to act on it (the top of the chain is the PPK).
        raise InvalidError(
            Text(
                f"{owner['_id']} belum punya pejabat penilai di registri; minta admin OPD (atau BKPSDM, untuk "
                "PPK) menetapkannya sebelum mengajukan SKP",
                f"{owner['_id']} has no pejabat penilai in the registry; ask the OPD admin (or the BKPSDM, for "
                "the PPK) to set one before submitting the SKP",
            ),
            code="no_pejabat_penilai",
        )
    now = planning.clock.now()
    late = False
    config = await get_year(skp["year"], planning)
    if action in (SkpAction.SUBMIT, SkpAction.APPROVE):
        step = (
            Text("pengajuan SKP", "submitting the SKP")
            if action is SkpAction.SUBMIT
            else Text("persetujuan SKP", "approving the SKP")
        )
        late = check_deadline(config, config.get("skp_due"), skp, step, today=planning.clock.today())
        problems = await _problems(owner, skp, {**skp, **(fields or {})}, planning)
        if problems:
            done = DONE_WORDS[action]
            raise InvalidError(
                Text(f"SKP belum dapat {done.ind}", f"The SKP cannot be {done.en} yet"),
                errors=problems,
                code="skp_incomplete",
            )
    changes = {**(fields or {}), "status": status.value}
    if action in (SkpAction.SUBMIT, SkpAction.APPROVE):
        changes |= {"due": config.get("skp_due"), "late": late}
    events: list[Event] = []
    if action is SkpAction.APPROVE:
        changes["approved_at"] = now
        events.append(_approved_event({**skp, **changes}, actor, planning.registry.producer, now))
    if action is SkpAction.RETURN:
        changes["return_reason"] = note
    if action is SkpAction.SUBMIT:  # whoever the registry names now is the one to act on it
        changes["pejabat_penilai_nip"] = owner.get("pejabat_penilai_nip")
    if action in (SkpAction.SUBMIT, SkpAction.RETURN):
        events.append(_workflow_event({**skp, **changes}, action, note, planning.registry.producer))
    history = {
        "action": action.value,
        "by": actor.nip,
        "at": now,
        **({"note": note} if note else {}),
        **({"late": True} if late else {}),
    }
    stored = await planning.skps.update(skp, changes, *events, now=now, push={"history": history})
    if stored is None:
        raise VersionConflictError(changed_concurrently(Text(f"SKP {skp_key}", f"SKP {skp_key}")))
    if events:
        planning.registry.wake_relay(planning.skps.collection.name, skp_key)
    return stored, owner


def _span_fields(skp: MongoDocument) -> dict[str, Any]:
    span = span_of(skp)
    return {"valid_from": span.start, "valid_to": span.end, "revision": int(skp.get("revision", 0))}


def _workflow_event(skp: MongoDocument, action: SkpAction, note: str | None, producer: str) -> Event:
    """``skp.submitted.v1`` (the pejabat penilai must act) or ``skp.returned.v1`` (with the reason);
    for a revision proposal, ``revision`` is the proposal's."""
    fields = {
        "skp_id": skp["_id"],
        "nip": skp["nip"],
        "year": skp["year"],
        "opd_code": skp["opd_code"],
        "unit_code": skp.get("unit_code"),
        "pejabat_penilai_nip": skp.get("pejabat_penilai_nip"),
        **_span_fields(skp),
    }
    if action is SkpAction.RETURN:
        return SkpReturned.create(SkpReturnedPayload.model_validate({**fields, "reason": note}), producer=producer)
    reminder = {"due": skp.get("due"), "late": bool(skp.get("late"))}
    return SkpSubmitted.create(SkpSubmittedPayload.model_validate(fields | reminder), producer=producer)


def _approved_event(skp: MongoDocument, actor: Actor, producer: str, now: dt.datetime) -> SkpApproved:
    return SkpApproved.create(
        SkpApprovedPayload.model_validate(
            {
                "skp_id": skp["_id"],
                "nip": skp["nip"],
                "year": skp["year"],
                "approach": skp["approach"],
                "opd_code": skp["opd_code"],
                "unit_code": skp.get("unit_code"),
                "pejabat_penilai_nip": actor.nip,
                "rhk": skp["rhk"],
                "due": skp.get("due"),
                "late": bool(skp.get("late")),
                **_span_fields(skp),
            }
        ),
        producer=producer,
        occurred_at=now,
    )


async def edit_skp(
    skp_key: str, content: SkpContent, expected_version: int, *, actor: Actor, planning: Planning
) -> MongoDocument:
    stored, _ = await _act(
        skp_key,
        SkpAction.EDIT,
        expected_version,
        actor=actor,
        planning=planning,
        allowed=(Relation.SELF,),
        fields=content.model_dump(mode="json"),
    )
    return stored


async def set_expectations(
    skp_key: str, body: ExpectationsIn, expected_version: int, *, actor: Actor, planning: Planning
) -> MongoDocument:
    """The pejabat penilai writes the leader's expectations (behaviour per BerAKHLAK value and the
    ekspektasi khusus pimpinan) on a report's SKP, in any state (PermenPANRB 6/2022 Pasal 5)."""
    skp = await visible_skp(skp_key, actor=actor, planning=planning)
    owner = await planning.registry.employees.get(skp["nip"])
    if owner is None or not may(actor, subject_of(owner), (Relation.APPRAISER,)):
        raise ForbiddenError(
            Text(
                "Hanya pejabat penilai pegawai tersebut yang menuliskan ekspektasi pimpinan",
                "Only the employee's pejabat penilai writes the leader's expectations",
            )
        )
    if skp["version"] != expected_version:
        raise VersionConflictError(at_version(Text(f"SKP {skp_key}", f"SKP {skp_key}"), skp["version"]))
    now = planning.clock.now()
    fields = {**body.model_dump(mode="json"), "expectations_set_by": actor.nip}
    history = {"action": "expectations", "by": actor.nip, "at": now}
    stored = await planning.skps.update(skp, fields, now=now, push={"history": history})
    if stored is None:
        raise VersionConflictError(changed_concurrently(Text(f"SKP {skp_key}", f"SKP {skp_key}")))
    return stored


async def submit_skp(skp_key: str, expected_version: int, *, actor: Actor, planning: Planning) -> MongoDocument:
    stored, _ = await _act(
        skp_key, SkpAction.SUBMIT, expected_version, actor=actor, planning=planning, allowed=(Relation.SELF,)
    )
    return stored


async def approve_skp(skp_key: str, expected_version: int, *, actor: Actor, planning: Planning) -> MongoDocument:
    """Approve a submitted SKP, or the revision proposal pending on an approved one."""
    stored, _ = await _act(
        skp_key, SkpAction.APPROVE, expected_version, actor=actor, planning=planning, allowed=(Relation.APPRAISER,)
    )
    return stored


async def return_skp(
    skp_key: str, reason: str, expected_version: int, *, actor: Actor, planning: Planning
) -> MongoDocument:
    """Return a submitted SKP, or the revision proposal pending on an approved one, with a reason."""
    stored, _ = await _act(
        skp_key,
        SkpAction.RETURN,
        expected_version,
        actor=actor,
        planning=planning,
        allowed=(Relation.APPRAISER,),
        note=reason,
    )
    return stored


# ---------------------------------------------------------------- revisions of an approved SKP


def _proposal(skp: MongoDocument) -> SkpStatus | None:
    proposal = skp.get("proposal")
    return SkpStatus(proposal["status"]) if proposal else None


def _refuse_revision(exc: WorkflowError) -> ConflictError:
    return ConflictError(
        Text(f"Revisi SKP tidak dapat dilakukan sekarang: {exc}", f"the SKP revision is not possible now: {exc}"),
        code="workflow_violation",
    )


async def revise_skp(
    skp_key: str, content: SkpContent, expected_version: int, *, actor: Actor, planning: Planning
) -> MongoDocument:
    """The employee submits a revision of their approved SKP (``POST /skp/{id}/revisions``): it
    waits for the pejabat penilai as ``proposal``, while the approved content stays in force (and
    evaluations keep the content they were opened with). Publishes ``skp.submitted.v1`` with the
    proposal's ``revision``."""
    skp, owner = await _checked(skp_key, actor, planning, (Relation.SELF,), SkpAction.REVISE)
    revisions = int(skp.get("revision", 0))
    try:
        revision_transition(SkpStatus(skp["status"]), _proposal(skp), SkpAction.REVISE, revisions=revisions)
    except WorkflowError as exc:
        raise _refuse_revision(exc) from exc
    if skp["version"] != expected_version:
        raise VersionConflictError(at_version(Text(f"SKP {skp_key}", f"SKP {skp_key}"), skp["version"]))
    proposed = content.model_dump(mode="json")
    problems = await _problems(owner, skp, proposed, planning)
    if problems:
        raise InvalidError(
            Text("Revisi SKP belum dapat diajukan", "the SKP revision cannot be submitted yet"),
            errors=problems,
            code="skp_incomplete",
        )
    now = planning.clock.now()
    proposal = {
        **proposed,
        "revision": revisions + 1,
        "status": SkpStatus.SUBMITTED.value,
        "submitted_at": now,
        "return_reason": None,
    }
    changes = {"proposal": proposal, "pejabat_penilai_nip": owner.get("pejabat_penilai_nip")}
    event = _workflow_event(
        {**skp, **changes, "revision": revisions + 1}, SkpAction.SUBMIT, None, planning.registry.producer
    )
    history = {"action": SkpAction.REVISE.value, "by": actor.nip, "at": now, "revision": revisions + 1}
    stored = await planning.skps.update(skp, changes, event, now=now, push={"history": history})
    if stored is None:
        raise VersionConflictError(changed_concurrently(Text(f"SKP {skp_key}", f"SKP {skp_key}")))
    planning.registry.wake_relay(planning.skps.collection.name, skp_key)
    return stored


async def _decide_proposal(
    skp: MongoDocument,
    owner: MongoDocument,
    action: SkpAction,
    expected_version: int,
    *,
    actor: Actor,
    planning: Planning,
    note: str | None,
) -> tuple[MongoDocument, MongoDocument]:
    """The pejabat penilai approves (the proposal becomes the content in force, the old content is
    kept in ``superseded``) or returns (with the reason) the revision proposal of an approved SKP."""
    revisions = int(skp.get("revision", 0))
    try:
        revision_transition(SkpStatus(skp["status"]), _proposal(skp), action, revisions=revisions)
    except WorkflowError as exc:
        raise _refuse_revision(exc) from exc
    if skp["version"] != expected_version:
        raise VersionConflictError(at_version(Text(f"SKP {skp['_id']}", f"SKP {skp['_id']}"), skp["version"]))
    proposal: MongoDocument = skp["proposal"]
    now = planning.clock.now()
    push: MongoDocument = {}
    if action is SkpAction.APPROVE:
        problems = await _problems(owner, skp, proposal, planning)
        if problems:
            raise InvalidError(
                Text("Revisi SKP belum dapat disetujui", "the SKP revision cannot be approved yet"),
                errors=problems,
                code="skp_incomplete",
            )
        signers = skp_signers(skp)
        push["superseded"] = {
            "revision": revisions,
            "approach": skp["approach"],
            "rhk": skp["rhk"],
            "approved_at": skp.get("approved_at"),
            "approved_by": signers[-1] if signers else None,
        }
        changes: MongoDocument = {
            "approach": proposal["approach"],
            "rhk": proposal["rhk"],
            "revision": proposal["revision"],
            "proposal": None,
            "approved_at": now,
        }
        event: Event = _approved_event({**skp, **changes}, actor, planning.registry.producer, now)
    else:
        changes = {"proposal": {**proposal, "status": SkpStatus.RETURNED.value, "return_reason": note}}
        revised = {**skp, "revision": proposal["revision"]}
        event = _workflow_event(revised, SkpAction.RETURN, note, planning.registry.producer)
    push["history"] = {
        "action": action.value,
        "by": actor.nip,
        "at": now,
        "revision": proposal["revision"],
        **({"note": note} if note else {}),
    }
    stored = await planning.skps.update(skp, changes, event, now=now, push=push)
    if stored is None:
        raise VersionConflictError(changed_concurrently(Text(f"SKP {skp['_id']}", f"SKP {skp['_id']}")))
    planning.registry.wake_relay(planning.skps.collection.name, skp["_id"])
    return stored, owner


# ---------------------------------------------------------------- mutation mid-year


async def split_at_mutation(
    skps: SkpRepository, before: MongoDocument, after: MongoDocument, day: date, actor: Actor
) -> MongoDocument | None:
    """After a mutation of an employee (a new pejabat penilai, or a move to another OPD, on ``day``),
    close their approved SKP in force on that day the day before it (``domain.mutation``); the
    employee then drafts the next SKP for the rest of the year (``POST /skp``). A pending revision
    proposal goes with it. Returns the closed SKP, or None when there was nothing to split.
    Idempotent: a second call finds the SKP closed."""
    if not is_mutation(before, after):
        return None
    segments = await skps.of_year(before["_id"], day.year)
    index = segment_on([span_of(s) for s in segments], day)
    if index is None or segments[index]["status"] != SkpStatus.APPROVED:
        return None  # not approved yet: nothing was agreed with the old pejabat penilai; it goes on
    end = split_end(span_of(segments[index]), day)
    if end is None:
        return None
    key = segments[index]["_id"]

    async def close(current: MongoDocument) -> tuple[MongoDocument, list[Event]]:
        transition(SkpStatus(current["status"]), SkpAction.CLOSE)  # raises when changed meanwhile
        now = now_ms()
        mutation = {
            "date": day.isoformat(),
            "pejabat_penilai_from": before.get("pejabat_penilai_nip"),
            "pejabat_penilai_to": after.get("pejabat_penilai_nip"),
            "opd_from": before.get("opd_code"),
            "opd_to": after.get("opd_code"),
            "by": actor.nip,
        }
        fields = {
            "status": SkpStatus.CLOSED.value,
            "valid_to": end.isoformat(),
            "closed_at": now,
            "mutation": mutation,
            "proposal": None,
        }
        return fields, []

    try:
        return await skps.modify(key, close, now=now_ms)
    except (WorkflowError, MissingError, BusyError):
        return None
