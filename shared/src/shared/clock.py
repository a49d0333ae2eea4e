"""Where a service reads the time: one clock per app (built in wiring), so that tests can set it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LOCAL_TIME = dt.timezone(dt.timedelta(hours=7), "WIB")
"""Palembang keeps Western Indonesian Time (WIB, UTC+7, no daylight saving): a deadline or a period's
end is a calendar day there, so "today" is read in WIB."""


def local_day(moment: dt.datetime) -> dt.date:
    """The calendar day in Palembang (WIB) at ``moment`` (an aware time): 2026-11-30 18:00 UTC is 1 December."""
    return moment.astimezone(LOCAL_TIME).date()


@dataclass
class Clock:
    """The real time, unless ``fixed`` is set (tests act at another moment: ``clock.fixed = ...``)."""

    fixed: dt.datetime | None = None

    def now(self) -> dt.datetime:
        """Now in UTC, to the millisecond (BSON dates hold milliseconds)."""
        now = (self.fixed or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    def today(self) -> dt.date:
        """Today's date in Palembang (WIB): the day deadlines and period ends are read against."""
        return local_day(self.now())
