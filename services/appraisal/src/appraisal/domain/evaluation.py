"""Periodic and annual evaluation: achievement (capaian), suggested ratings, completeness, and the
weak areas that flag a low score."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from appraisal.domain.rules import (
    CAPAIAN_THRESHOLDS,
    DEADLINE_REACH_DAYS,
    LOW_PREDIKAT,
    MAX_FINALISE_GRACE_DAYS,
    CapaianThresholds,
)
from shared.events import Aspect, BerAkhlakValue, Predikat, RatingLevel
from shared.i18n import Text

_NUMBER = re.compile(r"^\s*(-?[0-9]{1,15}(?:[.,][0-9]{1,6})?)\s*%?\s*$")
"""A realisation or target read as a number: ASCII digits, at most 15 before the decimal mark and 6
after it (a longer one is text, from which no capaian or rating is suggested)."""


class Frequency(StrEnum):
    """How often an agency evaluates during the year (domain.md 1.4: bulanan, triwulanan or semesteran)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMESTER = "semester"


def periods_of(year: int, frequency: Frequency) -> list[str]:
    """The periodic evaluation periods of a year; the annual evaluation is the period ``str(year)``."""
    if frequency is Frequency.SEMESTER:
        return [f"{year}-S1", f"{year}-S2"]
    if frequency is Frequency.QUARTERLY:
        return [f"{year}-Q{q}" for q in range(1, 5)]
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def year_of(period: str) -> int:
    return int(period[:4])


def is_annual(period: str) -> bool:
    return len(period) == 4


def period_end(period: str) -> dt.date:
    """The last day of a period: 31 December for the year, 30 June / 31 December for a semester, the
    quarter's or the month's last day."""
    year = year_of(period)
    if is_annual(period):
        return dt.date(year, 12, 31)
    part = period[5:]
    if part[0] == "S":
        last_month = 6 * int(part[1])
    elif part[0] == "Q":
        last_month = 3 * int(part[1])
    else:
        last_month = int(part)
    return dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def period_start(period: str) -> dt.date:
    """The first day of a period: 1 January for the year and the first semester or quarter, the first
    day of the semester's, quarter's or month's first month otherwise."""
    year = year_of(period)
    if is_annual(period):
        return dt.date(year, 1, 1)
    part = period[5:]
    if part[0] == "S":
        first_month = 6 * int(part[1]) - 5
    elif part[0] == "Q":
        first_month = 3 * int(part[1]) - 2
    else:
        first_month = int(part)
    return dt.date(year, first_month, 1)


def deadline_problems(year: int, skp_due: dt.date, evaluation_due: Mapping[str, dt.date]) -> list[Text]:
    """What is wrong with a year's deadlines (``DEADLINE_REACH_DAYS``): ``skp_due`` from 1 December of
    the year before to 31 December of the year; each ``evaluation_due`` from its period's end to
    ``DEADLINE_REACH_DAYS`` after it (a deadline before the period ends could never be met)."""
    problems = []
    if not dt.date(year - 1, 12, 1) <= skp_due <= dt.date(year, 12, 31):
        problems.append(
            Text(
                f"skp_due {skp_due.isoformat()} harus antara {year - 1}-12-01 dan {year}-12-31",
                f"skp_due {skp_due.isoformat()} must lie between {year - 1}-12-01 and {year}-12-31",
            )
        )
    reach = dt.timedelta(days=DEADLINE_REACH_DAYS)
    for period, due in sorted(evaluation_due.items()):
        end = period_end(period)
        if not end <= due <= end + reach:
            problems.append(
                Text(
                    f"evaluation_due {period}: {due.isoformat()} harus antara akhir periode ({end.isoformat()}) "
                    f"dan {(end + reach).isoformat()}",
                    f"evaluation_due {period}: {due.isoformat()} must lie between the period's end "
                    f"({end.isoformat()}) and {(end + reach).isoformat()}",
                )
            )
    return problems


def extension_problem(until: dt.date, today: dt.date) -> Text | None:
    """Why ``until`` cannot end a deadline extension granted ``today``: in the past, or further than
    ``DEADLINE_REACH_DAYS`` ahead (a permanent exemption is no extension)."""
    latest = today + dt.timedelta(days=DEADLINE_REACH_DAYS)
    if today <= until <= latest:
        return None
    return Text(
        f"until {until.isoformat()} harus antara hari ini ({today.isoformat()}) dan {latest.isoformat()}",
        f"until {until.isoformat()} must lie between today ({today.isoformat()}) and {latest.isoformat()}",
    )


def finalise_opens_on(period: str, grace_days: int = 0) -> dt.date:
    """The first day a period's evaluation may be finalised: the day after the period ends, or
    ``grace_days`` days earlier (``finalise_grace_days`` of the year, 0..MAX_FINALISE_GRACE_DAYS)."""
    if not 0 <= grace_days <= MAX_FINALISE_GRACE_DAYS:
        raise ValueError(f"grace_days must be within 0..{MAX_FINALISE_GRACE_DAYS}")
    return period_end(period) + dt.timedelta(days=1 - grace_days)


