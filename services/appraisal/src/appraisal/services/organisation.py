"""The organisation predikat of an OPD, the distribution-curve check and closing the year."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from appraisal.domain.access import Actor
from appraisal.repository.evaluations import EvaluationRepository, OrgYearRepository, org_year_id
from appraisal.services.employees import heads_of, now_ms
from appraisal.services.planning import Planning, get_year
from shared.errors import ConflictError, ForbiddenError, NotFoundError
from shared.events import Event, OrganisationYearUpdated, OrganisationYearUpdatedPayload, OrgPredikat, Predikat
from shared.i18n import Text, verbatim
from shared.mongo import MongoDocument
from shared.regulation import DISTRIBUTION_2022, check_distribution
from shared.versioned import AlreadyExistsError, BusyError


@dataclass(frozen=True)
class Organisation:
    planning: Planning
    evaluations: EvaluationRepository
    org_years: OrgYearRepository


async def _heads(opd_code: str, ctx: Organisation) -> list[MongoDocument]:
    """The head of the OPD: an active JPT registered in it whose pejabat penilai is outside it or
    absent (the same rule as the top of the cascade). Other JPT of the OPD (an asisten of the Setda,
    appraised by the Sekda inside it) are not its head."""
    return await heads_of(opd_code, ctx.planning.registry.employees)


async def _jpt_of(opd_code: str, actor: Actor, ctx: Organisation) -> bool:
    return any(j["_id"] == actor.nip for j in await ctx.planning.registry.employees.heads_of(opd_code))


async def _may_set(actor: Actor, opd_code: str, ctx: Organisation) -> bool:
    """The BKPSDM, or the next-higher leader: the pejabat penilai of the OPD's head (a JPT registered
    in it), e.g. the Sekda for a kepala dinas, the PPK (role ``ppk``) for a head it appraises, such as
    the Sekda for SETDA (domain.md 1.6: "ditetapkan oleh pimpinan satu tingkat di atasnya"). Never the
    head whose own organisation is judged."""
    if "admin_bkpsdm" in actor.roles:
        return True
    if not {"pejabat_penilai", "ppk"} & actor.roles or await _jpt_of(opd_code, actor, ctx):
        return False  # a JPT of the OPD judged is never the leader above it
    return any(head.get("pejabat_penilai_nip") == actor.nip for head in await _heads(opd_code, ctx))


async def _is_head(actor: Actor, opd_code: str, ctx: Organisation) -> bool:
    return any(head["_id"] == actor.nip for head in await _heads(opd_code, ctx))


def _updated(record: MongoDocument, ctx: Organisation) -> Event:
    """organisation.year_updated.v1 for the OPD's year record as written (its version included)."""
    return OrganisationYearUpdated.create(
        OrganisationYearUpdatedPayload(
            opd_code=record["opd_code"],
            year=record["year"],
            predikat=OrgPredikat(record["predikat"]) if record["predikat"] else None,
            closed=record["closed"],
            version=record["version"],
        ),
        producer=ctx.planning.registry.producer,
    )


async def _upsert(opd_code: str, year: int, fields: MongoDocument, ctx: Organisation) -> MongoDocument:
    """Create the OPD's year record with ``fields`` if absent, else set them (compare-and-set) unless it is
    closed; each write carries organisation.year_updated.v1 of the record as written (outbox, same write)."""
    key = org_year_id(opd_code, year)
    now = now_ms()
    if await ctx.org_years.get(key) is None:
        blank = {"_id": key, "opd_code": opd_code, "year": year, "predikat": None, "closed": False, "warnings": []}
        record = {**blank, **fields, "version": 1, "updated_at": now}
        with contextlib.suppress(AlreadyExistsError):  # created concurrently: change it as below
            await ctx.org_years.insert(record, _updated(record, ctx), now=now)
            ctx.planning.registry.wake_relay(ctx.org_years.collection.name, key)
            return record

    async def decide(current: MongoDocument) -> tuple[MongoDocument, Sequence[Event]]:
        if current["closed"]:
            raise ConflictError(
                Text(f"Tahun {year} pada {opd_code} sudah ditutup", f"The year {year} of {opd_code} is closed"),
                code="year_closed",
            )
        return fields, [_updated({**current, **fields, "version": current["version"] + 1}, ctx)]

    try:
        stored = await ctx.org_years.modify(key, decide, now=now_ms)
    except BusyError as exc:
        raise ConflictError(
            Text("Diubah oleh pihak lain pada saat yang sama; coba lagi", "Changed concurrently; try again"),
            code="busy",
        ) from exc
    ctx.planning.registry.wake_relay(ctx.org_years.collection.name, key)
    return stored


