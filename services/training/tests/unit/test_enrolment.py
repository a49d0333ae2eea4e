import dataclasses
import datetime as dt
import itertools

import pytest

from training.domain.catalogue import Session
from training.domain.enrolment import (
    TRANSITIONS,
    EnrolmentStatus,
    SessionRoster,
    check_timing,
    check_transition,
    overlapping,
    overlaps,
)
from training.domain.errors import RuleError

S = EnrolmentStatus
ALLOWED = {
    (S.ENROLLED, S.CANCELLED),
    (S.ENROLLED, S.DECLINED),
    (S.ENROLLED, S.ATTENDED),
    (S.WAITLISTED, S.ENROLLED),
    (S.WAITLISTED, S.CANCELLED),
    (S.WAITLISTED, S.DECLINED),
    (S.ATTENDED, S.COMPLETED),
}
T0 = dt.datetime(2026, 2, 1, 8, 0, tzinfo=dt.UTC)
BEFORE = dt.date(2026, 2, 20)


def _session(code: str = "P-01-A", first: str = "2026-03-02", last: str = "2026-03-04", capacity: int = 2) -> Session:
    return Session(code, dt.date.fromisoformat(first), dt.date.fromisoformat(last), capacity, place="Aula")


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_transition_is_allowed_or_refused_as_the_table_says(current: S, target: S) -> None:
    assert ((current, target) in ALLOWED) == (target in TRANSITIONS[current])
    if (current, target) in ALLOWED:
        assert check_transition(current, target) is target
    else:
        with pytest.raises(RuleError) as exc:
            check_transition(current, target)
        assert exc.value.code == "enrolment_transition_refused"


@pytest.mark.parametrize("final", [S.CANCELLED, S.DECLINED, S.COMPLETED])
def test_final_states_have_no_way_out(final: S) -> None:
    assert TRANSITIONS[final] == frozenset()


@pytest.mark.parametrize(
    ("target", "today", "code"),
    [
        (S.ATTENDED, "2026-03-01", "session_not_started"),
        (S.ATTENDED, "2026-03-02", None),
        (S.COMPLETED, "2026-03-03", "session_not_ended"),
        (S.COMPLETED, "2026-03-04", None),
        (S.CANCELLED, "2026-03-04", None),
        (S.CANCELLED, "2026-03-05", "session_ended"),
        (S.ENROLLED, "2026-03-05", "session_ended"),
        (S.WAITLISTED, "2026-03-05", "session_ended"),
        (S.DECLINED, "2026-03-05", None),
    ],
)
def test_timing(target: S, today: str, code: str | None) -> None:
    if code is None:
        check_timing(target, _session(), dt.date.fromisoformat(today))
    else:
        with pytest.raises(RuleError) as exc:
            check_timing(target, _session(), dt.date.fromisoformat(today))
        assert exc.value.code == code


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (("2026-03-02", "2026-03-04"), ("2026-03-04", "2026-03-06"), True),  # share the last day
        (("2026-03-02", "2026-03-04"), ("2026-03-05", "2026-03-06"), False),  # back to back
        (("2026-03-02", "2026-03-04"), ("2026-02-25", "2026-03-02"), True),
        (("2026-03-02", "2026-03-04"), ("2026-03-03", "2026-03-03"), True),  # inside
        (("2026-03-02", "2026-03-04"), ("2026-01-01", "2026-12-31"), True),  # around
        (("2026-03-02", "2026-03-04"), ("2026-02-01", "2026-03-01"), False),
    ],
)
def test_overlap(a: tuple[str, str], b: tuple[str, str], overlap: bool) -> None:
    sa, sb = _session("A-01-A", *a), _session("B-01-A", *b)
    assert overlaps(sa, sb) is overlap is overlaps(sb, sa)
    assert overlapping(sa, [sa, sb]) == ([sb] if overlap else [])


def _roster(capacity: int = 2) -> SessionRoster:
    return SessionRoster(_session(capacity=capacity))


def _enrol(r: SessionRoster, n: int, priority: int = 1) -> S:
    seat = r.enrol(f"e{n}", f"nip{n}", requested_at=T0 + dt.timedelta(minutes=n), today=BEFORE, priority=priority)
    return seat.status


def test_seats_then_waiting_list_in_order() -> None:
    r = _roster(2)
    assert [_enrol(r, n) for n in range(1, 5)] == [S.ENROLLED, S.ENROLLED, S.WAITLISTED, S.WAITLISTED]
    assert (r.taken, r.free) == (2, 0)
    assert [s.enrolment_id for s in r.waiting_list()] == ["e3", "e4"]
    assert (r.position("e4"), r.position("e1")) == (2, None)


def test_priority_goes_first_on_the_waiting_list_then_request_time() -> None:
    r = _roster(1)
    _enrol(r, 1)
    _enrol(r, 2)
    _enrol(r, 3, priority=0)
    _enrol(r, 4, priority=0)
    assert [s.enrolment_id for s in r.waiting_list()] == ["e3", "e4", "e2"]


