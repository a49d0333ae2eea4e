"""From events to messages: the rules' plan (``domain.routing``) stored as inbox messages, task changes
and deliveries, each exactly once (deterministic ids; a stale revision is dropped)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from notification.domain import routing
from notification.domain.deadlines import Reminder
from notification.domain.messages import link_path, plain_address, render
from notification.domain.preferences import channels_for
from notification.domain.routing import Audience, Fact, Notice, Person, TaskAction, TaskChange
from notification.domain.webhooks import message_id
from notification.repository.deliveries import PENDING
from notification.services.context import PRODUCER, Notifier, utc_now
from shared.clock import local_day
from shared.events import (
    AppraisalCompleted,
    DevelopmentPlanChanged,
    Event,
    NotificationDelivered,
    NotificationDeliveredPayload,
    PerformanceYearConfigured,
    SkpApproved,
    SkpReturned,
    SkpSubmitted,
    TrainingCompleted,
)
from shared.events.outbox import with_events
from shared.mongo import MongoDocument

GROUP_NAMES = {routing.BKPSDM_GROUP: "Tim BKPSDM"}


@dataclass(frozen=True)
class Outgoing:
    """One message to store, with what opens its task and which channels carry it."""

    notice: Notice
    context: Mapping[str, Any]
    source_event_id: str
    source_event_type: str


async def on_events(events: Sequence[Event], *, ctx: Notifier) -> int:
    """The handler of every consumed appraisal and training topic. Returns how many messages were new."""
    await track(events, ctx)
    facts = sorted((routing.fact_of(e) for e in events), key=lambda f: -(f.revision or 0))
    if not facts:
        return 0
    nips = {f.nip for f in facts} | {n for f in facts for n in (f.pejabat_penilai, f.atasan) if n}
    people = await ctx.people.get_many(sorted(nips))
    windows = await _objection_windows(ctx, facts)
    plans = [(fact, routing.plan(fact, people.get(fact.nip))) for fact in facts]
    revisioned = [n for _, plan in plans for n in plan.notices if n.family and n.revision is not None]
    verdicts = await ctx.inbox.admit_many(
        [(f"{n.family}|{n.record}|{n.recipient}", n.revision or 0) for n in revisioned]
    )
    stale = {n.notification_id for n, ok in zip(revisioned, verdicts, strict=True) if not ok}
    outgoing: list[Outgoing] = []
    tasks: list[TaskChange] = []
    for fact, plan in plans:
        admitted = {n.notification_id for n in plan.notices if n.notification_id not in stale}
        extra = {"objection_until": windows.get(fact.event_id)}
        outgoing += [
            Outgoing(n, {**fact.data, **extra}, fact.event_id, fact.event_type)
            for n in plan.notices
            if n.notification_id in admitted
        ]
        tasks += [t for t in plan.tasks if t.action is TaskAction.CLOSE or t.notification_id in admitted]
    return await store(ctx, outgoing, tasks, people)


async def store(
    ctx: Notifier, outgoing: Sequence[Outgoing], tasks: Sequence[TaskChange], people: Mapping[str, Person]
) -> int:
    """Messages, then their tasks, then their deliveries: each write is idempotent, so a redelivered
    event after a crash between them completes what is missing and duplicates nothing."""
    now = utc_now()
    recipients = sorted({o.notice.recipient for o in outgoing} - set(people))
    people = {**people, **(await ctx.people.get_many(recipients) if recipients else {})}
    preferences = await ctx.tracking.preferences_of(sorted({o.notice.recipient for o in outgoing}))
    subscriptions = await ctx.webhooks.enabled() if outgoing else []
    messages: list[MongoDocument] = []
    deliveries: list[MongoDocument] = []
    for item in outgoing:
        notice = item.notice
        channels = channels_for(notice.kind, preferences.get(notice.recipient))
        document = message_document(ctx, item, people, channels, now)
        messages.append(document)
        recipient = people.get(notice.recipient)
        address = plain_address(recipient.email) if recipient else None
        if "email" in channels and ctx.email_enabled and recipient and address and recipient.active:
            context = _context(ctx, item, people)
            rendered = render(ctx.templates, notice.kind, "email", context)
            deliveries.append(
                _delivery(document, "email", now) | {"to": address, "subject": rendered.title, "text": rendered.body}
            )
        for subscription in subscriptions:
            if notice.kind in subscription["event_types"] or "*" in subscription["event_types"]:
                delivery = _delivery(document, f"webhook:{subscription['_id']}", now)
                body = {
                    "type": notice.kind,
                    "timestamp": now.isoformat(),
                    "data": {k: document[k] for k in WEBHOOK_FIELDS} | {"created_at": now.isoformat()},
                }
                deliveries.append(
                    delivery
                    | {
                        "channel": "webhook",
                        "subscription_id": subscription["_id"],
                        "msg_id": message_id(delivery["_id"]),
                        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str),
                    }
                )
    new = await ctx.inbox.add_many(messages) if messages else set()
    opened = {m["_id"]: m for m in messages}
    if tasks:
        await ctx.inbox.apply_tasks(tasks, opened)
    if deliveries:
        await ctx.deliveries.add_many(deliveries)
        ctx.new_deliveries.fire()
    for message_id_ in new:
        ctx.wake_relay(ctx.inbox.notifications.name, message_id_)
    if new:
        ctx.new_messages.fire()
    return len(new)


WEBHOOK_FIELDS = (
    "_id",
    "recipient",
    "kind",
    "title",
    "body",
    "link",
    "record",
    "due",
    "source_event_id",
    "source_event_type",
)


def _delivery(message: MongoDocument, channel: str, now: dt.datetime) -> MongoDocument:
    return {
        "_id": f"{message['_id']}|{channel}",
        "channel": channel,
        "notification_id": message["_id"],
        "recipient": message["recipient"],
        "kind": message["kind"],
        "source_event_id": message["source_event_id"],
        "status": PENDING,
        "attempts": 0,
        "next_at": now,
        "lease_until": None,
        "created_at": now,
    }


def _name(nip: str, people: Mapping[str, Person]) -> str:
    if nip in GROUP_NAMES:
        return GROUP_NAMES[nip]
    if nip.startswith("group:opd:"):
        return f"Admin OPD {nip.removeprefix('group:opd:')}"
    if nip == "PPK":
        return "Bapak/Ibu Wali Kota"
    person = people.get(nip)
    return person.name if person and person.name else nip


def _context(ctx: Notifier, item: Outgoing, people: Mapping[str, Person]) -> dict[str, Any]:
    base = ctx.settings.link_base_url.rstrip("/")
    data = dict(item.context)
    subject = data.get("nip")
    return {
        **data,
        "audience": item.notice.audience.value,
        "employee_name": data.get("employee_name") or (_name(subject, people) if isinstance(subject, str) else ""),
        "recipient_name": _name(item.notice.recipient, people),
        "link": base + link_path(item.notice.kind, data),
        "preferences_link": base + "/notifications/preferences",
    }


def _due(kind: str, data: Mapping[str, Any]) -> str | None:
    for field in ("decision_due", "due_on", "due"):
        value = data.get(field)
        if isinstance(value, str):
            return value
    return None


def message_document(
    ctx: Notifier, item: Outgoing, people: Mapping[str, Person], channels: Iterable[str], now: dt.datetime
) -> MongoDocument:
    notice = item.notice
    context = _context(ctx, item, people)
    rendered = render(ctx.templates, notice.kind, "inbox", context)
    document = {
        "_id": notice.notification_id,
        "recipient": notice.recipient,
        "kind": notice.kind,
        "title": rendered.title,
        "body": rendered.body,
        "link": context["link"],
        "record": notice.record,
        "due": _due(notice.kind, item.context) if notice.task or notice.kind.startswith("reminder.") else None,
        "task": notice.task,
        "channels": sorted(channels),
        "source_event_id": item.source_event_id,
        "source_event_type": item.source_event_type,
        "revision": notice.revision,
        "created_at": now,
        "read": False,
        "read_at": None,
    }
    if not routing.is_nip(notice.recipient):
        return document  # the PPK and group inboxes have no NIP to key the event by
    delivered = NotificationDelivered.create(
        NotificationDeliveredPayload(
            notification_id=notice.notification_id,
            nip=notice.recipient,
            channel="inbox",
            kind=notice.kind,
            source_event_id=item.source_event_id,
        ),
        producer=PRODUCER,
    )
    return with_events(document, delivered, now=now)


async def _objection_windows(ctx: Notifier, facts: Sequence[Fact]) -> dict[str, str | None]:
    """For each finalised result: the last day to object (its year's objection window), when configured."""
    found: dict[str, str | None] = {}
    years: dict[str, MongoDocument | None] = {}
    for fact in facts:
        if fact.event_type != "appraisal.completed":
            continue
        period = str(fact.data.get("period", ""))
        if period[:4] not in years:
            years[period[:4]] = await ctx.tracking.year(int(period[:4])) if period[:4].isdigit() else None
        year = years[period[:4]]
        if year is None:
            found[fact.event_id] = None
            continue
        until = local_day(fact.occurred_at + dt.timedelta(days=int(year["objection_window_days"])))
        found[fact.event_id] = until.isoformat()
    return found


async def track(events: Sequence[Event], ctx: Notifier) -> None:
    """What the reminder job needs to know, kept from the events (newest by when each happened)."""
    skp: list[MongoDocument] = []
    results: list[MongoDocument] = []
    plans: list[MongoDocument] = []
    jp: list[MongoDocument] = []
    for event in events:
        p = event.payload
        if isinstance(event, SkpSubmitted | SkpReturned | SkpApproved):
            status = {"skp.submitted": "submitted", "skp.returned": "returned", "skp.approved": "approved"}
            document = {"_id": p.skp_id, "nip": p.nip, "year": p.year, "status": status[event.event_type]}
            document |= {"at": event.occurred_at} | ({"approved": True} if isinstance(event, SkpApproved) else {})
            skp.append(document)
        elif isinstance(event, AppraisalCompleted):
            results.append({"_id": f"{p.nip}|{p.period}", "nip": p.nip, "period": p.period})
        elif isinstance(event, DevelopmentPlanChanged):
            plans.append(
                {
                    "_id": p.appraisal_id,
                    "nip": p.nip,
                    "period": p.period,
                    "status": p.status,
                    "due_on": p.due_on.isoformat() if p.due_on else None,
                    "pejabat_penilai_nip": p.pejabat_penilai_nip,
                    "at": event.occurred_at,
                }
            )
        elif isinstance(event, TrainingCompleted):
            jp.append({"_id": p.enrolment_id, "nip": p.nip, "year": p.year, "jp": p.jp_earned})
    if skp:
        await ctx.tracking.store_states("skp_state", _newest(skp))
    if plans:
        await ctx.tracking.store_states("plans", _newest(plans))
    if results:
        await ctx.tracking.store_results(results)
    if jp:
        await ctx.tracking.store_jp(jp)


def _newest(documents: list[MongoDocument]) -> list[MongoDocument]:
    newest: dict[str, MongoDocument] = {}
    for d in documents:
        if d["_id"] not in newest or newest[d["_id"]]["at"] < d["at"]:
            newest[d["_id"]] = d
    return list(newest.values())


async def on_years(events: Sequence[PerformanceYearConfigured], *, ctx: Notifier) -> None:
    documents = [
        {
            "_id": e.payload.year,
            "skp_due": e.payload.skp_due.isoformat(),
            "evaluation_due": {k: v.isoformat() for k, v in e.payload.evaluation_due.items()},
            "objection_window_days": e.payload.objection_window_days,
            "version": e.payload.version,
        }
        for e in events
    ]
    newest: dict[Any, MongoDocument] = {}
    for d in documents:
        if d["_id"] not in newest or newest[d["_id"]]["version"] < d["version"]:
            newest[d["_id"]] = d
    await ctx.tracking.store_years(list(newest.values()))


def reminder_outgoing(reminder: Reminder) -> Outgoing:
    record = f"reminder:{reminder.key.split('|', 1)[0]}"
    notice = Notice(
        notification_id=routing.notification_id(reminder.kind, record, "once", reminder.recipient),
        kind=reminder.kind,
        recipient=reminder.recipient,
        audience=Audience(reminder.audience),
        record=record,
    )
    return Outgoing(notice, dict(reminder.data), f"reminder:{reminder.key}", "reminder")
