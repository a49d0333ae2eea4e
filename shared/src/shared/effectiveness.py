"""Did results improve after training? For each completion of a recommended programme: the result before it
(the need's own result, or the latest one ending on or before the completion) and the first result whose period
ends after the completion; improved when the later predikat is better. Aggregated per programme and per need
kind, always with the counts behind the figure. Training reports it; reporting reads the same rules."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from shared.events import Predikat
from shared.i18n import Text
from shared.regulation import RegulationError

PREDIKAT_RANK = {
    Predikat.SANGAT_KURANG: 0,
    Predikat.KURANG_MISCONDUCT: 1,
    Predikat.BUTUH_PERBAIKAN: 2,
    Predikat.BAIK: 3,
    Predikat.SANGAT_BAIK: 4,
}
"""PermenPANRB 6/2022 predikat from worst to best."""

_PERIOD = re.compile(r"^([0-9]{4})(?:-(S[12]|Q[1-4]|0[1-9]|1[0-2]))?$")


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of an evaluation period: '2026', '2026-S1', '2026-Q3' or '2026-03'."""
    match = _PERIOD.match(period)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise RegulationError("period_invalid", Text(f"Periode {period!r} tidak sah", f"Invalid period {period!r}"))
    year, part = int(match.group(1)), match.group(2)
    if part is None:
        first_month, last_month = 1, 12
    elif part[0] == "S":
        first_month = 1 if part == "S1" else 7
        last_month = first_month + 5
    elif part[0] == "Q":
        first_month = (int(part[1]) - 1) * 3 + 1
        last_month = first_month + 2
    else:
        first_month = last_month = int(part)
    return dt.date(year, first_month, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


@dataclass(frozen=True)
class Result:
    """One appraisal result of an employee (appraisal.completed.v1, highest revision)."""

    nip: str
    period: str
    predikat: Predikat

    @property
    def ends_on(self) -> dt.date:
        return period_bounds(self.period)[1]


@dataclass(frozen=True)
class Completion:
    """A completed programme that answered a recommendation."""

    nip: str
    program_code: str
    need_kind: str
    completed_on: dt.date
    baseline: Predikat | None = None
    """The predikat of the result that raised the need, when known."""


class Outcome(StrEnum):
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    WORSENED = "worsened"
    NO_LATER_RESULT = "no_later_result"
    NO_BASELINE = "no_baseline"


def _order(r: Result) -> tuple[dt.date, dt.date, str]:
    first, last = period_bounds(r.period)
    return last, first, r.period


def outcome(completion: Completion, results: Iterable[Result]) -> tuple[Outcome, Result | None]:
    """The outcome of one completion and the later result it rests on. Of two results ending the same day (a
    quarter and the year), the longer period (the annual one) is taken, before and after."""
    own = sorted((r for r in results if r.nip == completion.nip), key=_order)
    later = [r for r in own if r.ends_on > completion.completed_on]
    baseline = completion.baseline
    if baseline is None:
        before = [r for r in own if r.ends_on <= completion.completed_on]
        before.sort(key=lambda r: (r.ends_on, -period_bounds(r.period)[0].toordinal()))
        baseline = before[-1].predikat if before else None
    if not later:
        return Outcome.NO_LATER_RESULT, None
    if baseline is None:
        return Outcome.NO_BASELINE, later[0]
    nxt = later[0]
    delta = PREDIKAT_RANK[nxt.predikat] - PREDIKAT_RANK[baseline]
    if delta > 0:
        return Outcome.IMPROVED, nxt
    return (Outcome.UNCHANGED if delta == 0 else Outcome.WORSENED), nxt


@dataclass(frozen=True)
class Effect:
    """The figures for one programme or need kind."""

    key: str
    n_completed: int = 0
    n_with_later_result: int = 0
    """Completions with a later result and a known result before: the base of the rate."""
    n_improved: int = 0
    n_unchanged: int = 0
    n_worsened: int = 0

    @property
    def improvement_rate(self) -> float | None:
        """Share improved of those with a later result; None when there are none."""
        if self.n_with_later_result == 0:
            return None
        return round(self.n_improved / self.n_with_later_result, 4)


def _aggregate(
    completions: Iterable[Completion], results: Iterable[Result], key: Callable[[Completion], str]
) -> list[Effect]:
    results = list(results)
    counts: dict[str, list[int]] = {}
    for c in completions:
        row = counts.setdefault(key(c), [0, 0, 0, 0, 0])
        row[0] += 1
        result, _ = outcome(c, results)
        if result in (Outcome.IMPROVED, Outcome.UNCHANGED, Outcome.WORSENED):
            row[1] += 1
            row[2 + (Outcome.IMPROVED, Outcome.UNCHANGED, Outcome.WORSENED).index(result)] += 1
    return [Effect(k, *v) for k, v in sorted(counts.items())]


def by_programme(completions: Iterable[Completion], results: Iterable[Result]) -> list[Effect]:
    """One Effect per programme code, sorted by code."""
    return _aggregate(completions, results, lambda c: c.program_code)


def by_need_kind(completions: Iterable[Completion], results: Iterable[Result]) -> list[Effect]:
    """One Effect per need kind (low_score, development_plan, development_area), sorted by kind."""
    return _aggregate(completions, results, lambda c: c.need_kind)