def test_cancellation_promotes_the_first_waiting() -> None:
    r = _roster(2)
    for n in range(1, 5):
        _enrol(r, n)
    changed = r.move("e1", S.CANCELLED, today=BEFORE)
    assert [(s.enrolment_id, s.status) for s in changed] == [("e1", S.CANCELLED), ("e3", S.ENROLLED)]
    assert [s.enrolment_id for s in r.waiting_list()] == ["e4"]


def test_cancelling_a_waiting_place_promotes_nobody() -> None:
    r = _roster(1)
    for n in range(1, 4):
        _enrol(r, n)
    assert [s.enrolment_id for s in r.move("e2", S.CANCELLED, today=BEFORE)] == ["e2"]
    assert [s.enrolment_id for s in r.waiting_list()] == ["e3"]


def test_declining_a_seat_promotes_too() -> None:
    r = _roster(1)
    _enrol(r, 1)
    _enrol(r, 2)
    assert [s.status for s in r.move("e1", S.DECLINED, today=BEFORE)] == [S.DECLINED, S.ENROLLED]


def test_no_promotion_after_the_session_ended() -> None:
    r = _roster(1)
    _enrol(r, 1)
    _enrol(r, 2)
    r.move("e1", S.ATTENDED, today=dt.date(2026, 3, 2))
    assert r.promote(today=dt.date(2026, 3, 5)) == []


def test_a_newcomer_waits_while_others_wait_even_if_a_seat_is_free() -> None:
    r = _roster(1)
    _enrol(r, 1)
    _enrol(r, 2)
    r.seats[0] = dataclasses.replace(r.seats[0], status=S.CANCELLED)  # freed, not yet promoted
    assert _enrol(r, 3) is S.WAITLISTED
    assert [s.enrolment_id for s in r.promote(today=BEFORE)] == ["e2"]


def test_attendance_and_completion_keep_the_seat() -> None:
    r = _roster(1)
    _enrol(r, 1)
    _enrol(r, 2)
    assert len(r.move("e1", S.ATTENDED, today=dt.date(2026, 3, 2))) == 1
    assert len(r.move("e1", S.COMPLETED, today=dt.date(2026, 3, 4))) == 1
    assert r.position("e2") == 1


def test_promotion_is_not_a_manual_move() -> None:
    r = _roster(1)
    _enrol(r, 1)
    _enrol(r, 2)
    with pytest.raises(RuleError) as exc:
        r.move("e2", S.ENROLLED, today=BEFORE)
    assert exc.value.code == "enrolment_transition_refused"


def test_refused_moves() -> None:
    r = _roster(1)
    _enrol(r, 1)
    with pytest.raises(RuleError) as exc:
        r.move("e1", S.COMPLETED, today=dt.date(2026, 3, 4))
    assert exc.value.code == "enrolment_transition_refused"
    with pytest.raises(RuleError) as exc:
        r.move("nope", S.CANCELLED, today=BEFORE)
    assert exc.value.code == "enrolment_unknown"


def test_enrolment_is_idempotent_by_id_and_once_per_person() -> None:
    r = _roster(2)
    _enrol(r, 1)
    assert _enrol(r, 1) is S.ENROLLED
    assert len(r.seats) == 1
    with pytest.raises(RuleError) as exc:
        r.enrol("e9", "nip1", requested_at=T0, today=BEFORE)
    assert exc.value.code == "already_enrolled"
    with pytest.raises(RuleError) as exc:
        r.enrol("e1", "other", requested_at=T0, today=BEFORE)
    assert exc.value.code == "enrolment_id_conflict"


def test_a_cancelled_person_may_enrol_again() -> None:
    r = _roster(2)
    _enrol(r, 1)
    r.move("e1", S.CANCELLED, today=BEFORE)
    assert r.enrol("e1b", "nip1", requested_at=T0, today=BEFORE).status is S.ENROLLED


def test_enrolment_refuses_an_overlapping_session_and_a_past_one() -> None:
    r = _roster(2)
    clash = _session("Q-01-A", "2026-03-04", "2026-03-05")
    with pytest.raises(RuleError) as exc:
        r.enrol("e1", "nip1", requested_at=T0, today=BEFORE, other_sessions=[clash])
    assert exc.value.code == "session_overlap"
    fine = _session("Q-01-B", "2026-03-05", "2026-03-06")
    assert r.enrol("e1", "nip1", requested_at=T0, today=BEFORE, other_sessions=[fine]).status is S.ENROLLED
    with pytest.raises(RuleError) as exc:
        r.enrol("e2", "nip2", requested_at=T0, today=dt.date(2026, 3, 5))
    assert exc.value.code == "session_ended"
    with pytest.raises(RuleError) as exc:
        r.enrol("e3", "nip3", requested_at=T0, today=BEFORE, priority=10)
    assert exc.value.code == "priority_invalid"


def test_resize_promotes_and_refuses_below_taken() -> None:
    r = _roster(1)
    for n in range(1, 4):
        _enrol(r, n)
    assert [s.enrolment_id for s in r.resize(2, today=BEFORE)] == ["e2"]
    for bad, code in ((1, "capacity_below_taken"), (0, "capacity_invalid"), (1001, "capacity_invalid")):
        with pytest.raises(RuleError) as exc:
            r.resize(bad, today=BEFORE)
        assert exc.value.code == code
