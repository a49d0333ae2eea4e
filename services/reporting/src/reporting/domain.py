"""Pure reporting rules: summaries built from counted facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
