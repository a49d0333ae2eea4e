"""Dates of the evaluation cycle (a period is finalised once it has ended, deadlines, which periods the
annual evaluation needs) and the annual roll-up of realisations: pure rules, allowed and refused."""

import datetime as dt

import pytest

from appraisal.domain.evaluation import (
    DeadlineOutcome,
    Frequency,
    Rollup,
    deadline_outcome,
    deadline_problems,
    extension_problem,
    finalise_opens_on,
    may_finalise_on,
    period_end,
    period_start,
    periods_of,
    periods_required_for_annual,
    roll_up,
)
from appraisal.domain.rules import MAX_FINALISE_GRACE_DAYS
from shared.clock import Clock

D = dt.date


@pytest.mark.parametrize(
    ("period", "end"),
    [
        ("2025", D(2025, 12, 31)),
        ("2025-S1", D(2025, 6, 30)),
        ("2025-S2", D(2025, 12, 31)),
        ("2025-Q1", D(2025, 3, 31)),
        ("2025-Q2", D(2025, 6, 30)),
        ("2025-Q3", D(2025, 9, 30)),
        ("2025-Q4", D(2025, 12, 31)),
        ("2025-01", D(2025, 1, 31)),
        ("2024-02", D(2024, 2, 29)),  # a leap year
        ("2025-02", D(2025, 2, 28)),
        ("2025-04", D(2025, 4, 30)),
        ("2025-12", D(2025, 12, 31)),
    ],
)
def test_the_last_day_of_every_kind_of_period(period: str, end: dt.date) -> None:
    assert period_end(period) == end


def test_every_period_of_every_frequency_ends_within_its_year_and_in_order() -> None:
    for frequency in Frequency:
        ends = [period_end(p) for p in periods_of(2026, frequency)]
        assert ends == sorted(ends)
        assert ends[-1] == D(2026, 12, 31)


def test_a_period_is_finalised_from_the_day_after_it_ends() -> None:
    assert finalise_opens_on("2025-Q1") == D(2025, 4, 1)
    assert not may_finalise_on("2025-Q1", D(2025, 3, 31))  # its last day: not ended yet
    assert may_finalise_on("2025-Q1", D(2025, 4, 1))
    assert may_finalise_on("2025-Q1", D(2026, 1, 1))
    assert not may_finalise_on("2025", D(2025, 12, 31))
    assert may_finalise_on("2025", D(2026, 1, 1))


def test_the_grace_days_allow_finalising_that_many_days_before_the_period_ends() -> None:
    assert finalise_opens_on("2025-Q1", 1) == D(2025, 3, 31)  # its last day
    assert finalise_opens_on("2025-Q1", 7) == D(2025, 3, 25)
    assert may_finalise_on("2025-Q1", D(2025, 3, 25), 7)
    assert not may_finalise_on("2025-Q1", D(2025, 3, 24), 7)
    assert finalise_opens_on("2025-02", MAX_FINALISE_GRACE_DAYS) == D(2025, 1, 29)


@pytest.mark.parametrize("grace", [-1, MAX_FINALISE_GRACE_DAYS + 1])
def test_grace_days_out_of_bounds_are_refused(grace: int) -> None:
    with pytest.raises(ValueError, match="grace_days"):
        finalise_opens_on("2025-Q1", grace)


def test_a_step_on_or_before_its_deadline_is_on_time_whatever_the_enforcement() -> None:
    for blocking in (False, True):
        assert deadline_outcome(D(2025, 1, 31), D(2025, 1, 31), blocking=blocking) is DeadlineOutcome.ON_TIME
        assert deadline_outcome(D(2025, 1, 31), D(2025, 1, 2), blocking=blocking) is DeadlineOutcome.ON_TIME
        assert deadline_outcome(None, D(2030, 1, 1), blocking=blocking) is DeadlineOutcome.ON_TIME  # no deadline


def test_a_late_step_is_marked_with_warning_and_refused_with_blocking() -> None:
    assert deadline_outcome(D(2025, 1, 31), D(2025, 2, 1), blocking=False) is DeadlineOutcome.LATE
    assert deadline_outcome(D(2025, 1, 31), D(2025, 2, 1), blocking=True) is DeadlineOutcome.REFUSED


def test_an_extension_lets_a_blocked_late_step_through_until_it_ends_and_it_stays_late() -> None:
    due, extended = D(2025, 1, 31), D(2025, 2, 14)
    assert deadline_outcome(due, D(2025, 2, 14), blocking=True, extended_to=extended) is DeadlineOutcome.LATE
    assert deadline_outcome(due, D(2025, 2, 15), blocking=True, extended_to=extended) is DeadlineOutcome.REFUSED
    assert deadline_outcome(due, D(2025, 1, 20), blocking=True, extended_to=extended) is DeadlineOutcome.ON_TIME


QUARTERS = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


def test_the_annual_evaluation_needs_every_period_from_the_employees_first_to_the_last() -> None:
    assert periods_required_for_annual(QUARTERS, QUARTERS) == QUARTERS
    assert periods_required_for_annual(QUARTERS, ["2025-Q1"]) == QUARTERS  # Q2-Q4 are missing: required
    # Appointed or moved in mid-year (domain.md 1.9): their SKP covers Q3 and Q4 only.
    assert periods_required_for_annual(QUARTERS, ["2025-Q3"]) == ["2025-Q3", "2025-Q4"]
    assert periods_required_for_annual(QUARTERS, ["2025-Q4", "2025-Q3"]) == ["2025-Q3", "2025-Q4"]
    # A gap after the first period is still required.
    assert periods_required_for_annual(QUARTERS, ["2025-Q2", "2025-Q4"]) == QUARTERS[1:]


