"""The JP ledger, learning done elsewhere, who is behind, and effectiveness."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Path, Query

from shared.effectiveness import Effect
from shared.pagination import Paging
from training.api.common import PROBLEMS, ActorDep, Ctx
from training.schemas.models import (
    EffectivenessOut,
    EffectOut,
    EmployeeStandingOut,
    ExternalLearningIn,
    GroupCountOut,
    LearningDecisionIn,
    LedgerEntryOut,
    LedgerOut,
    StandingOut,
    StandingsPage,
    out,
)
from training.services import ledger

router = APIRouter()
Year = Annotated[int, Query(ge=2020, le=2100)]
NipPath = Annotated[str, Path(pattern=r"^[0-9]{18}$")]
ExternalId = Annotated[str, Path(pattern=r"^external:[0-9a-f-]{36}$")]


@router.get(
    "/ledger/{nip}",
    response_model=LedgerOut,
    tags=["ledger"],
    summary="An employee's JP of a year: entries and where they stand (20 JP PNS, 24 JP cap PPPK)",
    responses=PROBLEMS,
)
async def get_ledger(nip: NipPath, year: Year, ctx: Ctx, actor: ActorDep) -> LedgerOut:
    entries, standing = await ledger.ledger_of(ctx, actor, nip, year)
    fields = dataclasses.asdict(standing)
    return LedgerOut(
        nip=nip,
        year=year,
        standing=StandingOut.model_validate(fields),
        entries=[out(LedgerEntryOut, e) for e in entries],
    )


@router.post(
    "/external-learning",
    response_model=LedgerEntryOut,
    status_code=201,
    tags=["ledger"],
    summary="Report learning done elsewhere, with evidence (the employee); counts once the pejabat penilai approves",
    responses=PROBLEMS,
)
async def report_external(body: ExternalLearningIn, ctx: Ctx, actor: ActorDep) -> LedgerEntryOut:
    document = await ledger.report_external(
        ctx,
        actor,
        body.nip,
        title=body.title,
        form=body.form,
        on=body.on,
        evidence=body.evidence,
        days=body.days,
        jp_stated=body.jp_stated,
        minutes=body.minutes,
        international=body.international,
    )
    result: LedgerEntryOut = out(LedgerEntryOut, document)
    return result


@router.post(
    "/external-learning/{entry_id}/decision",
    response_model=LedgerEntryOut,
    tags=["ledger"],
    summary="Approve or reject reported learning (the employee's pejabat penilai)",
    responses=PROBLEMS,
)
async def decide_external(entry_id: ExternalId, body: LearningDecisionIn, ctx: Ctx, actor: ActorDep) -> LedgerEntryOut:
    result: LedgerEntryOut = out(
        LedgerEntryOut, await ledger.decide_external(ctx, actor, entry_id, body.approve, body.note)
    )
    return result


@router.get(
    "/jp-standings",
    response_model=StandingsPage,
    tags=["ledger"],
    summary="Who is behind on JP: each employee's standing (behind first) and the counts per OPD and unit "
    "(a pejabat penilai: their team; an OPD's admin: their OPD; the BKPSDM: all)",
    responses=PROBLEMS,
)
async def standings(
    year: Year,
    ctx: Ctx,
    actor: ActorDep,
    paging: Paging,
    opd_code: Annotated[str | None, Query(pattern=r"^[A-Z0-9_-]{2,32}$")] = None,
    unit_code: Annotated[str | None, Query(max_length=64)] = None,
    employee_type: Annotated[str | None, Query(pattern="^(PNS|PPPK)$")] = None,
    behind_only: bool = False,
) -> StandingsPage:
    rows, summary = await ledger.standings(
        ctx, actor, year, opd_code=opd_code, unit_code=unit_code, employee_type=employee_type, behind_only=behind_only
    )
    page = rows[paging.offset : paging.offset + paging.limit]
    return StandingsPage(
        items=[EmployeeStandingOut.model_validate(r) for r in page],
        total=len(rows),
        limit=paging.limit,
        offset=paging.offset,
        summary=[GroupCountOut.model_validate(s) for s in summary],
    )


@router.get(
    "/effectiveness",
    response_model=EffectivenessOut,
    tags=["ledger"],
    summary="Did results improve after recommended programmes? Per programme and per need, with the counts behind "
    "(an OPD's admin: their OPD; the BKPSDM: all)",
    responses=PROBLEMS,
)
async def effectiveness(ctx: Ctx, actor: ActorDep, paging: Paging) -> EffectivenessOut:
    report = await ledger.effectiveness(ctx, actor)

    def effect(e: Effect) -> EffectOut:
        return EffectOut.model_validate({**dataclasses.asdict(e), "improvement_rate": e.improvement_rate})

    page = report.by_programme[paging.offset : paging.offset + paging.limit]
    return EffectivenessOut(
        by_programme=[effect(e) for e in page],
        by_need_kind=[effect(e) for e in report.by_need_kind],
        total=len(report.by_programme),
        limit=paging.limit,
        offset=paging.offset,
        completions_counted=report.completions,
        complete=report.complete,
    )
