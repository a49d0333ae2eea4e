"""Palembang's calendar day (WIB, UTC+7, no daylight saving), the day every deadline is read against."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.clock import Clock, local_day

UTC = dt.UTC


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (dt.datetime(2026, 11, 30, 16, 59, 59, tzinfo=UTC), dt.date(2026, 11, 30)),
        (dt.datetime(2026, 11, 30, 17, 0, tzinfo=UTC), dt.date(2026, 12, 1)),  # midnight in Palembang
        (dt.datetime(2025, 12, 31, 18, 0, tzinfo=UTC), dt.date(2026, 1, 1)),  # a new year there, not yet in UTC
        (dt.datetime(2028, 2, 28, 17, 30, tzinfo=UTC), dt.date(2028, 2, 29)),  # leap day
        (dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), dt.date(2026, 5, 31)),  # WIT
        (dt.datetime(2026, 6, 1, 0, 0, tzinfo=UTC), dt.date(2026, 6, 1)),
    ],
)
def test_the_day_in_palembang(moment: dt.datetime, day: dt.date) -> None:
    assert local_day(moment) == day


def test_the_clocks_today_is_the_day_in_palembang() -> None:
    clock = Clock(fixed=dt.datetime(2026, 11, 30, 20, 8, tzinfo=UTC))
    assert clock.today() == dt.date(2026, 12, 1)
    assert clock.now().tzinfo == UTC  # the time itself stays in UTC
