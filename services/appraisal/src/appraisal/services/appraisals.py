"""Appraisals finalised elsewhere (e.g. e-Kinerja BKN history), recorded by the BKPSDM."""

from __future__ import annotations

from appraisal.domain.access import Actor
from appraisal.domain.evaluation import Frequency, is_annual, period_start, periods_of, year_of
from appraisal.domain.rules import FIRST_HISTORY_YEAR
from appraisal.repository.evaluations import evaluation_id
from appraisal.schemas.appraisals import CompletedAppraisalIn
from appraisal.services.employees import require_known_opd
from appraisal.services.evaluations import Evaluations, refuse_if_year_closed, result_events
from shared.errors import ConflictError, ForbiddenError, InvalidError
from shared.i18n import Text
from shared.mongo import MongoDocument
from shared.versioned import AlreadyExistsError

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
    await _check_history(command, ctx)
    key = evaluation_id(command.nip, command.period)
    predikat = ctx.matrix.predikat(hasil_kerja=command.hasil_kerja, perilaku_kerja=command.perilaku_kerja)
    now = ctx.planning.clock.now()
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
    result = await result_events(document, predikat, 1, ctx=ctx, now=now)
    document["development_plan"] = result.plan
    document["joined_plan_id"] = result.joined_plan_id
    try:
        await ctx.evaluations.insert(document, *result.events, now=now)
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


async def _check_history(command: CompletedAppraisalIn, ctx: Evaluations) -> None:
    """A recorded result belongs to a registered employee, of the OPD the registry names, for a period
    of its year: the year's annual one, or one of its periodic ones at the year's configured frequency.
    A year not configured here (history from before the system) takes any period form, since the
    frequency its instansi used is not known (PermenPANRB 6/2022: monthly, quarterly or semester)."""
    employee = await ctx.planning.registry.employees.get(command.nip)
    if employee is None:
        raise InvalidError(
            Text(
                f"NIP {command.nip} tidak terdaftar di registri; daftarkan pegawainya dulu (POST /api/v1/employees)",
                f"NIP {command.nip} is not in the registry; register the employee first (POST /api/v1/employees)",
            ),
            code="unregistered_employee",
        )
    if employee["opd_code"] != command.opd_code:
        raise InvalidError(
            Text(
                f"opd_code {command.opd_code} bukan OPD {command.nip} di registri ({employee['opd_code']})",
                f"opd_code {command.opd_code} is not the OPD of {command.nip} in the registry ({employee['opd_code']})",
            ),
            code="opd_mismatch",
        )
    year = year_of(command.period)
    today = ctx.planning.clock.today()
    if year < FIRST_HISTORY_YEAR or period_start(command.period) > today:
        raise InvalidError(
            Text(
                f"{command.period} bukan riwayat: periodenya harus dari tahun {FIRST_HISTORY_YEAR} sampai yang sudah "
                f"dimulai per {today.isoformat()}",
                f"{command.period} is not history: its period must lie between {FIRST_HISTORY_YEAR} and one that has "
                f"begun by {today.isoformat()}",
            ),
            code="period_out_of_range",
        )
    config = await ctx.planning.years.get(year)
    if config is None or is_annual(command.period):
        return
    periods = periods_of(year, Frequency(config["frequency"]))
    if command.period not in periods:
        raise InvalidError(
            Text(
                f"{command.period} bukan periode penilaian {year} ({config['frequency']}); gunakan "
                f"{', '.join(periods)} atau {year}",
                f"{command.period} is not an evaluation period of {year} ({config['frequency']}); use "
                f"{', '.join(periods)} or {year}",
            ),
            code="period_not_in_year",
        )
