"""Performance years and the SKP (performance plan) workflow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from appraisal.domain.access import READ, Actor, Relation, may
from appraisal.domain.evaluation import DeadlineOutcome, Frequency, deadline_outcome, periods_of
from appraisal.domain.skp import Indicator, Rhk, SkpAction, SkpStatus, WorkflowError, submission_problems, transition
from appraisal.repository.planning import SkpRepository, YearRepository, skp_id
from appraisal.repository.versioned import AlreadyExistsError, BusyError, MissingError, VersionedRepository
from appraisal.schemas.skp import ExpectationsIn, SkpContent, SkpIn
from appraisal.schemas.years import YearConfigIn
from appraisal.services.clock import Clock
from appraisal.services.employees import Registry, now_ms, subject_of
from appraisal.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    VersionConflictError,
)
from appraisal.services.master import create_or_update
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


@dataclass(frozen=True)
class Planning:
    registry: Registry
    years: YearRepository
    skps: SkpRepository
    clock: Clock = field(default_factory=Clock)


# ---------------------------------------------------------------- performance years


async def put_year(
    year: int, config: YearConfigIn, expected_version: int | None, *, actor: Actor, planning: Planning
) -> MongoDocument:
    if "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError("only admin_bkpsdm configures performance years")
    allowed = {*periods_of(year, config.frequency), str(year)}
    unknown = sorted(set(config.evaluation_due) - allowed)
    if unknown:
        raise InvalidError(
            f"evaluation_due names periods that are not in {year} at {config.frequency.value} frequency",
            errors=[f"unknown period: {p}" for p in unknown],
        )
    fields = config.model_dump(mode="json")

    def announce(version: int) -> Event:
        payload = {**fields, "year": year, "periods": [*periods_of(year, config.frequency), str(year)]}
        return PerformanceYearConfigured.create(
            PerformanceYearConfiguredPayload.model_validate({**payload, "version": version}),
            producer=planning.registry.producer,
        )

    document, _ = await create_or_update(planning.years, year, fields, expected_version, f"year {year}", announce)
    planning.registry.wake_relay(planning.years.collection.name, year)
    return document


async def get_year(year: int, planning: Planning) -> MongoDocument:
    config = await planning.years.get(year)
    if config is None:
        raise NotFoundError(f"year {year} is not configured yet (admin_bkpsdm: PUT /api/v1/performance-years/{year})")
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


async def _superior_rhk_ids(owner: MongoDocument, year: int, planning: Planning) -> tuple[set[str] | None, list[str]]:
    """The RHK ids an SKP may intervene, or None when it intervenes nothing; plus problems finding them.

    The explicit rule (domain.md 1.2-1.3): only a JPT intervenes nothing, when their pejabat penilai
    is outside their OPD (a kepala dinas appraised by the Sekda) or absent (the top of the chain,
    appraised by the Wali Kota, who has no NIP). Everyone else intervenes an RHK of their pejabat
    penilai's approved SKP, whichever OPD that one is in."""
    superior_nip = owner.get("pejabat_penilai_nip")
    superior = await planning.registry.employees.get(superior_nip) if superior_nip else None
    head = owner.get("position_type") == "JPT"
    if superior is None:
        if head:
            return None, []
        return set(), ["the SKP needs a pejabat penilai in the registry (ask the OPD admin to set the link)"]
    if head and superior["opd_code"] != owner["opd_code"]:
        return None, []
    superior_skp = await planning.skps.get(skp_id(superior["_id"], year))
    if superior_skp is None or superior_skp["status"] != SkpStatus.APPROVED:
        return set(), [f"the SKP {year} of the pejabat penilai ({superior['_id']}) is not approved yet"]
    return {r["rhk_id"] for r in superior_skp["rhk"]}, []


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
        raise InvalidError(f"NIP {actor.nip} is not in the employee registry; ask the OPD admin to register it")
    return owner


