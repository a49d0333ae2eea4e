"""The figures of the OPD and city views, computed from the read models' documents.

A summary is recomputed whole from the documents it stands on whenever one of them changes (never
counted up and down), so a redelivered or reordered event cannot skew it:
- ``dist:<opd>:<period>``: the predikat distribution of one OPD in one period, evaluations on time,
  and the low-score hotspots (by unit, by indicator, by BerAKHLAK value) and escalations;
- ``year:<opd>:<year>``: the OPD's people, SKP adoption (approved, approved by the deadline), JP
  compliance, inbox messages read, open development plans and pending objections;
- ``city:<year>``: training effectiveness per programme and per need kind.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shared.effectiveness import Completion, Effect, Result, by_need_kind, by_programme
from shared.events import EmployeeType, OrgPredikat, Predikat
from shared.regulation import DISTRIBUTION_2022, JP_CAPS, JP_OBLIGATIONS, check_distribution, contract_year

Document = dict[str, Any]

HOTSPOT_ROWS = 20
"""Indicators (and units) listed as hotspots, most low results first."""

LOW = frozenset({Predikat.BUTUH_PERBAIKAN, Predikat.KURANG_MISCONDUCT, Predikat.SANGAT_KURANG})


def share(part: int, whole: int) -> float | None:
    """``part / whole`` to four places; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def predikat_counts(predikats: Iterable[str]) -> dict[str, int]:
    """Count per predikat, every predikat present (0 when absent); unknown values ignored."""
    found = Counter(predikats)
    return {p.value: found.get(p.value, 0) for p in Predikat}


def distribution(appraisals: Sequence[Document], flags: Sequence[Document]) -> Document:
    """One OPD's period: ``appraisals`` are its documents (the newest revision each), ``flags`` its
    low-score documents (withdrawn ones are left out here)."""
    flagged = [f for f in flags if f.get("status") == "flagged"]
    by_unit = Counter(f.get("unit_code") or "-" for f in flagged)
    by_indicator: Counter[tuple[str, str]] = Counter()
    for flag in flagged:
        seen = set()
        for indicator in flag.get("weak_indicators", []):
            key = (indicator.get("indicator") or indicator.get("indicator_id") or "-", indicator.get("rhk") or "")
            if key not in seen:  # an employee counts once per indicator
                seen.add(key)
                by_indicator[key] += 1
    by_behaviour = Counter(value for flag in flagged for value in set(flag.get("weak_behaviours", [])))
    due_known = [a for a in appraisals if a.get("due")]
    return {
        "total": len(appraisals),
        "counts": predikat_counts(a["predikat"] for a in appraisals),
        "with_due": len(due_known),
        "on_time": sum(1 for a in due_known if not a.get("late")),
        "late": sum(1 for a in appraisals if a.get("late")),
        "low": len(flagged),
        "escalated": sum(1 for f in flagged if f.get("escalated")),
        "low_by_unit": [{"unit_code": unit, "low": n} for unit, n in by_unit.most_common(HOTSPOT_ROWS)],
        "low_by_indicator": [
            {"indicator": indicator, "rhk": rhk, "low": n}
            for (indicator, rhk), n in sorted(by_indicator.items(), key=lambda item: (-item[1], item[0]))[:HOTSPOT_ROWS]
        ],
        "low_by_behaviour": [{"value": value, "low": n} for value, n in sorted(by_behaviour.items())],
    }


def curve(org_predikat: str | None, counts: Mapping[str, int]) -> Document:
    """The distribution against the curve of the OPD's organisation predikat (PermenPANRB 6/2022 pola
    distribusi, ``shared.regulation``): the rules broken, and the warning-only ones not met. Without an
    organisation predikat there is no curve to hold it against."""
    if org_predikat is None:
        return {"organisation_predikat": None, "pattern": None, "violations": [], "warnings": []}
    by_predikat = {Predikat(k): v for k, v in counts.items()}
    org = OrgPredikat(org_predikat)

    def rows(warnings: bool) -> list[Document]:
        return [
            {"rule": v.rule, "count": v.actual_count, "share": v.actual_share}
            for v in check_distribution(org, by_predikat, warnings=warnings)
        ]

    return {
        "organisation_predikat": org.value,
        "pattern": DISTRIBUTION_2022.version,
        "violations": rows(False),
        "warnings": rows(True),
    }


