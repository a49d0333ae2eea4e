"""The reminder job: every ``NOTIFICATION_REMINDER_INTERVAL_S`` it works out which deadline reminders are
due (``domain.deadlines``) and sends those not sent before (``reminders``: one per deadline and person)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from notification.domain import deadlines
from notification.services.context import Notifier, utc_now
from notification.services.notify import reminder_outgoing, store
from shared.clock import local_day
from shared.mongo import find_in

logger = logging.getLogger(__name__)


async def run_reminders(ctx: Notifier) -> None:
    while True:
        try:
            await remind(ctx, local_day(utc_now()))
        except Exception:
            logger.exception("reminder pass failed")
        await asyncio.sleep(ctx.settings.reminder_interval_s)


async def remind(ctx: Notifier, today: dt.date) -> int:
    """One pass for ``today``; returns how many reminders were sent now."""
    settings = ctx.settings
    lead = settings.reminder_lead_days
    people = await ctx.people.active()
    due: list[deadlines.Reminder] = []
    for year in (today.year - 1, today.year, today.year + 1):
        config = await ctx.tracking.year(year)
        if config is None:
            continue
        status = await ctx.tracking.skp_status(year)
        due += deadlines.skp_reminders(today, year, dt.date.fromisoformat(config["skp_due"]), people, status, lead)
        by_period = {p: dt.date.fromisoformat(d) for p, d in config.get("evaluation_due", {}).items()}
        approved = {nip for nip, s in status.items() if s == "approved"}
        completed = await ctx.tracking.completed(sorted(by_period))
        due += deadlines.evaluation_reminders(today, by_period, people, approved, completed, lead)
    plans = await ctx.tracking.open_plans(today + dt.timedelta(days=lead))
    names = {p.nip: p.name or p.nip for p in people}
    due += deadlines.plan_reminders(today, plans, names, lead)
    jp = await ctx.tracking.jp_earned(today.year)
    due += deadlines.jp_reminders(
        today, people, jp, settings.jp_obligation_per_year, settings.jp_midyear_share, settings.jp_reminder_window_days
    )
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
