"""Pure reporting rules: which facts a batch of events leaves, and summaries built from counted facts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from shared.events import Predikat


@dataclass(frozen=True)
class PredikatSummary:
    total: int
    by_predikat: dict[Predikat, int]

    def share(self, predikat: Predikat) -> float:
        """Fraction of appraisals with ``predikat`` (0.0 when there are none)."""
        return self.by_predikat[predikat] / self.total if self.total else 0.0


def summarise_predikat(counts: Mapping[str, int]) -> PredikatSummary:
    """Counts per predikat value, with every predikat present (zero when absent); unknown keys ignored."""
    by_predikat = {predikat: int(counts.get(predikat.value, 0)) for predikat in Predikat}
    return PredikatSummary(total=sum(by_predikat.values()), by_predikat=by_predikat)


@dataclass(frozen=True)
class AppraisalFact:
    """One finalised appraisal as the read model keeps it: the newest revision wins."""

    appraisal_id: str
    revision: int
    nip: str
    opd_code: str
    period: str
    predikat: Predikat
    occurred_at: datetime


def newest_revisions(facts: Iterable[AppraisalFact]) -> list[AppraisalFact]:
    """One fact per appraisal, the highest revision among ``facts`` (a batch may carry several
    revisions of one appraisal, in any order); first-seen order of appraisals is kept."""
    newest: dict[str, AppraisalFact] = {}
    for fact in facts:
        kept = newest.get(fact.appraisal_id)
        if kept is None or fact.revision > kept.revision:
            newest[fact.appraisal_id] = fact
    return list(newest.values())