def jp_compliance(people: Sequence[Document], completions: Sequence[Document], year: int, today: dt.date) -> Document:
    """JP compliance of ``people`` (active employees) in ``year``, from their completed trainings:
    a PNS meets the yearly minimum (PP 11/2017 jo. PP 17/2020 Pasal 203); a PPPK stays within the cap
    of the contract year that holds ``min(today, 31 December)`` (from the contract start, or the
    calendar year when the registry does not know it)."""
    minimum = JP_OBLIGATIONS[EmployeeType.PNS].minimum_jp_per_year
    cap = JP_CAPS[EmployeeType.PPPK].maximum_jp
    on = min(today, dt.date(year, 12, 31))
    by_nip: dict[str, list[Document]] = {}
    for completion in completions:
        by_nip.setdefault(completion["nip"], []).append(completion)
    pns = pns_met = pppk = pppk_within = pppk_any = 0
    for person in people:
        own = by_nip.get(person["_id"], [])
        if person.get("employee_type") == EmployeeType.PPPK.value:
            pppk += 1
            start = person.get("contract_start")
            if start:
                first, last = contract_year(dt.date.fromisoformat(start), on)
                window = [c for c in own if first.isoformat() <= (c.get("completed_on") or "") <= last.isoformat()]
            else:
                window = [c for c in own if c.get("year") == year]
            used = sum(float(c.get("jp") or 0) for c in window)
            pppk_within += used <= cap
            pppk_any += used > 0
        else:
            pns += 1
            pns_met += sum(float(c.get("jp") or 0) for c in own if c.get("year") == year) >= minimum
    return {
        "minimum_jp": minimum,
        "pppk_cap_jp": cap,
        "pns": pns,
        "pns_met": pns_met,
        "pns_met_share": share(pns_met, pns),
        "pppk": pppk,
        "pppk_within_cap": pppk_within,
        "pppk_with_training": pppk_any,
    }


def jp_of(completions: Iterable[Document], year: int) -> float:
    """JP earned in ``year`` from completed trainings."""
    return round(sum(float(c.get("jp") or 0) for c in completions if c.get("year") == year), 2)


def skp_adoption(people: Sequence[Document], approvals: Sequence[Document], skps: Sequence[Document]) -> Document:
    """SKP of the year per active employee: approved at all, approved by the deadline (the first approval
    was not late), waiting for the pejabat penilai, returned, or not submitted."""
    active = {p["_id"] for p in people}
    approved = {a["nip"] for a in approvals if a["nip"] in active}
    on_time = {a["nip"] for a in approvals if a["nip"] in active and not a.get("late")}
    status: dict[str, str] = {}
    for skp in skps:
        if skp["nip"] in active and skp["nip"] not in approved:
            status[skp["nip"]] = skp["status"]
    waiting = sum(1 for s in status.values() if s == "submitted")
    returned = sum(1 for s in status.values() if s == "returned")
    return {
        "employees": len(active),
        "approved": len(approved),
        "approved_on_time": len(on_time),
        "approved_on_time_share": share(len(on_time), len(active)),
        "waiting": waiting,
        "returned": returned,
        "not_submitted": len(active) - len(approved) - waiting - returned,
    }


def year_summary(
    people: Sequence[Document],
    approvals: Sequence[Document],
    skps: Sequence[Document],
    completions: Sequence[Document],
    plans: Sequence[Document],
    objections: Sequence[Document],
    messages: Mapping[str, int],
    *,
    year: int,
    today: dt.date,
) -> Document:
    """One OPD's year. ``people`` are its active employees now; ``messages`` the counts of its inbox
    messages by status (``delivered``, ``read``) and of deliveries given up (``failed``)."""
    delivered = messages.get("delivered", 0) + messages.get("read", 0)
    open_plans = [p for p in plans if p.get("status") in ("awaiting_input", "active")]
    return {
        "employees": len(people),
        "pns": sum(1 for p in people if p.get("employee_type") != EmployeeType.PPPK.value),
        "pppk": sum(1 for p in people if p.get("employee_type") == EmployeeType.PPPK.value),
        "skp": skp_adoption(people, approvals, skps),
        "jp": jp_compliance(people, completions, year, today),
        "inbox": {
            "delivered": delivered,
            "read": messages.get("read", 0),
            "read_share": share(messages.get("read", 0), delivered),
            "failed": messages.get("failed", 0),
        },
        "plans_open": len(open_plans),
        "plans_awaiting_input": sum(1 for p in open_plans if p.get("status") == "awaiting_input"),
        "plans_escalated": sum(1 for p in open_plans if p.get("escalated")),
        "objections_pending": sum(1 for o in objections if o.get("status") == "filed"),
    }


