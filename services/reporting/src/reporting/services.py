"""Reporting use cases."""

from __future__ import annotations

from reporting.domain import PredikatSummary, summarise_predikat
from reporting.repository import AppraisalFacts
from shared.events import AppraisalCompleted


async def record_appraisal_completed(event: AppraisalCompleted, *, facts: AppraisalFacts) -> bool:
    payload = event.payload
    return await facts.upsert(
        appraisal_id=payload.appraisal_id,
        revision=payload.revision,
        nip=payload.nip,
        opd_code=payload.opd_code,
        period=payload.period,
        predikat=payload.predikat.value,
        occurred_at=event.occurred_at,
    )


async def predikat_summary(*, facts: AppraisalFacts, period: str | None, opd_code: str | None) -> PredikatSummary:
    return summarise_predikat(await facts.count_by_predikat(period=period, opd_code=opd_code))
