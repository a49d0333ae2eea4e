"""The bounds every consumer holds an event to (``shared.events.bounds``), beyond its JSON Schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kinerja_testing import events as ev
from shared.events import bounds

NIP = "198609262015051001"
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def with_payload(event: Any, **changes: Any) -> Any:
    return event.model_copy(update={"payload": event.payload.model_copy(update=changes)})


def test_events_as_the_producers_write_them_pass() -> None:
    for event in (
        ev.completed("a1", NIP, "2026-Q1"),
        ev.flagged("a1", NIP, "2026-Q1"),
        ev.skp("approved", "s1", NIP, year=2026),
        ev.plan("a1", NIP, "2026", "active"),
        ev.objection("filed", "a1", NIP, "2026-Q2"),
        ev.year_configured(2026),
        ev.person(NIP),
        ev.recommended("r1", NIP),
        ev.message("delivered", "n1", NIP),
    ):
        assert bounds.problems(event, NOW + dt.timedelta(minutes=1)) == [], event.event_type


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"pejabat_penilai_nip": "group:bkpsdm"}, "payload.pejabat_penilai_nip: not a NIP (18 digits) nor PPK"),
        ({"pejabat_penilai_nip": "PPK\n"}, "not a NIP"),
        ({"period": "٢٠٢٦-Q1"}, "payload.period: not a period"),
        ({"period": "abcd"}, "payload.period: not a period"),
        ({"opd_code": "DINKES\n"}, "payload.opd_code: not an OPD code"),
        ({"opd_code": "x" * 40}, "not an OPD code"),
    ],
)
def test_keys_and_codes_must_have_their_shape(changes: dict[str, Any], says: str) -> None:
    event = with_payload(ev.completed("a1", NIP, "2026-Q1"), **changes)
    assert any(says in problem for problem in bounds.problems(event, NOW))


def test_dates_years_and_times_stay_within_the_century() -> None:
    plan = ev.plan("a1", NIP, "2026", "awaiting_input")
    assert bounds.problems(with_payload(plan, due_on=dt.date(1, 1, 1)), NOW) == [
        "payload.due_on: outside 2000-01-01 to 2101-12-31"
    ]
    assert bounds.problems(with_payload(plan, due_on=dt.date(2101, 12, 31)), NOW) == []
    assert bounds.problems(with_payload(ev.year_configured(2026), year=99_999), NOW) == [
        "payload.year: outside 2000 to 2100"
    ]
    person = ev.person(NIP)
    snapshot = person.payload.model_copy(update={"contract_start": dt.date(9999, 3, 1)})
    assert bounds.problems(person.model_copy(update={"payload": snapshot}), NOW) == [
        "payload.contract_start: outside 2000-01-01 to 2101-12-31"
    ]


def test_an_event_from_the_far_future_or_past_is_refused() -> None:
    event = ev.completed("a1", NIP, "2026-Q1")
    ahead = event.model_copy(update={"occurred_at": NOW + dt.timedelta(days=1, seconds=1)})
    assert [p.split(":")[0] for p in bounds.problems(ahead, NOW)] == ["occurred_at"]
    skewed = event.model_copy(update={"occurred_at": NOW + dt.timedelta(hours=23)})
    assert bounds.problems(skewed, NOW) == []  # clocks a little apart
    ancient = event.model_copy(update={"occurred_at": dt.datetime(1999, 12, 31, tzinfo=dt.UTC)})
    assert len(bounds.problems(ancient, NOW)) == 1


def test_numbers_texts_and_lists_are_bounded() -> None:
    year = ev.year_configured(2026)
    assert bounds.problems(with_payload(year, objection_window_days=3_000_000), NOW) == [
        "payload.objection_window_days: more than 90 days"
    ]
    assert bounds.problems(with_payload(year, objection_window_days=90), NOW) == []
    done = ev.training_completed("e1", NIP, 20)
    assert bounds.problems(with_payload(done, jp_earned=float("inf")), NOW) == [
        "payload.jp_earned: not a finite number"
    ]
    assert bounds.problems(with_payload(done, jp_earned=1_000.5), NOW) == ["payload.jp_earned: more than 1000 JP"]
    returned = ev.skp("returned", "s1", NIP, year=2026)
    assert bounds.problems(with_payload(returned, reason="x" * 4_001), NOW) == [
        "payload.reason: longer than 4000 characters"
    ]
    assert bounds.problems(with_payload(returned, reason="x" * 4_000), NOW) == []
    assert bounds.problems(with_payload(year, periods=["2026"] * 1_001), NOW) == [
        "payload.periods: more than 1000 items"
    ]


def test_check_raises_naming_every_problem() -> None:
    event = with_payload(ev.completed("a1", NIP, "2026-Q1"), opd_code="x", period="y")
    with pytest.raises(bounds.OutOfBounds, match=r"payload\.opd_code: not an OPD code; payload\.period: not a period"):
        bounds.check(event, NOW)