def may_finalise_on(period: str, today: dt.date, grace_days: int = 0) -> bool:
    """Whether the evaluation of ``period`` may be finalised on ``today`` (a period is evaluated once
    it has ended; domain.md 1.4)."""
    return today >= finalise_opens_on(period, grace_days)


class DeadlineOutcome(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    """After the deadline, accepted and marked late (``warning`` enforcement, or an extension past it)."""
    REFUSED = "refused"
    """After the deadline with ``blocking`` enforcement."""


def deadline_outcome(
    due: dt.date | None, today: dt.date, *, blocking: bool, extended_to: dt.date | None = None
) -> DeadlineOutcome:
    """A step (SKP submission or approval, finalising an evaluation) against its deadline ``due`` (the
    year's ``skp_due`` or ``evaluation_due`` of the period; None: no deadline). ``due`` itself is on
    time. With ``blocking`` a late step is refused unless the BKPSDM extended this record's deadline
    (``extended_to``) and today is within the extension; a step after ``due`` stays marked late."""
    if due is None or today <= due:
        return DeadlineOutcome.ON_TIME
    if not blocking or (extended_to is not None and today <= extended_to):
        return DeadlineOutcome.LATE
    return DeadlineOutcome.REFUSED


def periods_required_for_annual(year_periods: Sequence[str], evaluated: Sequence[str]) -> list[str]:
    """The periodic evaluations that must be final before an employee's annual evaluation opens: every
    period of the year from the first one the employee was evaluated in (``evaluated``: the periods
    they have an evaluation for, open or final) to the year's last. An employee whose SKP covers only
    part of the year (appointed or moved in mid-year; domain.md 1.9) starts at their first period; the
    periods before it are not theirs. With no periodic evaluation at all, every period is required."""
    known = [p for p in year_periods if p in set(evaluated)]
    if not known:
        return list(year_periods)
    return list(year_periods[year_periods.index(known[0]) :])


class Rollup(StrEnum):
    """How the periodic realisations of an indicator make its annual realisation (set per indicator in
    the SKP; default ``last``)."""

    SUM = "sum"
    """Counts over the year (documents, activities, people served): the periods add up."""
    AVERAGE = "average"
    """Rates and percentages measured per period: their mean."""
    LAST = "last"
    """Cumulative or state values (coverage reached so far, a document finished): the latest period's."""


def _format_number(value: float) -> str:
    rounded = round(value, 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"


def roll_up(kind: Rollup, realisations: Sequence[str | None]) -> str | None:
    """The annual realisation of an indicator from its periodic realisations, in period order (None:
    not recorded in that period, skipped). ``last`` takes the latest recorded value as written, numeric
    or not; ``sum`` and ``average`` need every recorded value numeric ("62", "62%", "1,5"; the result is
    a plain number, at most 2 decimals): a non-numeric one gives no pre-fill (None), as does nothing
    recorded."""
    recorded = [r for r in realisations if r is not None]
    if not recorded:
        return None
    if kind is Rollup.LAST:
        return recorded[-1]
    numbers = [_number(r) for r in recorded]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    total = sum(values)
    return _format_number(total if kind is Rollup.SUM else total / len(values))


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    match = _NUMBER.match(text)
    return float(match.group(1).replace(",", ".")) if match else None


def capaian(aspect: Aspect, target: str, realisation: str | None) -> float | None:
    """Realisation as a percentage of target, when both are numbers; for time and cost less is
    better, so it is target / realisation. None when it cannot be computed."""
    t, r = _number(target), _number(realisation)
    if t is None or r is None:
        return None
    if aspect in (Aspect.WAKTU, Aspect.BIAYA):
        return round(t / r * 100, 1) if r > 0 else None
    return round(r / t * 100, 1) if t > 0 else None


def suggest_rhk_rating(
    capaians: Sequence[float | None], thresholds: CapaianThresholds = CAPAIAN_THRESHOLDS
) -> RatingLevel | None:
    """From the capaian of an RHK's indicators (their mean); None when none is numeric."""
    known = [c for c in capaians if c is not None]
    if not known:
        return None
    mean = sum(known) / len(known)
    if mean >= thresholds.above_expectation_from:
        return RatingLevel.DI_ATAS_EKSPEKTASI
    if mean >= thresholds.meets_expectation_from:
        return RatingLevel.SESUAI_EKSPEKTASI
    return RatingLevel.DI_BAWAH_EKSPEKTASI


def suggest_overall(ratings: Sequence[tuple[str, RatingLevel]]) -> RatingLevel | None:
    """Overall rating from the ratings of the parts, after PermenPANRB 6/2022:

    - Di Atas Ekspektasi: most (more than half) are above expectation and no main part is below;
    - Di Bawah Ekspektasi: most (more than half) are below expectation;
    - Sesuai Ekspektasi: otherwise.

    ``ratings`` are (kind, rating) pairs, kind "utama" or "tambahan" (BerAKHLAK values count as "utama")."""
    if not ratings:
        return None
    n = len(ratings)
    above = sum(1 for _, r in ratings if r is RatingLevel.DI_ATAS_EKSPEKTASI)
    below = sum(1 for _, r in ratings if r is RatingLevel.DI_BAWAH_EKSPEKTASI)
    main_below = any(kind == "utama" and r is RatingLevel.DI_BAWAH_EKSPEKTASI for kind, r in ratings)
    if below * 2 > n:
        return RatingLevel.DI_BAWAH_EKSPEKTASI
    if above * 2 > n and not main_below:
        return RatingLevel.DI_ATAS_EKSPEKTASI
    return RatingLevel.SESUAI_EKSPEKTASI


def rating_departures(
    *,
    rhk_kinds: Mapping[str, str],
    rhk_ratings: Mapping[str, RatingLevel],
    behaviour_ratings: Mapping[BerAkhlakValue, RatingLevel],
    hasil_kerja: RatingLevel | None,
    perilaku_kerja: RatingLevel | None,
) -> dict[str, Text]:
    """Where an overall rating departs from what its parts give (``suggest_overall``, after the rating
    definitions of PermenPANRB 6/2022; domain.md 1.4), by overall rating: the pejabat penilai may
    depart, in writing."""
    found: dict[str, Text] = {}
    hasil_parts = suggest_overall([(rhk_kinds.get(k, "utama"), r) for k, r in rhk_ratings.items()])
    if hasil_kerja is not None and hasil_parts is not None and hasil_kerja is not hasil_parts:
        found["hasil_kerja"] = Text(
            f"Hasil Kerja {hasil_kerja.value}, sedangkan penilaian RHK-nya menghasilkan {hasil_parts.value}",
            f"Hasil Kerja is {hasil_kerja.value} while its RHK ratings give {hasil_parts.value}",
        )
    perilaku_parts = suggest_overall([("utama", r) for r in behaviour_ratings.values()])
    if perilaku_kerja is not None and perilaku_parts is not None and perilaku_kerja is not perilaku_parts:
        found["perilaku_kerja"] = Text(
            f"Perilaku Kerja {perilaku_kerja.value}, sedangkan penilaian BerAKHLAK-nya menghasilkan "
            f"{perilaku_parts.value}",
            f"Perilaku Kerja is {perilaku_kerja.value} while its BerAKHLAK ratings give {perilaku_parts.value}",
        )
    return found


def finalisation_problems(
    *,
    rhk_ids: Sequence[str],
    rhk_ratings: Mapping[str, RatingLevel],
    behaviour_ratings: Mapping[BerAkhlakValue, RatingLevel],
    hasil_kerja: RatingLevel | None,
    perilaku_kerja: RatingLevel | None,
) -> list[Text]:
    """What the pejabat penilai must still rate before the evaluation can be finalised."""
    problems = [
        Text(f"RHK {rhk_id} belum dinilai", f"RHK {rhk_id} is not rated")
        for rhk_id in rhk_ids
        if rhk_id not in rhk_ratings
    ]
    problems += [
        Text(f"Nilai BerAKHLAK {v.value} belum dinilai", f"BerAKHLAK value {v.value} is not rated")
        for v in BerAkhlakValue
        if v not in behaviour_ratings
    ]
    if hasil_kerja is None:
        problems.append(
            Text("Penilaian Hasil Kerja secara keseluruhan belum diisi", "The overall Hasil Kerja rating is missing")
        )
    if perilaku_kerja is None:
        problems.append(
            Text(
                "Penilaian Perilaku Kerja secara keseluruhan belum diisi",
                "The overall Perilaku Kerja rating is missing",
            )
        )
    return problems


@dataclass(frozen=True)
class WeakParts:
    """The RHK and BerAKHLAK values rated below expectation."""

    weak_rhk_ids: tuple[str, ...]
    weak_behaviours: tuple[BerAkhlakValue, ...]


def weak_parts(
    rhk_ratings: Mapping[str, RatingLevel], behaviour_ratings: Mapping[BerAkhlakValue, RatingLevel]
) -> WeakParts:
    return WeakParts(
        tuple(k for k, r in rhk_ratings.items() if r is RatingLevel.DI_BAWAH_EKSPEKTASI),
        tuple(v for v, r in behaviour_ratings.items() if r is RatingLevel.DI_BAWAH_EKSPEKTASI),
    )


def is_low(predikat: Predikat) -> bool:
    """A low score (development plan, ``appraisal.low_score_flagged.v1``): a predikat of Butuh Perbaikan
    or lower. Weak parts of a good result are development areas (``weak_parts``), not a low score."""
    return predikat in LOW_PREDIKAT
