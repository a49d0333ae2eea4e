"""Who hears what: the table of (event type, condition) -> (kind, recipients, task open/close), and the
plan it gives for one event.

Every recipient is found from the event and the local copy of the registry (``employee.*`` events):
the employee is the event's NIP; the pejabat penilai and the atasan come from the event when it names
them, else from the copy. The PPK (the Wali Kota, no NIP) is the recipient ``PPK``: the inbox of the
principal whose subject is ``PPK``. The BKPSDM and an OPD's admins are group inboxes
(``group:bkpsdm``, ``group:opd:<code>``), read by every holder of that role (``audiences``).

Exactly one message per (event, recipient, kind): the message id is made of the record, the kind, the
recipient and either the record's revision (events that carry one: a producer re-sending an older
revision under a new event id is dropped, see ``Rule.family``) or the event id.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shared.events import (
    NIP_PATTERN,
    AppraisalCompleted,
    DevelopmentPlanChanged,
    Event,
    LowScoreFlagged,
    ObjectionDecided,
    ObjectionFiled,
    SkpApproved,
    SkpReturned,
    SkpSubmitted,
    TrainingCompleted,
    TrainingEnrolled,
    TrainingRecommended,
)

BKPSDM_GROUP = "group:bkpsdm"
NIP = re.compile(NIP_PATTERN)


def is_nip(recipient: str) -> bool:
    """A person with a NIP (not the PPK, not a group inbox): the key of the delivery events."""
    return bool(NIP.fullmatch(recipient))


def opd_admin_group(opd_code: str) -> str:
    return f"group:opd:{opd_code}"


def audiences(nip: str, roles: frozenset[str], opd_code: str | None) -> list[str]:
    """The inboxes a principal reads: their own, and the group inboxes of their roles."""
    found = [nip]
    if "admin_bkpsdm" in roles:
        found.append(BKPSDM_GROUP)
    if "admin_opd" in roles and opd_code:
        found.append(opd_admin_group(opd_code))
    return found


class Audience(StrEnum):
    EMPLOYEE = "employee"
    PEJABAT_PENILAI = "pejabat_penilai"
    ATASAN = "atasan"
    BKPSDM = "bkpsdm"
    OPD_ADMIN = "opd_admin"


class TaskAction(StrEnum):
    OPEN = "open"
    CLOSE = "close"


@dataclass(frozen=True)
class TaskRule:
    name: str
    action: TaskAction


@dataclass(frozen=True)
class Fact:
    """One event, as the rules read it."""

    event_type: str
    event_id: str
    occurred_at: dt.datetime
    nip: str
    opd_code: str
    record: str
    """The record the event is about: ``skp:<id>``, ``appraisal:<id>``, ``enrolment:<id>`` ..."""
    revision: int | None
    """The record's revision, for events that carry one (the highest seen wins); None: dedup by event id."""
    pejabat_penilai: str | None
    atasan: str | None
    data: Mapping[str, Any]
    """The payload, as JSON values: the facts the templates show."""


@dataclass(frozen=True)
class Person:
    """What the local copy of the registry knows about someone."""

    nip: str
    name: str | None = None
    email: str | None = None
    opd_code: str | None = None
    pejabat_penilai: str | None = None
    atasan: str | None = None
    active: bool = True


Condition = Callable[[Fact], bool]


def _always(fact: Fact) -> bool:
    return True


def _first_result(fact: Fact) -> bool:
    return (fact.revision or 1) == 1


def _revised_result(fact: Fact) -> bool:
    return (fact.revision or 1) > 1


def _plan_awaiting_input(fact: Fact) -> bool:
    return bool(fact.data.get("status") == "awaiting_input")


def _plan_recorded(fact: Fact) -> bool:
    return bool(fact.data.get("status") == "active")


def _plan_withdrawn(fact: Fact) -> bool:
    return bool(fact.data.get("status") == "withdrawn")


def _upheld(fact: Fact) -> bool:
    return bool(fact.data.get("decision") == "upheld")


def _rejected(fact: Fact) -> bool:
    return bool(fact.data.get("decision") == "rejected")


def _escalated(fact: Fact) -> bool:
    return bool(fact.data.get("escalated_to_bkpsdm"))