async def create_skp(data: SkpIn, *, actor: Actor, planning: Planning) -> MongoDocument:
    """The employee drafts their own SKP for a year."""
    owner = await _owner(actor, planning)
    await get_year(data.year, planning)
    now = now_ms()
    document: MongoDocument = {
        "_id": skp_id(owner["_id"], data.year),
        "nip": owner["_id"],
        **data.model_dump(mode="json"),
        "opd_code": owner["opd_code"],
        "unit_code": owner.get("unit_code"),
        "pejabat_penilai_nip": owner.get("pejabat_penilai_nip"),
        "status": SkpStatus.DRAFT.value,
        "return_reason": None,
        "history": [{"action": "create", "by": actor.nip, "at": now}],
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "approved_at": None,
    }
    try:
        await planning.skps.insert(document, now=now)
    except AlreadyExistsError as exc:
        raise ConflictError(f"an SKP {data.year} exists for {owner['_id']}", code="skp_exists") from exc
    return document


async def visible_skp(skp_key: str, *, actor: Actor, planning: Planning) -> MongoDocument:
    skp = await planning.skps.get(skp_key)
    owner = await planning.registry.employees.get(skp["nip"]) if skp else None
    if skp is None or owner is None or not may(actor, subject_of(owner), READ):
        raise NotFoundError(f"no SKP {skp_key}")
    return skp


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
    skp = await visible_skp(skp_key, actor=actor, planning=planning)
    owner = await planning.registry.employees.get(skp["nip"])
    assert owner is not None
    if not may(actor, subject_of(owner), allowed):
        who = "the employee" if allowed == (Relation.SELF,) else "the employee's pejabat penilai"
        raise ForbiddenError(f"only {who} may {action.value} this SKP")
    try:
        status = transition(SkpStatus(skp["status"]), action)
    except WorkflowError as exc:
        raise ConflictError(str(exc), code="workflow_violation") from exc
    if skp["version"] != expected_version:
        raise VersionConflictError(f"SKP {skp_key} is at version {skp['version']}")
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
        superior_ids, problems = await _superior_rhk_ids(owner, skp["year"], planning)
        problems += submission_problems(_rhk({**skp, **(fields or {})}), superior_rhk_ids=superior_ids)
        if problems:
            raise InvalidError(f"the SKP cannot be {action.value}ed yet", errors=problems, code="skp_incomplete")
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
        raise VersionConflictError(f"SKP {skp_key} was changed concurrently")
    if events:
        planning.registry.wake_relay(planning.skps.collection.name, skp_key)
    return stored, owner


def _workflow_event(skp: MongoDocument, action: SkpAction, note: str | None, producer: str) -> Event:
    """``skp.submitted.v1`` (the pejabat penilai must act) or ``skp.returned.v1`` (with the reason)."""
    fields = {
        "skp_id": skp["_id"],
        "nip": skp["nip"],
        "year": skp["year"],
        "opd_code": skp["opd_code"],
        "unit_code": skp.get("unit_code"),
        "pejabat_penilai_nip": skp.get("pejabat_penilai_nip"),
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
        raise ForbiddenError("only the employee's pejabat penilai writes the leader's expectations")
    if skp["version"] != expected_version:
        raise VersionConflictError(f"SKP {skp_key} is at version {skp['version']}")
    now = now_ms()
    fields = {**body.model_dump(mode="json"), "expectations_set_by": actor.nip}
    history = {"action": "expectations", "by": actor.nip, "at": now}
    stored = await planning.skps.update(skp, fields, now=now, push={"history": history})
    if stored is None:
        raise VersionConflictError(f"SKP {skp_key} was changed concurrently")
    return stored


async def submit_skp(skp_key: str, expected_version: int, *, actor: Actor, planning: Planning) -> MongoDocument:
    stored, _ = await _act(
        skp_key, SkpAction.SUBMIT, expected_version, actor=actor, planning=planning, allowed=(Relation.SELF,)
    )
    return stored


async def approve_skp(skp_key: str, expected_version: int, *, actor: Actor, planning: Planning) -> MongoDocument:
    stored, _ = await _act(
        skp_key, SkpAction.APPROVE, expected_version, actor=actor, planning=planning, allowed=(Relation.APPRAISER,)
    )
    return stored


async def return_skp(
    skp_key: str, reason: str, expected_version: int, *, actor: Actor, planning: Planning
) -> MongoDocument:
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