def test_with_no_periodic_evaluation_every_period_is_required() -> None:
    assert periods_required_for_annual(QUARTERS, []) == QUARTERS
    assert periods_required_for_annual(QUARTERS, ["2024-Q1"]) == QUARTERS  # another year's periods do not count


@pytest.mark.parametrize(
    ("kind", "values", "expected"),
    [
        (Rollup.SUM, ["10", "20", "30", "40"], "100"),
        (Rollup.SUM, ["1,5", "2.25"], "3.75"),
        (Rollup.SUM, ["10%", " 5 "], "15"),
        (Rollup.SUM, ["10", None, "5"], "15"),  # a period without realisation is skipped
        (Rollup.SUM, ["-5", "5"], "0"),
        (Rollup.SUM, ["0.1", "0.2"], "0.3"),
        (Rollup.AVERAGE, ["60", "70", "80", "90"], "75"),
        (Rollup.AVERAGE, ["62", None, "95"], "78.5"),
        (Rollup.AVERAGE, ["1", "1", "2"], "1.33"),
        (Rollup.AVERAGE, ["95%"], "95"),
        (Rollup.LAST, ["60", "70", "80"], "80"),
        (Rollup.LAST, ["60", "70", None], "70"),  # the latest recorded one
        (Rollup.LAST, ["draf", "selesai"], "selesai"),  # non-numeric: taken as written
        (Rollup.LAST, ["60", "selesai 100%"], "selesai 100%"),
    ],
)
def test_numeric_realisations_roll_up_by_their_kind(kind: Rollup, values: list[str | None], expected: str) -> None:
    assert roll_up(kind, values) == expected


@pytest.mark.parametrize("kind", [Rollup.SUM, Rollup.AVERAGE])
def test_a_non_numeric_realisation_gives_no_sum_or_average(kind: Rollup) -> None:
    assert roll_up(kind, ["10", "selesai"]) is None
    assert roll_up(kind, ["dokumen final"]) is None


@pytest.mark.parametrize("kind", list(Rollup))
def test_nothing_recorded_gives_no_pre_fill(kind: Rollup) -> None:
    assert roll_up(kind, []) is None
    assert roll_up(kind, [None, None]) is None


def test_the_clock_reads_real_time_unless_set_and_today_is_the_day_in_palembang() -> None:
    clock = Clock()
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert before <= clock.now() <= dt.datetime.now(dt.UTC)
    clock.fixed = dt.datetime(2025, 12, 31, 17, 30, 0, 123456, tzinfo=dt.UTC)  # 1 January 00:30 in WIB
    assert clock.today() == D(2026, 1, 1)
    assert clock.now().microsecond == 123000
    clock.fixed = dt.datetime(2025, 12, 31, 16, 59, tzinfo=dt.UTC)
    assert clock.today() == D(2025, 12, 31)


@pytest.mark.parametrize(
    ("period", "start"),
    [
        ("2026", dt.date(2026, 1, 1)),
        ("2026-S1", dt.date(2026, 1, 1)),
        ("2026-S2", dt.date(2026, 7, 1)),
        ("2026-Q1", dt.date(2026, 1, 1)),
        ("2026-Q4", dt.date(2026, 10, 1)),
        ("2026-03", dt.date(2026, 3, 1)),
        ("2026-12", dt.date(2026, 12, 1)),
    ],
)
def test_a_period_starts_on_its_first_day(period: str, start: dt.date) -> None:
    assert period_start(period) == start


@pytest.mark.parametrize(
    ("skp_due", "evaluation_due", "wrong"),
    [
        (dt.date(2026, 1, 31), {"2026-Q1": dt.date(2026, 4, 15), "2026": dt.date(2027, 1, 31)}, []),
        (dt.date(2025, 12, 1), {"2026-Q1": dt.date(2026, 3, 31)}, []),  # the earliest of each
        (dt.date(2026, 12, 31), {"2026-Q1": dt.date(2027, 4, 1)}, []),  # the latest of each
        (dt.date(2025, 11, 30), {}, ["skp_due"]),
        (dt.date(2027, 1, 1), {}, ["skp_due"]),
        (dt.date(1, 1, 1), {}, ["skp_due"]),
        (dt.date(9999, 12, 31), {}, ["skp_due"]),
        (dt.date(2026, 1, 31), {"2026-Q1": dt.date(2026, 3, 30)}, ["evaluation_due 2026-Q1"]),  # before it ends
        (dt.date(2026, 1, 31), {"2026": dt.date(2028, 1, 2)}, ["evaluation_due 2026"]),
        (dt.date(2026, 1, 31), {"2026-Q2": dt.date(1, 1, 1), "2026-Q3": dt.date(9999, 1, 1)}, ["Q2", "Q3"]),
    ],
)
def test_a_years_deadlines_lie_within_reach(
    skp_due: dt.date, evaluation_due: dict[str, dt.date], wrong: list[str]
) -> None:
    problems = deadline_problems(2026, skp_due, evaluation_due)
    assert len(problems) == len(wrong)
    for problem, name in zip(problems, wrong, strict=True):
        assert name in problem.en
        assert name in problem.ind


@pytest.mark.parametrize(
    ("until", "allowed"),
    [
        (dt.date(2026, 11, 29), True),
        (dt.date(2027, 11, 30), True),  # 366 days ahead
        (dt.date(2027, 12, 1), False),
        (dt.date(2026, 11, 28), False),
        (dt.date(9999, 12, 31), False),
        (dt.date(1, 1, 1), False),
    ],
)
def test_an_extension_ends_between_today_and_a_year_ahead(until: dt.date, allowed: bool) -> None:
    assert (extension_problem(until, dt.date(2026, 11, 29)) is None) is allowed