def effect_rows(effects: Iterable[Effect]) -> list[Document]:
    return [
        {
            "key": e.key,
            "completed": e.n_completed,
            "with_later_result": e.n_with_later_result,
            "improved": e.n_improved,
            "unchanged": e.n_unchanged,
            "worsened": e.n_worsened,
            "improvement_rate": e.improvement_rate,
        }
        for e in effects
    ]


def effectiveness(
    completions: Sequence[Document],
    recommendations: Mapping[str, Document],
    baselines: Mapping[str, str],
    results: Sequence[Document],
) -> Document:
    """Did results improve after a recommended programme (``shared.effectiveness``)? ``completions``
    answer the ``recommendations`` (by id); ``baselines`` are the predikat of the appraisals that raised
    them (by appraisal id); ``results`` every appraisal of the employees concerned."""
    rows: list[Completion] = []
    for c in completions:
        recommendation = recommendations.get(c.get("recommendation_id") or "")
        if recommendation is None or not c.get("completed_on"):
            continue
        baseline = baselines.get(recommendation.get("source_appraisal_id") or "")
        rows.append(
            Completion(
                nip=c["nip"],
                program_code=c["program_code"],
                need_kind=recommendation.get("reason") or "manual",
                completed_on=dt.date.fromisoformat(c["completed_on"]),
                baseline=Predikat(baseline) if baseline else None,
            )
        )
    outcomes = [Result(r["nip"], r["period"], Predikat(r["predikat"])) for r in results]
    return {
        "by_programme": effect_rows(by_programme(rows, outcomes)),
        "by_need_kind": effect_rows(by_need_kind(rows, outcomes)),
    }


def adoption_row(opd_code: str, year_doc: Document | None, dists: Sequence[Document]) -> Document:
    """An OPD's adoption figures: SKP approved by the deadline, evaluations done on time (of those with a
    deadline), inbox messages read; ``score`` is their mean (the figures that exist)."""
    skp = (year_doc or {}).get("skp", {})
    inbox = (year_doc or {}).get("inbox", {})
    with_due = sum(d.get("with_due", 0) for d in dists)
    on_time = sum(d.get("on_time", 0) for d in dists)
    figures = {
        "skp_on_time_share": skp.get("approved_on_time_share"),
        "evaluations_on_time_share": share(on_time, with_due),
        "inbox_read_share": inbox.get("read_share"),
    }
    present = [v for v in figures.values() if v is not None]
    return {
        "opd_code": opd_code,
        "employees": (year_doc or {}).get("employees", 0),
        "skp_approved_on_time": skp.get("approved_on_time", 0),
        "evaluations_with_due": with_due,
        "evaluations_on_time": on_time,
        "inbox_delivered": inbox.get("delivered", 0),
        "inbox_read": inbox.get("read", 0),
        **figures,
        "score": round(sum(present) / len(present), 4) if present else None,
    }


def ranked(rows: Iterable[Document]) -> list[Document]:
    """Adoption rows best first (no score last), each with its ``rank`` (1-based)."""
    ordered = sorted(rows, key=lambda r: (r["score"] is None, -(r["score"] or 0), r["opd_code"]))
    return [row | {"rank": i} for i, row in enumerate(ordered, start=1)]


def add_counts(rows: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total = predikat_counts(())
    for row in rows:
        for key in total:
            total[key] += int(row.get(key, 0))
    return total


def is_empty(summary: Document) -> bool:
    """A summary with nothing in it (its documents all went away, or none held anything for it): it is
    not kept, so the summaries kept do not depend on which events marked which keys."""
    kind = summary.get("kind")
    if kind == "dist":
        return not summary["total"] and not summary["low"]
    if kind == "year":
        skp, inbox = summary["skp"], summary["inbox"]
        activity = (
            summary["employees"],
            skp["approved"],
            skp["waiting"],
            skp["returned"],
            inbox["delivered"],
            inbox["failed"],
            summary["plans_open"],
            summary["objections_pending"],
        )
        return not any(activity)
    if kind == "city":
        return not summary["by_programme"] and not summary["by_need_kind"]
    return False
