"""Which document each event leaves in the read models, and which summaries it makes stale.

Every read model is a set of documents, one per thing (an employee, an SKP, an appraisal, ...), each
with an ``order``: a string that sorts as the events of that thing happened. A document is replaced
only by one with a higher ``order`` (``shared.mongo.store_newest``), so an event applied twice, or
arriving after a newer one, changes nothing: the read models are idempotent and tolerate any
arrival order across topics.

The order of a thing is, by what its events carry:
- a version or revision the producer counts (employee version, appraisal revision, year and OPD-year
  configuration version): higher wins;
- a rank of its life-cycle step, then the time it happened (an objection is filed, then decided; a
  recommendation is made, then withdrawn; an enrolment is made, then completed): a later step wins
  whatever order the topics deliver them in;
- for steps that repeat (an SKP submitted, returned, submitted again, approved; a development plan
  opened, recorded, recorded again), the time the producer stamped on the event (``occurred_at``, to
  the microsecond, then the event id).

Each event's document carries what the views need in that state: a withdrawn recommendation or low
score needs nothing but its status, since the views leave it out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date
from enum import StrEnum
from typing import Any

from shared.clock import local_day
from shared.events import (
    AppraisalCompleted,
    DevelopmentPlanChanged,
    EmployeeRegistered,
    EmployeeUpdated,
    Event,
    IndicatorResult,
    LowScoreFlagged,
    LowScoreWithdrawn,
    NotificationDelivered,
    NotificationFailed,
    NotificationRead,
    ObjectionDecided,
    ObjectionFiled,
    OrganisationYearUpdated,
    PerformanceYearConfigured,
    SkpApproved,
    SkpReturned,
    SkpSubmitted,
    TrainingCompleted,
    TrainingEnrolled,
    TrainingRecommendationWithdrawn,
    TrainingRecommended,
)

Document = dict[str, Any]

MAX_INDICATORS = 60
"""Indicators kept per appraisal (an SKP has a handful of RHK with a few indicators each)."""
MAX_LIST = 20
"""Items kept of any other list an event carries (BerAKHLAK values, a year's periods, actions)."""
MAX_JP = 1_000.0
"""JP kept of one training (the longest classical programmes are a few hundred JP)."""
MAX_TEXT = 300
"""Characters kept of a free text shown in a view (an RHK, an indicator, a cause)."""


class Model(StrEnum):
    """The read models (collections) facts go to."""

    PEOPLE = "people"
    YEARS = "years"
    ORG_YEARS = "org_years"
    SKPS = "skps"
    SKP_APPROVALS = "skp_approvals"
    APPRAISALS = "appraisals"
    FLAGS = "flags"
    PLANS = "plans"
    OBJECTIONS = "objections"
    RECOMMENDATIONS = "recommendations"
    ENROLMENTS = "enrolments"
    MESSAGES = "messages"


NEEDS_OPD = frozenset({Model.RECOMMENDATIONS, Model.ENROLMENTS, Model.MESSAGES})
"""Models whose events name only the employee: stored with the OPD the employee is in when they are
applied (``services.apply``), and counted there."""


@dataclass(frozen=True)
class Fact:
    """One document for one read model; ``document["order"]`` decides which of two facts about the same
    ``_id`` stands."""

    model: Model
    document: Document = field(hash=False)

    @property
    def key(self) -> tuple[Model, str]:
        return self.model, str(self.document["_id"])

    @property
    def order(self) -> str:
        return str(self.document["order"])


def counted(value: int) -> str:
    """The order of a thing whose producer counts its versions or revisions."""
    return f"{value:012d}"


def stamped(event: Event, rank: int = 0) -> str:
    """The order of a thing by life-cycle ``rank``, then the time of the event, then its id."""
    at = event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return f"{rank}|{at}|{event.event_id}"


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def clip(text: str | None, limit: int = MAX_TEXT) -> str | None:
    return None if text is None else text[:limit]


def year_of(period: str) -> int:
    return int(period[:4])


def _base(event: Event, order: str, _id: str) -> Document:
    return {"_id": _id, "order": order, "event_at": event.occurred_at}


def _person(event: EmployeeRegistered | EmployeeUpdated) -> list[Fact]:
    p = event.payload
    doc = _base(event, counted(p.version), p.nip) | {
        "name": clip(p.name),
        "active": p.active,
        "employee_type": p.employee_type.value,
        "position_type": p.position_type.value,
        "position_title": clip(p.position_title),
        "opd_code": p.opd_code,
        "unit_code": p.unit_code,
        "pejabat_penilai_nip": p.pejabat_penilai_nip,
        "contract_start": iso(p.contract_start),
        "version": p.version,
    }
    return [Fact(Model.PEOPLE, doc)]


def _year(event: PerformanceYearConfigured) -> list[Fact]:
    p = event.payload
    doc = _base(event, counted(p.version), str(p.year)) | {
        "year": p.year,
        "frequency": p.frequency,
        "periods": [clip(period, 10) for period in p.periods[:MAX_LIST]],
        "skp_due": iso(p.skp_due),
        "evaluation_due": {
            clip(period, 10): due.isoformat() for period, due in list(p.evaluation_due.items())[:MAX_LIST]
        },
        "deadline_enforcement": p.deadline_enforcement,
    }
    return [Fact(Model.YEARS, doc)]


def _org_year(event: OrganisationYearUpdated) -> list[Fact]:
    p = event.payload
    doc = _base(event, counted(p.version), f"{p.opd_code}:{p.year}") | {
        "opd_code": p.opd_code,
        "year": p.year,
        "predikat": p.predikat.value if p.predikat else None,
        "closed": p.closed,
    }
    return [Fact(Model.ORG_YEARS, doc)]


def _skp(event: SkpSubmitted | SkpReturned | SkpApproved) -> list[Fact]:
    p = event.payload
    status = {SkpSubmitted: "submitted", SkpReturned: "returned", SkpApproved: "approved"}[type(event)]
    doc = _base(event, stamped(event), p.skp_id) | {
        "nip": p.nip,
        "year": p.year,
        "opd_code": p.opd_code,
        "unit_code": p.unit_code,
        "pejabat_penilai_nip": p.pejabat_penilai_nip,
        "status": status,
        "revision": p.revision,
        "valid_from": iso(p.valid_from),
        "valid_to": iso(p.valid_to),
        "due": iso(p.due),
        "late": p.late,
    }
    facts = [Fact(Model.SKPS, doc)]
    if isinstance(event, SkpApproved):
        # the first approval is what the deadline asks for; a later revision is approved again
        first = {key: doc[key] for key in ("nip", "year", "opd_code", "due", "late", "event_at")}
        order = counted(10**11 - p.revision)  # the lowest revision approved stands
        facts.append(Fact(Model.SKP_APPROVALS, first | {"_id": p.skp_id, "order": order, "revision": p.revision}))
    return facts


def _indicator(result: IndicatorResult) -> Document:
    return {
        "rhk": clip(result.rhk_text),
        "indicator_id": result.indicator_id,
        "indicator": clip(result.indicator_text),
        "target": clip(result.target, 40),
        "realisation": clip(result.realisation, 40),
        "unit": clip(result.unit, 40),
        "achievement_pct": result.achievement_pct,
        "rating": result.rating.value if result.rating else None,
    }


def _appraisal(event: AppraisalCompleted) -> list[Fact]:
    p = event.payload
    doc = _base(event, counted(p.revision), p.appraisal_id) | {
        "nip": p.nip,
        "opd_code": p.opd_code,
        "unit_code": p.unit_code,
        "period": p.period,
        "year": year_of(p.period),
        "annual": len(p.period) == 4,
        "revision": p.revision,
        "predikat": p.predikat.value,
        "hasil_kerja": p.hasil_kerja.value,
        "perilaku_kerja": p.perilaku_kerja.value,
        "pejabat_penilai_nip": p.pejabat_penilai_nip,
        "employee_type": p.employee_type.value if p.employee_type else None,
        "due": iso(p.due),
        "late": p.late,
        "indicators": [_indicator(i) for i in p.indicators[:MAX_INDICATORS]],
        "behaviours": [{"value": b.value.value, "rating": b.rating.value} for b in p.behaviours[:MAX_LIST]],
    }
    return [Fact(Model.APPRAISALS, doc)]


def _flag(event: LowScoreFlagged | LowScoreWithdrawn) -> list[Fact]:
    p = event.payload
    doc = _base(event, counted(p.revision), p.appraisal_id) | {
        "nip": p.nip,
        "opd_code": p.opd_code,
        "period": p.period,
        "year": year_of(p.period),
        "predikat": p.predikat.value,
    }
    if isinstance(event, LowScoreWithdrawn):
        return [Fact(Model.FLAGS, doc | {"status": "withdrawn"})]
    flagged = event.payload
    return [
        Fact(
            Model.FLAGS,
            doc
            | {
                "status": "flagged",
                "unit_code": flagged.unit_code,
                "escalated": flagged.escalated_to_bkpsdm,
                "improvement_due": iso(flagged.improvement_due),
                "weak_indicators": [_indicator(i) for i in flagged.weak_indicators[:MAX_INDICATORS]],
                "weak_behaviours": [b.value.value for b in flagged.weak_behaviours[:MAX_LIST]],
            },
        )
    ]


def _plan(event: DevelopmentPlanChanged) -> list[Fact]:
    p = event.payload
    doc = _base(event, stamped(event), p.appraisal_id) | {
        "nip": p.nip,
        "opd_code": p.opd_code,
        "period": p.period,
        "year": year_of(p.period),
        "status": p.status,
        "cause": clip(p.cause),
        "actions": [clip(a, 40) for a in p.actions[:MAX_LIST]],
        "due_on": iso(p.due_on),
        "escalated": p.escalated,
        "pejabat_penilai_nip": p.pejabat_penilai_nip,
    }
    return [Fact(Model.PLANS, doc)]


def _objection(event: ObjectionFiled | ObjectionDecided) -> list[Fact]:
    p = event.payload
    rank = 2 if isinstance(event, ObjectionDecided) else 1
    doc = _base(event, stamped(event, rank), p.appraisal_id) | {
        "nip": p.nip,
        "opd_code": p.opd_code,
        "period": p.period,
        "year": year_of(p.period),
        "pejabat_penilai_nip": p.pejabat_penilai_nip,
    }
    if isinstance(event, ObjectionDecided):
        doc |= {"status": "decided", "decision": event.payload.decision}
    else:
        filed = event.payload
        doc |= {
            "status": "filed",
            "decision_due": iso(filed.decision_due),
            "atasan_nip": filed.atasan_pejabat_penilai_nip,
        }
    return [Fact(Model.OBJECTIONS, doc)]


def _recommendation(event: TrainingRecommended | TrainingRecommendationWithdrawn) -> list[Fact]:
    p = event.payload
    if isinstance(event, TrainingRecommendationWithdrawn):
        doc = _base(event, stamped(event, 2), p.recommendation_id) | {"nip": p.nip, "status": "withdrawn"}
        return [Fact(Model.RECOMMENDATIONS, doc | {"source_appraisal_id": p.source_appraisal_id})]
    made = event.payload
    doc = _base(event, stamped(event, 1), made.recommendation_id) | {
        "nip": made.nip,
        "status": "open",
        "reason": made.reason,
        "source_appraisal_id": made.source_appraisal_id,
        "due_by": iso(made.due_by),
        "programs": [
            {"program_code": program.program_code, "title": clip(program.title), "jp": program.jp}
            for program in made.programs[:10]
        ],
    }
    return [Fact(Model.RECOMMENDATIONS, doc)]


def _enrolment(event: TrainingEnrolled | TrainingCompleted) -> list[Fact]:
    p = event.payload
    doc = _base(event, stamped(event, 2 if isinstance(event, TrainingCompleted) else 1), p.enrolment_id) | {
        "nip": p.nip,
        "program_code": p.program_code,
        "title": clip(p.title),
    }
    if isinstance(event, TrainingCompleted):
        done = event.payload
        doc |= {
            "status": "completed",
            "year": done.year,
            "jp": min(done.jp_earned, MAX_JP),
            "completed_on": iso(done.completed_on),
            "recommendation_id": done.recommendation_id,
            "external_learning": done.external_learning,
        }
    else:
        enrolled = event.payload
        doc |= {
            "status": "enrolled",
            "year": enrolled.starts_on.year,
            "jp": min(enrolled.jp_planned, MAX_JP),
            "starts_on": iso(enrolled.starts_on),
            "ends_on": iso(enrolled.ends_on),
            "recommendation_id": enrolled.recommendation_id,
        }
    return [Fact(Model.ENROLMENTS, doc)]


def _message(event: NotificationDelivered | NotificationFailed | NotificationRead) -> list[Fact]:
    p = event.payload
    if isinstance(event, NotificationRead):
        channel, status, rank = "inbox", "read", 3
    elif isinstance(event, NotificationDelivered):
        channel, status, rank = event.payload.channel, "delivered", 2
    else:
        final = not event.payload.will_retry
        channel, status, rank = event.payload.channel, ("failed" if final else "retrying"), (2 if final else 1)
    doc = _base(event, stamped(event, rank), f"{p.notification_id}:{channel}") | {
        "nip": p.nip,
        "channel": channel,
        "status": status,
        "kind": clip(p.kind, 80),
        "year": local_day(event.occurred_at).year,  # the year in Palembang, as every other date
    }
    return [Fact(Model.MESSAGES, doc)]


FACTS: dict[type[Event], Callable[[Any], list[Fact]]] = {
    EmployeeRegistered: _person,
    EmployeeUpdated: _person,
    PerformanceYearConfigured: _year,
    OrganisationYearUpdated: _org_year,
    SkpSubmitted: _skp,
    SkpReturned: _skp,
    SkpApproved: _skp,
    AppraisalCompleted: _appraisal,
    LowScoreFlagged: _flag,
    LowScoreWithdrawn: _flag,
    DevelopmentPlanChanged: _plan,
    ObjectionFiled: _objection,
    ObjectionDecided: _objection,
    TrainingRecommended: _recommendation,
    TrainingRecommendationWithdrawn: _recommendation,
    TrainingEnrolled: _enrolment,
    TrainingCompleted: _enrolment,
    NotificationDelivered: _message,
    NotificationFailed: _message,
    NotificationRead: _message,
}
"""Every event the reporting service reads, with the facts it leaves."""


OPD_CODE = re.compile(r"^[A-Z0-9_-]{2,32}$")
"""An OPD code as the APIs accept it (the event contracts do not bound it)."""


class InvalidEvent(ValueError):
    """An event the contract accepts but the read models cannot hold (an OPD code no view could name)."""


def facts_of(event: Event) -> list[Fact]:
    """The facts ``event`` leaves; ``InvalidEvent`` when it names an OPD code no API accepts."""
    facts = FACTS[type(event)](event)
    for fact in facts:
        opd = fact.document.get("opd_code")
        if opd is not None and not OPD_CODE.fullmatch(opd):
            raise InvalidEvent(f"{event.event_type} {event.event_id}: OPD code {opd[:40]!r} is not valid")
    return facts


def newest(facts: Iterable[Fact]) -> list[Fact]:
    """One fact per model and ``_id``: the one with the highest order (a batch may carry several events
    of one thing, in any order). First-seen order is kept."""
    kept: dict[tuple[Model, str], Fact] = {}
    for fact in facts:
        current = kept.get(fact.key)
        if current is None or fact.order > current.order:
            kept[fact.key] = fact
    return list(kept.values())


def marks_of(fact: Fact, known_years: Iterable[int] = ()) -> set[str]:
    """The summaries a fact makes stale (see ``domain.summaries``): ``dist:<opd>:<period>``,
    ``year:<opd>:<year>`` and ``city:<year>``. A person's change marks the years known for their OPD
    (the caller adds the OPD they left); a fact that names only the employee marks the OPD the caller
    placed it in (``opd_code``; none while the employee is unknown)."""
    doc = fact.document
    if fact.model is Model.PEOPLE:
        return {f"year:{doc['opd_code']}:{year}" for year in known_years}
    if fact.model in (Model.YEARS, Model.ORG_YEARS):
        return set()  # read as they are by the views
    if fact.model in (Model.APPRAISALS, Model.FLAGS):
        marks = {f"dist:{doc['opd_code']}:{doc['period']}"}
        if fact.model is Model.APPRAISALS:
            marks.add(f"city:{doc['year']}")
        return marks
    if fact.model is Model.RECOMMENDATIONS:
        return {f"city:{local_day(doc['event_at']).year}"}
    owner = doc.get("opd_code")
    marks = {f"year:{owner}:{doc['year']}"} if owner else set()
    if fact.model is Model.ENROLMENTS:
        marks.add(f"city:{doc['year']}")
    return marks
