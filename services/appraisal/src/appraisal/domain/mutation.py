"""Mutation mid-year: the SKP's validity span, where an SKP is split, which SKP a period is
evaluated against, and who keeps reading what they signed.

- The SKP period is the year, 1 January - 31 December (domain.md 1.9 [S]); an employee newly
  appointed or transferred drafts a new SKP for the rest of the year, and Kemenkeu splits the SKP
  period at the mutation date (domain.md 1.9 [S]/[R]). Here an employee's SKP of a year is a row of
  *segments*, each with a validity span: the first from 1 January, every later one from the day of
  a mutation, the last to 31 December.
- A mutation is a change of the employee's pejabat penilai or a move to another OPD. The approved
  SKP in force on the mutation date is *closed* the day before it (an SKP not approved yet has
  nothing agreed with the old pejabat penilai: it simply goes on, with whoever the registry names).
- A period is evaluated against the segment valid on the period's last day (the annual evaluation:
  the segment valid on 31 December). [R] a project rule; a period cut by a mutation is evaluated
  once, by the new pejabat penilai, against the new SKP.
- Whoever signed a document (approved an SKP, finalised an appraisal, decided an objection) keeps
  reading that document after the registry's links moved on; not the documents signed by others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

MAX_SEGMENTS = 12
"""SKP segments one employee may have in one year (at most one mutation a month: a documented bound)."""

MUTATION_DATE_REACH_YEARS = 1
"""How far back a mutation date may lie: within this year or the previous one (a registry brought up
to date in January records December's transfers), never in the future."""


@dataclass(frozen=True)
class Span:
    """A validity span, both days included."""

    start: dt.date
    end: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: Span) -> bool:
        return self.start <= other.end and other.start <= self.end


def year_span(year: int) -> Span:
    """The SKP period of a year (domain.md 1.9 [S])."""
    return Span(dt.date(year, 1, 1), dt.date(year, 12, 31))


def mutation_date_problem(day: dt.date, today: dt.date) -> str | None:
    """Why ``day`` cannot be a mutation date recorded ``today`` (None: it can)."""
    if day > today:
        return "future"
    if day.year < today.year - MUTATION_DATE_REACH_YEARS:
        return "too_old"
    return None


def is_mutation(before: dict[str, object], after: dict[str, object]) -> bool:
    """A new pejabat penilai, or a move to another OPD (domain.md 1.9: transferred employees)."""
    return any(before.get(f) != after.get(f) for f in ("pejabat_penilai_nip", "opd_code"))


def split_end(current: Span, mutation_date: dt.date) -> dt.date | None:
    """The new end of the segment ``current`` when a mutation takes effect on ``mutation_date``
    (the day before it), or None when the segment is not split: the mutation falls outside it, or
    on its first day (nothing of it was served under the old pejabat penilai)."""
    if not current.covers(mutation_date) or mutation_date == current.start:
        return None
    return mutation_date - dt.timedelta(days=1)


def next_span(previous: Span, year: int) -> Span:
    """The span of the segment after ``previous`` (closed at a mutation): the rest of the year."""
    return Span(previous.end + dt.timedelta(days=1), year_span(year).end)


def segment_on(spans: Sequence[Span], day: dt.date) -> int | None:
    """The index of the span that covers ``day`` (None: none does)."""
    for index, span in enumerate(spans):
        if span.covers(day):
            return index
    return None


def signed_by(nip: str, signers: Collection[str | None]) -> bool:
    """Whether ``nip`` is among the signers of a document (its approvers, finaliser, decider)."""
    return nip in {s for s in signers if s}