CONDITIONS: Mapping[str, Condition] = {
    "always": _always,
    "first_result": _first_result,
    "revised_result": _revised_result,
    "plan_awaiting_input": _plan_awaiting_input,
    "plan_recorded": _plan_recorded,
    "plan_withdrawn": _plan_withdrawn,
    "upheld": _upheld,
    "rejected": _rejected,
    "escalated": _escalated,
}


@dataclass(frozen=True)
class Rule:
    event_type: str
    condition: str
    kind: str | None
    """The message; None when the event only closes a task."""
    audiences: tuple[Audience, ...] = ()
    task: TaskRule | None = None
    family: str | None = None
    """Messages of one family about one record (e.g. a result and its revisions) keep the highest revision
    seen per recipient: an older revision arriving later, under any event id, is dropped."""

    def applies(self, fact: Fact) -> bool:
        return fact.event_type == self.event_type and CONDITIONS[self.condition](fact)


E, PP, AT = Audience.EMPLOYEE, Audience.PEJABAT_PENILAI, Audience.ATASAN
OPEN, CLOSE = TaskAction.OPEN, TaskAction.CLOSE
SKP_APPROVAL = "skp_approval"
PLAN_INPUT = "plan_input"
OBJECTION_DECISION = "objection_decision"

RULES: tuple[Rule, ...] = (
    Rule("skp.submitted", "always", "skp.awaiting_approval", (PP,), TaskRule(SKP_APPROVAL, OPEN)),
    Rule("skp.returned", "always", "skp.returned", (E,), TaskRule(SKP_APPROVAL, CLOSE)),
    Rule("skp.approved", "always", "skp.approved", (E,), TaskRule(SKP_APPROVAL, CLOSE), family="skp.approved"),
    Rule("appraisal.completed", "first_result", "appraisal.final", (E,), family="appraisal.result"),
    Rule("appraisal.completed", "revised_result", "appraisal.revised", (E, PP), family="appraisal.result"),
    Rule(
        "appraisal.development_plan_changed",
        "plan_awaiting_input",
        "plan.awaiting_input",
        (PP,),
        TaskRule(PLAN_INPUT, OPEN),
    ),
    Rule("appraisal.development_plan_changed", "plan_awaiting_input", "plan.opened", (E,)),
    Rule("appraisal.development_plan_changed", "plan_recorded", "plan.recorded", (E,), TaskRule(PLAN_INPUT, CLOSE)),
    Rule("appraisal.development_plan_changed", "plan_withdrawn", None, (), TaskRule(PLAN_INPUT, CLOSE)),
    Rule(
        "appraisal.objection_filed",
        "always",
        "objection.awaiting_decision",
        (AT,),
        TaskRule(OBJECTION_DECISION, OPEN),
    ),
    Rule(
        "appraisal.objection_decided",
        "upheld",
        "objection.upheld",
        (E, PP),
        TaskRule(OBJECTION_DECISION, CLOSE),
        family="objection.decision",
    ),
    Rule(
        "appraisal.objection_decided",
        "rejected",
        "objection.rejected",
        (E, PP),
        TaskRule(OBJECTION_DECISION, CLOSE),
        family="objection.decision",
    ),
    Rule(
        "appraisal.low_score_flagged",
        "escalated",
        "escalation",
        (Audience.BKPSDM, Audience.OPD_ADMIN),
        family="escalation",
    ),
    Rule("training.recommended", "always", "training.recommended", (E, PP)),
    Rule("training.enrolled", "always", "training.enrolled", (E, PP)),
    Rule("training.completed", "always", "training.completed", (E, PP)),
)
"""Who hears what (README, notification kinds). Deadline reminders and the JP projection come from the
reminder job (``deadlines``), not from an event."""

REMINDER_KINDS = ("reminder.skp_due", "reminder.skp_approval_due", "reminder.evaluation_due", "reminder.plan_due")
JP_BEHIND = "training.jp_behind"
KINDS: tuple[str, ...] = tuple(
    dict.fromkeys([*(r.kind for r in RULES if r.kind is not None), *REMINDER_KINDS, JP_BEHIND])
)
"""Every notification kind (one template per kind and channel)."""
TASK_KINDS = frozenset(r.kind for r in RULES if r.kind is not None and r.task and r.task.action is TaskAction.OPEN)


