import datetime as dt

import pytest

from shared.effectiveness import (
    Completion,
    Effect,
    Outcome,
    Result,
    by_need_kind,
    by_programme,
    outcome,
    period_bounds,
)
from shared.events import Predikat
from shared.regulation import RegulationError

SB, B, BP, K, SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG_MISCONDUCT,
    Predikat.SANGAT_KURANG,
)


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("2026", "2026-01-01", "2026-12-31"),
        ("2026-S1", "2026-01-01", "2026-06-30"),
        ("2026-S2", "2026-07-01", "2026-12-31"),
        ("2026-Q1", "2026-01-01", "2026-03-31"),
        ("2026-Q4", "2026-10-01", "2026-12-31"),
        ("2028-02", "2028-02-01", "2028-02-29"),
    ],
)
def test_period_bounds(period: str, first: str, last: str) -> None:
    assert period_bounds(period) == (dt.date.fromisoformat(first), dt.date.fromisoformat(last))


@pytest.mark.parametrize("bad", ["26", "2026-Q5", "2026-13", "2026-S3", "1999", "2026-q1", ""])
def test_period_bounds_refuses_nonsense(bad: str) -> None:
    with pytest.raises(RegulationError) as exc:
        period_bounds(bad)
    assert exc.value.code == "period_invalid"


def c(
    code: str = "P1", on: str = "2026-05-10", nip: str = "n1", kind: str = "low_score", base: Predikat | None = None
) -> Completion:
    return Completion(nip, code, kind, dt.date.fromisoformat(on), base)


@pytest.mark.parametrize(
    ("results", "baseline", "expected"),
    [
        ([Result("n1", "2026-Q1", BP), Result("n1", "2026-Q2", B)], None, Outcome.IMPROVED),
        ([Result("n1", "2026-Q1", BP), Result("n1", "2026-Q2", BP)], None, Outcome.UNCHANGED),
        ([Result("n1", "2026-Q1", BP), Result("n1", "2026-Q2", K)], None, Outcome.WORSENED),
        ([Result("n1", "2026-Q1", BP)], None, Outcome.NO_LATER_RESULT),
        ([Result("n1", "2026-Q2", B)], None, Outcome.NO_BASELINE),
        ([Result("n1", "2026-Q2", B)], K, Outcome.IMPROVED),
        ([Result("n1", "2026-Q1", SB), Result("n1", "2026-Q2", B)], K, Outcome.IMPROVED),  # the need's own result wins
        ([Result("n2", "2026-Q1", BP), Result("n2", "2026-Q2", B)], None, Outcome.NO_LATER_RESULT),  # someone else
    ],
)
def test_outcome(results: list[Result], baseline: Predikat | None, expected: Outcome) -> None:
    assert outcome(c(base=baseline), results)[0] is expected


def test_the_first_later_result_counts_not_the_best() -> None:
    results = [Result("n1", "2026-Q1", BP), Result("n1", "2026-Q3", SB), Result("n1", "2026-Q2", BP)]
    result, later = outcome(c(), results)
    assert (result, later) == (Outcome.UNCHANGED, Result("n1", "2026-Q2", BP))


def test_a_result_ending_on_the_completion_day_is_before_it() -> None:
    results = [Result("n1", "2026-Q2", BP), Result("n1", "2026-Q3", B)]
    assert outcome(c(on="2026-06-30"), results) == (Outcome.IMPROVED, Result("n1", "2026-Q3", B))


def test_the_annual_result_is_taken_over_a_quarter_ending_the_same_day() -> None:
    results = [
        Result("n1", "2026-Q4", SB),
        Result("n1", "2026", B),
        Result("n1", "2025", BP),
        Result("n1", "2025-Q4", SK),
    ]
    assert outcome(c(on="2026-01-20"), results) == (Outcome.IMPROVED, Result("n1", "2026", B))


def test_aggregates_keep_the_counts_behind_the_rate() -> None:
    results = [
        Result("n1", "2026-Q1", BP),
        Result("n1", "2026-Q3", B),
        Result("n2", "2026-Q1", K),
        Result("n2", "2026-Q3", K),
        Result("n3", "2026-Q1", BP),
    ]
    completions = [
        c("P1", nip="n1"),
        c("P1", nip="n2"),
        c("P1", nip="n3"),
        c("P2", nip="n1", kind="development_plan"),
    ]
    assert by_programme(completions, results) == [
        Effect("P1", n_completed=3, n_with_later_result=2, n_improved=1, n_unchanged=1),
        Effect("P2", n_completed=1, n_with_later_result=1, n_improved=1),
    ]
    kinds = by_need_kind(completions, results)
    assert [(e.key, e.n_completed, e.improvement_rate) for e in kinds] == [
        ("development_plan", 1, 1.0),
        ("low_score", 3, 0.5),
    ]
    assert Effect("X", n_completed=2).improvement_rate is None
    assert by_programme([], results) == []
