"""The reminder job: every ``NOTIFICATION_REMINDER_INTERVAL_S`` it works out which deadline reminders are
due (``domain.deadlines``) and sends those not sent before (``reminders``: one per deadline and person)."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable

from notification.domain import deadlines
from notification.services.context import Notifier, utc_now
from notification.services.notify import reminder_outgoing, store
from shared.clock import local_day
from shared.mongo import find_in, is_transient

logger = logging.getLogger(__name__)


async def run_reminders(ctx: Notifier) -> None:
    while True:
        try:
            await remind(ctx, local_day(utc_now()))
        except Exception:
            logger.exception("reminder pass failed")
        await asyncio.sleep(ctx.settings.reminder_interval_s)


async def remind(ctx: Notifier, today: dt.date) -> int:
    """One pass for ``today``; returns how many reminders were sent now. Each year's deadlines, the plans
    and the JP are worked out apart: one that cannot be (a stored record the rules cannot read) is logged
    and the others still go out."""
    settings = ctx.settings
    lead = settings.reminder_lead_days
    people = await ctx.people.active()
    due: list[deadlines.Reminder] = []

    async def deadlines_of(year: int) -> list[deadlines.Reminder]:
        config = await ctx.tracking.year(year)
        if config is None:
            return []
        status = await ctx.tracking.skp_status(year)
        found = deadlines.skp_reminders(today, year, dt.date.fromisoformat(config["skp_due"]), people, status, lead)
        by_period = {p: dt.date.fromisoformat(d) for p, d in config.get("evaluation_due", {}).items()}
        approved = {nip for nip, s in status.items() if s == "approved"}
        completed = await ctx.tracking.completed(sorted(by_period))
        return found + deadlines.evaluation_reminders(today, by_period, people, approved, completed, lead)

    async def plans() -> list[deadlines.Reminder]:
        open_plans = await ctx.tracking.open_plans(today + dt.timedelta(days=lead))
        return deadlines.plan_reminders(today, open_plans, {p.nip: p.name or p.nip for p in people}, lead)

    async def jp() -> list[deadlines.Reminder]:
        earned = await ctx.tracking.jp_earned(today.year)
        return deadlines.jp_reminders(
            today,
            people,
            earned,
            settings.jp_obligation_per_year,
            settings.jp_midyear_share,
            settings.jp_reminder_window_days,
        )

    parts: list[tuple[str, Callable[[], Awaitable[list[deadlines.Reminder]]]]] = [
        *((f"deadlines of {y}", functools.partial(deadlines_of, y)) for y in range(today.year - 1, today.year + 2)),
        ("development plans", plans),
        ("JP", jp),
    ]
    for name, part in parts:
        try:
            due += await part()
        except Exception as exc:
            if is_transient(exc):
                raise  # the database is away: the whole pass is tried again
            logger.exception("reminders: %s could not be worked out; the other reminders go out", name)
    if not due:
        return 0
    sent = {d["_id"] for d in await find_in(ctx.tracking.reminders, "_id", [r.key for r in due], {"_id": 1})}
    fresh = [r for r in due if r.key not in sent]
    if not fresh:
        return 0
    # The messages first (deterministic ids), then the keys: a crash in between repeats nothing.
    await store(ctx, [reminder_outgoing(r) for r in fresh], [], {p.nip: p for p in people})
    now = utc_now()
    return sum([await ctx.tracking.remember(r.key, now) for r in fresh])