@dataclass(frozen=True)
class Notice:
    """One message for one recipient."""

    notification_id: str
    kind: str
    recipient: str
    audience: Audience
    record: str
    family: str | None = None
    revision: int | None = None
    task: str | None = None
    """The task this message opens (its key), if any."""


@dataclass(frozen=True)
class TaskChange:
    key: str
    action: TaskAction
    at: dt.datetime
    recipient: str | None = None
    notification_id: str | None = None


@dataclass(frozen=True)
class Plan:
    notices: tuple[Notice, ...] = ()
    tasks: tuple[TaskChange, ...] = field(default=())


def task_key(name: str, record: str) -> str:
    return f"{name}|{record}"


def notification_id(kind: str, record: str, token: str, recipient: str) -> str:
    return f"{kind}|{record}|{token}|{recipient}"


def recipients_of(audience: Audience, fact: Fact, employee: Person | None) -> list[str]:
    """Who ``audience`` is for this event (none when nobody is known: no appraiser linked yet)."""
    if audience is Audience.EMPLOYEE:
        return [fact.nip]
    if audience is Audience.PEJABAT_PENILAI:
        found = fact.pejabat_penilai or (employee.pejabat_penilai if employee else None)
        return [found] if found else []
    if audience is Audience.ATASAN:
        found = fact.atasan or (employee.atasan if employee else None)
        return [found] if found else []
    if audience is Audience.BKPSDM:
        return [BKPSDM_GROUP]
    return [opd_admin_group(fact.opd_code)]


def plan(fact: Fact, employee: Person | None) -> Plan:
    """The messages and task changes one event causes."""
    notices: list[Notice] = []
    tasks: list[TaskChange] = []
    for rule in RULES:
        if not rule.applies(fact):
            continue
        token = f"r{fact.revision}" if rule.family and fact.revision is not None else fact.event_id
        key = task_key(rule.task.name, fact.record) if rule.task else None
        seen: set[str] = set()
        for audience in rule.audiences:
            for recipient in recipients_of(audience, fact, employee):
                if recipient in seen or rule.kind is None:
                    continue
                seen.add(recipient)
                nid = notification_id(rule.kind, fact.record, token, recipient)
                opens = key if rule.task and rule.task.action is TaskAction.OPEN else None
                notices.append(
                    Notice(nid, rule.kind, recipient, audience, fact.record, rule.family, fact.revision, opens)
                )
                if opens:
                    tasks.append(TaskChange(opens, TaskAction.OPEN, fact.occurred_at, recipient, nid))
        if rule.task and rule.task.action is TaskAction.CLOSE and key:
            tasks.append(TaskChange(key, TaskAction.CLOSE, fact.occurred_at))
    return Plan(tuple(notices), tuple(tasks))


def fact_of(event: Event) -> Fact:
    """The rules' reading of an event this service consumes."""
    p = event.payload
    data: dict[str, Any] = p.model_dump(mode="json")
    record: str
    revision: int | None = None
    atasan: str | None = None
    pejabat_penilai: str | None = getattr(p, "pejabat_penilai_nip", None)
    opd_code: str = getattr(p, "opd_code", "") or ""
    if isinstance(event, SkpSubmitted | SkpReturned | SkpApproved):
        record = f"skp:{p.skp_id}"
        revision = p.revision if isinstance(event, SkpApproved) else None
    elif isinstance(event, AppraisalCompleted | LowScoreFlagged | ObjectionDecided):
        record, revision = f"appraisal:{p.appraisal_id}", p.revision
    elif isinstance(event, ObjectionFiled):
        record, atasan = f"appraisal:{p.appraisal_id}", p.atasan_pejabat_penilai_nip
    elif isinstance(event, DevelopmentPlanChanged):
        record = f"appraisal:{p.appraisal_id}"
    elif isinstance(event, TrainingRecommended):
        record = f"recommendation:{p.recommendation_id}"
    elif isinstance(event, TrainingEnrolled | TrainingCompleted):
        record = f"enrolment:{p.enrolment_id}"
    else:
        raise TypeError(f"no notification rule reads {event.event_type}")
    return Fact(
        event_type=event.event_type,
        event_id=str(event.event_id),
        occurred_at=event.occurred_at,
        nip=p.nip,
        opd_code=opd_code,
        record=record,
        revision=revision,
        pejabat_penilai=pejabat_penilai,
        atasan=atasan,
        data=data,
    )
