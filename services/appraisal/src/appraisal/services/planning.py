"""Performance years and the SKP (performance plan) workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from appraisal.domain.access import READ, Actor, Relation, may
from appraisal.domain.evaluation import Frequency, periods_of
from appraisal.domain.skp import (
    DONE_WORDS,
    Indicator,
    Rhk,
    SkpAction,
    SkpStatus,
    WorkflowError,
    submission_problems,
    transition,
)
from appraisal.repository.planning import SkpRepository, YearRepository, skp_id
from appraisal.repository.versioned import AlreadyExistsError
from appraisal.schemas.skp import ExpectationsIn, SkpContent, SkpIn
from appraisal.schemas.years import YearConfigIn
from appraisal.services.employees import Registry, now_ms, subject_of
from appraisal.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    VersionConflictError,
    at_version,
    changed_concurrently,
)
from appraisal.services.master import create_or_update
from shared.events import (
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


async def _superior_rhk_ids(owner: MongoDocument, year: int, planning: Planning) -> tuple[set[str] | None, list[Text]]:
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
        return set(), [
            Text(
                "SKP memerlukan pejabat penilai yang tercatat dalam data kepegawaian (minta admin OPD menetapkannya)",
                "The SKP needs a pejabat penilai in the registry (ask the OPD admin to set the link)",
            )
        ]
    if head and superior["opd_code"] != owner["opd_code"]:
        return None, []
    superior_skp = await planning.skps.get(skp_id(superior["_id"], year))
    if superior_skp is None or superior_skp["status"] != SkpStatus.APPROVED:
        superior_nip = superior["_id"]
        return set(), [
            Text(
                f"SKP {year} milik pejabat penilai ({superior_nip}) belum disetujui",
                f"The SKP {year} of the pejabat penilai ({superior_nip}) is not approved yet",
            )
        ]
    return {r["rhk_id"] for r in superior_skp["rhk"]}, []


async def _owner(actor: Actor, planning: Planning) -> MongoDocument:
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
        nip = owner["_id"]
        raise ConflictError(
            Text(f"SKP {data.year} milik {nip} sudah ada", f"An SKP {data.year} exists for {nip}"), code="skp_exists"
        ) from exc
    return document


async def visible_skp(skp_key: str, *, actor: Actor, planning: Planning) -> MongoDocument:
    skp = await planning.skps.get(skp_key)
    owner = await planning.registry.employees.get(skp["nip"]) if skp else None
    if skp is None or owner is None or not may(actor, subject_of(owner), READ):
        raise NotFoundError(Text(f"SKP {skp_key} tidak ditemukan", f"No SKP {skp_key}"))
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
        who = (
            Text("pegawai yang bersangkutan", "the employee")
            if allowed == (Relation.SELF,)
            else Text("pejabat penilai pegawai tersebut", "the employee's pejabat penilai")
        )
        done = DONE_WORDS[action]
        raise ForbiddenError(
            Text(f"SKP ini hanya dapat {done.ind} oleh {who.ind}", f"Only {who.en} may {action.value} this SKP")
        )
    try:
        status = transition(SkpStatus(skp["status"]), action)
    except WorkflowError as exc:
        raise ConflictError(exc.text, code="workflow_violation") from exc
    if skp["version"] != expected_version:
        raise VersionConflictError(at_version(Text(f"SKP {skp_key}", f"SKP {skp_key}"), skp["version"]))
    now = now_ms()
    if action in (SkpAction.SUBMIT, SkpAction.APPROVE):
        superior_ids, problems = await _superior_rhk_ids(owner, skp["year"], planning)
        problems += submission_problems(_rhk({**skp, **(fields or {})}), superior_rhk_ids=superior_ids)
        if problems:
            done = DONE_WORDS[action]
            raise InvalidError(
                Text(f"SKP belum dapat {done.ind}", f"The SKP cannot be {done.en} yet"),
                errors=problems,
                code="skp_incomplete",
            )
    changes = {**(fields or {}), "status": status.value}
    events: list[Event] = []
    if action is SkpAction.APPROVE:
        changes["approved_at"] = now
        events.append(_approved_event(skp, actor, planning.registry.producer))
    if action is SkpAction.RETURN:
        changes["return_reason"] = note
    if action is SkpAction.SUBMIT:  # whoever the registry names now is the one to act on it
        changes["pejabat_penilai_nip"] = owner.get("pejabat_penilai_nip")
    if action in (SkpAction.SUBMIT, SkpAction.RETURN):
        events.append(_workflow_event({**skp, **changes}, action, note, planning.registry.producer))
    history = {"action": action.value, "by": actor.nip, "at": now, **({"note": note} if note else {})}
    stored = await planning.skps.update(skp, changes, *events, now=now, push={"history": history})
    if stored is None:
        raise VersionConflictError(changed_concurrently(Text(f"SKP {skp_key}", f"SKP {skp_key}")))
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
    return SkpSubmitted.create(SkpSubmittedPayload.model_validate(fields), producer=producer)


def _approved_event(skp: MongoDocument, actor: Actor, producer: str) -> SkpApproved:
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
            }
        ),
        producer=producer,
        occurred_at=datetime.now(UTC),
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
    now = now_ms()
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
