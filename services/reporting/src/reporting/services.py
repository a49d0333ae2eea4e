"""Reporting use cases."""

from __future__ import annotations

from collections.abc import Sequence

from reporting.domain import AppraisalFact, PredikatSummary, newest_revisions, summarise_predikat
from reporting.repository import AppraisalFacts
from shared.events import AppraisalCompleted


def fact_of(event: AppraisalCompleted) -> AppraisalFact:
    payload = event.payload
    return AppraisalFact(
        appraisal_id=payload.appraisal_id,
        revision=payload.revision,
        nip=payload.nip,
        opd_code=payload.opd_code,
        period=payload.period,
        predikat=payload.predikat,
        occurred_at=event.occurred_at,
    )


async def record_appraisals_completed(events: Sequence[AppraisalCompleted], *, facts: AppraisalFacts) -> int:
    """Apply a batch of ``appraisal.completed`` events; returns how many changed the read model."""
    return await facts.upsert_many(newest_revisions(fact_of(event) for event in events))


async def predikat_summary(*, facts: AppraisalFacts, period: str | None, opd_code: str | None) -> PredikatSummary:
    return summarise_predikat(await facts.count_by_predikat(period=period, opd_code=opd_code))
