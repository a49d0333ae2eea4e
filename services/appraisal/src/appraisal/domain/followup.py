"""Tindak lanjut: development plans for low results, the improvement window, escalation, objections."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from appraisal.domain.rules import FOLLOW_UP, LOW_PREDIKAT, FollowUpRules
from shared.events import Predikat


class Cause(StrEnum):
    """The cause of low performance as the pejabat penilai sees it."""

    KOMPETENSI = "kompetensi"
    BEBAN_KERJA = "beban_kerja"
    SUMBER_DAYA = "sumber_daya"
    MOTIVASI_PERSONAL = "motivasi_personal"
    LAINNYA = "lainnya"


class Action(StrEnum):
    COACHING = "coaching"
    MENTORING = "mentoring"
    KONSELING = "konseling"
    PELATIHAN = "pelatihan"


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def improvement_due(finalised_on: dt.date, rules: FollowUpRules = FOLLOW_UP) -> dt.date:
    """End of the improvement window that starts when a low result is finalised."""
    return add_months(finalised_on, rules.improvement_window_months)


def opens_improvement_window(predikat: Predikat, *, annual: bool, rules: FollowUpRules = FOLLOW_UP) -> bool:
    """Whether a result opens the 6-month improvement window: only an annual one, with a predikat the
    rules name (Kurang or Sangat Kurang by default; PP 30/2019 Pasal 57-58)."""
    return annual and predikat in rules.improvement_window_predikat


def must_escalate(annual_predikat_by_year: dict[int, Predikat], year: int, rules: FollowUpRules = FOLLOW_UP) -> bool:
    """True when the annual predikat of ``year`` and the years right before it are all low, for
    ``consecutive_low_annual_to_escalate`` years in a row."""
    span = range(year - rules.consecutive_low_annual_to_escalate + 1, year + 1)
    return all(annual_predikat_by_year.get(y) in LOW_PREDIKAT for y in span)


class ObjectionDecision(StrEnum):
    UPHELD = "upheld"
    REJECTED = "rejected"


def objection_open(finalised_at: dt.datetime, now: dt.datetime, window_days: int) -> bool:
    return now <= finalised_at + dt.timedelta(days=window_days)


OPEN_PLAN_STATUSES = ("awaiting_input", "active")
"""A development plan still open: waiting for the pejabat penilai's input, or under way."""


def plan_figures(plans: Iterable[Mapping[str, Any]], today: dt.date) -> dict[tuple[str, str], tuple[int, int]]:
    """Open development plans per (OPD, status): (how many, how many past their ``due_on``). ``plans``
    are evaluations with ``opd_code`` and ``development_plan`` (``status``, ``due_on`` as ISO date or
    None); a plan of another status is not counted."""
    figures: dict[tuple[str, str], tuple[int, int]] = {}
    for evaluation in plans:
        plan = evaluation.get("development_plan") or {}
        status = plan.get("status")
        if status not in OPEN_PLAN_STATUSES:
            continue
        due = plan.get("due_on")
        overdue = bool(due) and dt.date.fromisoformat(str(due)) < today
        key = (str(evaluation.get("opd_code") or ""), str(status))
        count, late = figures.get(key, (0, 0))
        figures[key] = (count + 1, late + int(overdue))
    return figures