async def set_org_predikat(
    opd_code: str, year: int, predikat: OrgPredikat, *, actor: Actor, ctx: Organisation
) -> MongoDocument:
    if opd_code not in await ctx.planning.registry.opds.all_codes():
        raise NotFoundError(Text(f"OPD {opd_code} tidak ada dalam data induk", f"No OPD {opd_code} in the master data"))
    if not await _may_set(actor, opd_code, ctx):
        raise ForbiddenError(
            Text(
                "Predikat organisasi ditetapkan oleh pimpinan satu tingkat di atasnya (pejabat penilai kepala OPD) "
                "atau BKPSDM, tidak pernah oleh kepala OPD yang dinilai",
                "The organisation predikat is set by the next-higher leader (the pejabat penilai of the OPD's head) "
                "or the BKPSDM, never by the head of the OPD judged",
            )
        )
    await get_year(year, ctx.planning)
    return await _upsert(opd_code, year, {"predikat": predikat.value, "set_by": actor.nip}, ctx)


async def distribution(opd_code: str, year: int, *, actor: Actor, ctx: Organisation) -> dict[str, Any]:
    if not (
        {"admin_bkpsdm", "pimpinan"} & actor.roles
        or ("admin_opd" in actor.roles and actor.opd_code == opd_code)
        or await _may_set(actor, opd_code, ctx)
        or await _is_head(actor, opd_code, ctx)
    ):
        raise ForbiddenError(
            Text(
                "Distribusi predikat OPD hanya untuk BKPSDM, pimpinan, admin OPD tersebut, kepala OPD, dan "
                "pimpinan di atasnya",
                "The distribution of an OPD is for the BKPSDM, the pimpinan, its admin, its head and the leader above",
            )
        )
    config = await get_year(year, ctx.planning)
    org = await ctx.org_years.get(org_year_id(opd_code, year))
    counts = await ctx.evaluations.annual_counts(opd_code, year)
    org_predikat = OrgPredikat(org["predikat"]) if org and org.get("predikat") else None
    violations = check_distribution(org_predikat, counts) if org_predikat else []
    warnings = check_distribution(org_predikat, counts, warnings=True) if org_predikat else []
    return {
        "opd_code": opd_code,
        "year": year,
        "org_predikat": org_predikat,
        "counts": {p: counts.get(p, 0) for p in Predikat},
        "total": sum(counts.values()),
        "violations": [v.__dict__ for v in violations],
        "warnings": [w.__dict__ for w in warnings],
        "enforcement": config["distribution_enforcement"],
        "closed": bool(org and org["closed"]),
        "rule_source": DISTRIBUTION_2022.citation,
    }


async def close_year(opd_code: str, year: int, *, actor: Actor, ctx: Organisation) -> dict[str, Any]:
    """Close an OPD's year. With ``blocking`` enforcement a violated distribution refuses (409);
    with ``warning`` it closes and keeps the violations as warnings."""
    if "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError(Text("Hanya BKPSDM yang menutup tahun suatu OPD", "Only the BKPSDM closes an OPD's year"))
    report = await distribution(opd_code, year, actor=actor, ctx=ctx)
    if report["org_predikat"] is None:
        raise ConflictError(
            Text(
                "Tetapkan predikat organisasi sebelum menutup tahun",
                "Set the organisation predikat before closing the year",
            ),
            code="org_predikat_missing",
        )
    rules = [v["rule"] for v in report["violations"]]
    if rules and report["enforcement"] == "blocking":
        raise ConflictError(
            Text(
                "Distribusi predikat tidak sesuai dengan pola untuk predikat organisasi ini",
                "The distribution of predikat breaks the pattern for this organisation predikat",
            ),
            errors=[verbatim(rule) for rule in rules],  # the regulation's own words (Bahasa Indonesia)
            code="distribution_violated",
        )
    await _upsert(opd_code, year, {"closed": True, "warnings": rules, "closed_by": actor.nip}, ctx)
    return {**report, "closed": True}
