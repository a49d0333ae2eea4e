"""Appraisals finalised elsewhere (e.g. e-Kinerja BKN history), recorded by the BKPSDM."""

from __future__ import annotations

from appraisal.domain.access import Actor
from appraisal.domain.evaluation import is_annual, year_of
from appraisal.repository.evaluations import evaluation_id
from appraisal.repository.versioned import AlreadyExistsError
from appraisal.schemas.appraisals import CompletedAppraisalIn
from appraisal.services.employees import now_ms, require_known_opd
from appraisal.services.errors import ConflictError, ForbiddenError
from appraisal.services.evaluations import Evaluations, refuse_if_year_closed, result_events
from shared.i18n import Text
from shared.mongo import MongoDocument

COMPARED = ("nip", "period", "opd_code", "hasil_kerja", "perilaku_kerja")


async def record_completed_appraisal(
    command: CompletedAppraisalIn, *, actor: Actor, idempotency_key: str | None, ctx: Evaluations
) -> tuple[MongoDocument, bool]:
    """Store a finalised appraisal and publish it, in one write; returns (appraisal, created).

    The same request again (same Idempotency-Key and content) returns the first result."""
    if "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError(
            Text(
                "Hanya admin_bkpsdm yang mencatat penilaian yang difinalkan di sistem lain",
                "Only admin_bkpsdm records appraisals finalised elsewhere",
            )
        )
    # History may name a unit retired since; never one the master data does not know.
    require_known_opd(command.opd_code, await ctx.planning.registry.opds.all_codes())
    key = evaluation_id(command.nip, command.period)
    predikat = ctx.matrix.predikat(hasil_kerja=command.hasil_kerja, perilaku_kerja=command.perilaku_kerja)
    now = now_ms()
    document: MongoDocument = {
        "_id": key,
        **command.model_dump(mode="json"),
        "year": year_of(command.period),
        "annual": is_annual(command.period),
        "skp_id": None,
        "unit_code": None,
        "pejabat_penilai_nip": command.pejabat_penilai_nip,
        "atasan_pejabat_penilai_nip": None,
        "rhk": [],
        "realisations": [],
        "feedback": [],
        "rhk_ratings": [],
        "behaviour_ratings": [],
        "predikat": predikat.value,
        "predikat_rule": ctx.matrix.version,
        "status": "finalised",
        "revision": 1,
        "finalised_at": now,
        "objection": None,
        "source": "recorded",
        "idempotency_key": idempotency_key,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    await refuse_if_year_closed(document, ctx)
    events, plan = await result_events(document, predikat, 1, ctx=ctx, now=now)
    document["development_plan"] = plan
    try:
        await ctx.evaluations.insert(document, *events, now=now)
    except AlreadyExistsError as exc:
        existing = await ctx.evaluations.get(key)
        if (
            existing is not None
            and idempotency_key is not None
            and existing.get("idempotency_key") == idempotency_key
            and all(existing.get(f) == document[f] for f in COMPARED)
        ):
            return existing, False
        raise ConflictError(
            Text(
                f"Penilaian untuk NIP {command.nip} pada periode {command.period} sudah ada",
                f"An appraisal for NIP {command.nip} in period {command.period} exists",
            ),
            code="appraisal_exists",
        ) from exc
    ctx.planning.registry.wake_relay(ctx.evaluations.collection.name, key)
    return document, True
