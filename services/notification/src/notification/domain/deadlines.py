"""Deadline reminders: who must act before which deadline, a few days before it (``lead_days``).

Each reminder has a key (deadline, person): the job records it under a unique index, so a person hears of
one deadline once however often the job runs. Someone responsible for several records (a pejabat penilai
with several SKP to approve) gets one reminder listing them.

- ``skp_due`` (the year's date by which every SKP should be approved): an SKP submitted and waiting ->
  its pejabat penilai must approve; no SKP, a draft or a returned one -> the employee must submit;
- ``evaluation_due`` per period: employees with an approved SKP for the year and no final result for
  the period -> their pejabat penilai must finalise;
- a development plan's window (``due_on``): awaiting input or active -> the pejabat penilai;
- the JP projection at mid-year: JP earned (training.completed) below ``share`` of the yearly obligation
  on 1 July -> the employee, and their pejabat penilai (one list).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from notification.domain.routing import Person


@dataclass(frozen=True)
class Reminder:
    key: str
    """``<deadline>|<person>``: unique."""
    kind: str
    recipient: str
    audience: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanWindow:
    appraisal_id: str
    nip: str
    period: str
    status: str
    due_on: dt.date | None
    pejabat_penilai: str | None


def in_window(today: dt.date, due: dt.date, lead_days: int) -> bool:
    """From ``lead_days`` before the deadline up to the deadline itself."""
    return due - dt.timedelta(days=lead_days) <= today <= due


def _people_list(people: Iterable[Person]) -> list[dict[str, str]]:
    return [{"nip": p.nip, "name": p.name or p.nip} for p in sorted(people, key=lambda p: p.nip)]


def skp_reminders(
    today: dt.date, year: int, due: dt.date, people: Iterable[Person], skp_status: Mapping[str, str], lead_days: int
) -> list[Reminder]:
    """``skp_status``: NIP -> the status of their newest SKP of ``year`` (submitted, returned, approved)."""
    if not in_window(today, due, lead_days):
        return []
    deadline = f"skp_due:{year}"
    found: list[Reminder] = []
    waiting: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        status = skp_status.get(person.nip)
        if not person.active or status == "approved" or not person.pejabat_penilai:
            continue
        if status == "submitted":
            waiting[person.pejabat_penilai].append(person)
        else:
            data = {"year": year, "due": due.isoformat(), "status": status or "none"}
            found.append(Reminder(f"{deadline}|{person.nip}", "reminder.skp_due", person.nip, "employee", data))
    for appraiser, employees in sorted(waiting.items()):
        data = {"year": year, "due": due.isoformat(), "count": len(employees), "employees": _people_list(employees)}
        found.append(
            Reminder(
                f"skp_approval_due:{year}|{appraiser}", "reminder.skp_approval_due", appraiser, "pejabat_penilai", data
            )
        )
    return found


def evaluation_reminders(
    today: dt.date,
    due_by_period: Mapping[str, dt.date],
    people: Iterable[Person],
    approved: set[str],
    completed: set[tuple[str, str]],
    lead_days: int,
) -> list[Reminder]:
    """``approved``: NIPs with an approved SKP for the year; ``completed``: (NIP, period) with a final result."""
    everyone = [p for p in people if p.active and p.nip in approved and p.pejabat_penilai]
    found: list[Reminder] = []
    for period, due in sorted(due_by_period.items()):
        if not in_window(today, due, lead_days):
            continue
        waiting: dict[str, list[Person]] = defaultdict(list)
        for person in everyone:
            if (person.nip, period) not in completed and person.pejabat_penilai:
                waiting[person.pejabat_penilai].append(person)
        for appraiser, employees in sorted(waiting.items()):
            data = {
                "period": period,
                "due": due.isoformat(),
                "count": len(employees),
                "employees": _people_list(employees),
            }
            key = f"evaluation_due:{period}|{appraiser}"
            found.append(Reminder(key, "reminder.evaluation_due", appraiser, "pejabat_penilai", data))
    return found


def plan_reminders(
    today: dt.date, plans: Iterable[PlanWindow], names: Mapping[str, str], lead_days: int
) -> list[Reminder]:
    found: list[Reminder] = []
    for plan in plans:
        if plan.status not in ("awaiting_input", "active") or plan.due_on is None or not plan.pejabat_penilai:
            continue
        if not in_window(today, plan.due_on, lead_days):
            continue
        data = {
            "appraisal_id": plan.appraisal_id,
            "nip": plan.nip,
            "employee_name": names.get(plan.nip, plan.nip),
            "period": plan.period,
            "status": plan.status,
            "due": plan.due_on.isoformat(),
        }
        key = f"plan_due:{plan.appraisal_id}|{plan.pejabat_penilai}"
        found.append(Reminder(key, "reminder.plan_due", plan.pejabat_penilai, "pejabat_penilai", data))
    return found


def jp_reminders(
    today: dt.date,
    people: Iterable[Person],
    jp_earned: Mapping[str, float],
    obligation: float,
    share: float,
    window_days: int,
) -> list[Reminder]:
    """From 1 July for ``window_days``: whoever earned less than ``share`` of ``obligation`` this year."""
    midyear = dt.date(today.year, 7, 1)
    if not midyear <= today <= midyear + dt.timedelta(days=window_days):
        return []
    expected = obligation * share
    deadline = f"jp_midyear:{today.year}"
    found: list[Reminder] = []
    behind: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        earned = jp_earned.get(person.nip, 0.0)
        if not person.active or earned >= expected:
            continue
        data = {"year": today.year, "jp_earned": earned, "jp_expected": expected, "jp_obligation": obligation}
        found.append(Reminder(f"{deadline}|{person.nip}", "training.jp_behind", person.nip, "employee", data))
        if person.pejabat_penilai:
            behind[person.pejabat_penilai].append(person)
    for appraiser, employees in sorted(behind.items()):
        summary: dict[str, Any] = {
            "year": today.year,
            "jp_expected": expected,
            "jp_obligation": obligation,
            "count": len(employees),
            "employees": _people_list(employees),
        }
        found.append(Reminder(f"{deadline}|{appraiser}", "training.jp_behind", appraiser, "pejabat_penilai", summary))
    return found
