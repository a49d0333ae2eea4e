"""Mutation mid-year (domain.md 1.9): spans, the split, the SKP a period is evaluated against, signers."""

import datetime as dt

import pytest

from appraisal.domain.evaluation import period_end
from appraisal.domain.mutation import (
    MAX_SEGMENTS,
    Span,
    is_mutation,
    mutation_date_problem,
    next_span,
    segment_on,
    signed_by,
    split_end,
    year_span,
)

D = dt.date
TODAY = D(2026, 5, 20)


def test_the_first_skp_of_a_year_spans_the_year() -> None:
    assert year_span(2026) == Span(D(2026, 1, 1), D(2026, 12, 31))


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (TODAY, None),
        (D(2026, 1, 1), None),
        (D(2025, 1, 1), None),  # last year: a registry brought up to date in January
        (D(2024, 12, 31), "too_old"),
        (TODAY + dt.timedelta(days=1), "future"),
        (D(2026, 12, 31), "future"),
    ],
)
def test_a_mutation_date_lies_this_year_or_last_and_not_ahead(day: dt.date, problem: str | None) -> None:
    assert mutation_date_problem(day, TODAY) == problem


@pytest.mark.parametrize(
    ("after", "mutation"),
    [
        ({"pejabat_penilai_nip": "B", "opd_code": "DINKES"}, True),
        ({"pejabat_penilai_nip": "A", "opd_code": "DISDIK"}, True),
        ({"pejabat_penilai_nip": None, "opd_code": "DINKES"}, True),
        ({"pejabat_penilai_nip": "A", "opd_code": "DINKES", "unit_code": "P2P", "position_title": "x"}, False),
        ({"pejabat_penilai_nip": "A", "opd_code": "DINKES", "atasan_pejabat_penilai_nip": "C"}, False),
    ],
)
def test_a_mutation_is_a_new_pejabat_penilai_or_another_opd(after: dict[str, object], mutation: bool) -> None:
    assert is_mutation({"pejabat_penilai_nip": "A", "opd_code": "DINKES"}, after) is mutation


def test_the_skp_in_force_ends_the_day_before_the_mutation() -> None:
    assert split_end(year_span(2026), D(2026, 5, 1)) == D(2026, 4, 30)
    assert split_end(year_span(2026), D(2026, 12, 31)) == D(2026, 12, 30)


@pytest.mark.parametrize("day", [D(2026, 1, 1), D(2025, 12, 31), D(2027, 1, 1)])
def test_no_split_on_the_first_day_or_outside_the_span(day: dt.date) -> None:
    assert split_end(year_span(2026), day) is None


def test_the_next_segment_runs_from_the_mutation_to_the_end_of_the_year() -> None:
    first = Span(D(2026, 1, 1), D(2026, 4, 30))
    assert next_span(first, 2026) == Span(D(2026, 5, 1), D(2026, 12, 31))


@pytest.mark.parametrize(
    ("period", "end"),
    [
        ("2026", D(2026, 12, 31)),
        ("2026-S1", D(2026, 6, 30)),
        ("2026-S2", D(2026, 12, 31)),
        ("2026-Q1", D(2026, 3, 31)),
        ("2026-Q4", D(2026, 12, 31)),
        ("2026-02", D(2026, 2, 28)),
        ("2028-02", D(2028, 2, 29)),
        ("2026-12", D(2026, 12, 31)),
    ],
)
def test_the_last_day_of_each_kind_of_period(period: str, end: dt.date) -> None:
    assert period_end(period) == end


def test_a_period_is_evaluated_against_the_segment_valid_on_its_last_day() -> None:
    spans = [Span(D(2026, 1, 1), D(2026, 4, 30)), Span(D(2026, 5, 1), D(2026, 12, 31))]
    assert segment_on(spans, period_end("2026-Q1")) == 0  # before the mutation: the old SKP
    assert segment_on(spans, period_end("2026-Q2")) == 1  # cut by the mutation: the new SKP
    assert segment_on(spans, period_end("2026")) == 1  # the annual evaluation: the last SKP
    assert segment_on(spans[:1], period_end("2026-Q2")) is None  # the new SKP is not drafted yet


def test_spans_overlap_when_they_share_a_day() -> None:
    first, rest = Span(D(2026, 1, 1), D(2026, 4, 30)), Span(D(2026, 5, 1), D(2026, 12, 31))
    assert not first.overlaps(rest)
    assert first.overlaps(Span(D(2026, 4, 30), D(2026, 6, 1)))
    assert year_span(2026).overlaps(rest)


def test_a_signer_reads_what_they_signed_and_nobody_else_does() -> None:
    assert signed_by("A", ["A", None])
    assert signed_by("B", [None, "B"])
    assert not signed_by("C", ["A", "B"])
    assert not signed_by("", [None, ""])


def test_segments_are_bounded() -> None:
    assert MAX_SEGMENTS == 12


def test_the_signers_of_an_evaluation_are_its_finaliser_and_the_decider_of_its_objection() -> None:
    from appraisal.services.evaluations import evaluation_signers

    open_one = {"status": "open", "pejabat_penilai_nip": "A", "objection": None}
    assert [s for s in evaluation_signers(open_one) if s] == []  # opened, not signed
    finalised = {**open_one, "status": "finalised", "objection": {"status": "rejected", "decided_by": "C"}}
    assert evaluation_signers(finalised) == ["A", "C"]
    recorded = {**finalised, "source": "recorded", "objection": None}
    assert [s for s in evaluation_signers(recorded) if s] == []  # typed by the BKPSDM, signed elsewhere


def test_the_signers_of_an_skp_are_whoever_approved_it_or_a_revision() -> None:
    from appraisal.services.planning import skp_signers

    history = [
        {"action": "create", "by": "S"},
        {"action": "submit", "by": "S"},
        {"action": "approve", "by": "A"},
        {"action": "revise", "by": "S"},
        {"action": "return", "by": "B"},
        {"action": "approve", "by": "B"},
    ]
    assert skp_signers({"history": history}) == ["A", "B"]
