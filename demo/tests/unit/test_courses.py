"""What demo people do with their recommendations: seeded choices in the planned shares, and the session
picked: one that has not ended (the training service refuses the others), with a seat before a waiting list."""

from __future__ import annotations

import collections
import datetime as dt

import pytest

from kinerja_demo.courses import (
    ACCEPT_SHARE,
    DECLINE_REASONS,
    DECLINE_SHARE,
    Choice,
    choice_for,
    sessions_for,
)

TODAY = dt.date(2026, 11, 30)


def session(code: str, ends_on: str, seats_free: int) -> dict[str, object]:
    return {"code": code, "starts_on": ends_on, "ends_on": ends_on, "capacity": 30, "seats_free": seats_free}


def test_choices_are_seeded_by_the_recommendation_not_by_the_order_they_are_met() -> None:
    keys = [(f"1980010120100110{i:02d}", f"a-{i}", reason) for i in range(50) for reason in ("low_score", "plan")]
    first = [choice_for(7, *k) for k in keys]
    assert [choice_for(7, *k) for k in reversed(keys)] == list(reversed(first))
    assert [choice_for(8, *k) for k in keys] != first  # another seed, another city


def test_choices_come_out_in_the_planned_shares() -> None:
    choices = [choice_for(1, f"{i:018d}", f"{i:018d}-2026-Q1", "low_score") for i in range(4000)]
    counted = collections.Counter(c.action for c in choices)
    assert counted["accept"] / 4000 == pytest.approx(ACCEPT_SHARE, abs=0.03)
    assert counted["decline"] / 4000 == pytest.approx(DECLINE_SHARE, abs=0.03)
    assert counted["leave"] / 4000 == pytest.approx(1 - ACCEPT_SHARE - DECLINE_SHARE, abs=0.03)
    declines = [c for c in choices if c.action == "decline"]
    assert {c.decline_reason for c in declines} == set(DECLINE_REASONS)
    assert all(3 <= len(str(c.decline_reason)) <= 1000 for c in declines)  # DeclineIn's bounds
    assert all(c == Choice(c.action) for c in choices if c.action != "decline")


def test_the_sessions_tried_have_not_ended_those_with_a_seat_first_in_the_programmes_rank() -> None:
    sessions = {
        "A": [session("A-1", "2026-03-12", 9), session("A-2", "2027-01-20", 0)],
        "B": [session("B-1", "2026-12-18", 3), session("B-2", "2027-02-10", 1)],
    }
    # A-1 has ended; A-2 is full, so it comes after every session with a seat.
    assert sessions_for(["A", "B"], sessions, TODAY) == [("B", "B-1"), ("B", "B-2"), ("A", "A-2")]
    sessions["B"][0]["seats_free"] = 0
    assert sessions_for(["A", "B"], sessions, TODAY) == [("B", "B-2"), ("A", "A-2"), ("B", "B-1")]
    assert sessions_for(["C"], sessions, TODAY) == []  # no recommended programme has a session
    assert sessions_for([], sessions, TODAY) == []
    assert sessions_for(["A"], {"A": [session("A-1", "2026-03-12", 9)]}, TODAY) == []  # every one has ended


def test_a_session_ending_today_can_still_be_joined() -> None:
    sessions = {"A": [session("A-1", "2026-11-29", 4)], "B": [session("B-1", TODAY.isoformat(), 4)]}
    assert sessions_for(["A", "B"], sessions, TODAY) == [("B", "B-1")]
