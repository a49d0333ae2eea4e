import datetime as dt
import math

import pytest

from shared.events import EmployeeType
from training.domain.errors import RuleError
from training.domain.jp import (
    JpProgress,
    LedgerEntry,
    LedgerSource,
    classify,
    jp_between,
    jp_for,
    jp_in_year,
    pppk_over_cap,
    pppk_remaining,
    who_is_behind,
)
from training.domain.rules import FORM_RULES, JP_RULES, Conversion, LearningForm, Modality

F = LearningForm
CLASSICAL = {
    F.PELATIHAN_STRUKTURAL_KEPEMIMPINAN,
    F.PELATIHAN_MANAJERIAL,
    F.PELATIHAN_TEKNIS,
    F.PELATIHAN_FUNGSIONAL,
    F.PELATIHAN_SOSIAL_KULTURAL,
    F.SEMINAR,
    F.WORKSHOP,
    F.KURSUS,
    F.PENATARAN,
    F.BIMBINGAN_TEKNIS,
    F.SOSIALISASI,
}


def test_every_form_has_a_rule_with_a_citation_and_the_right_modality() -> None:
    assert set(FORM_RULES) == set(LearningForm)
    for form, rule in FORM_RULES.items():
        assert rule.citation
        assert rule.modality is (Modality.KLASIKAL if form in CLASSICAL else Modality.NON_KLASIKAL)
    assert len([f for f in LearningForm if f not in CLASSICAL]) == 11


@pytest.mark.parametrize(
    ("form", "kwargs", "jp"),
    [
        (F.SEMINAR, {"days": 1}, 4),
        (F.SEMINAR, {"days": 1, "international": True}, 6),
        (F.SEMINAR, {"days": 2.5}, 10),
        (F.SEMINAR, {"days": 0.5}, 2),
        (F.WORKSHOP, {"days": 1}, 5),
        (F.WORKSHOP, {"days": 1, "international": True}, 7),
        (F.WORKSHOP, {"days": 3}, 15),
        (F.PELATIHAN_TEKNIS, {"jp_stated": 30}, 30),
        (F.PELATIHAN_TEKNIS, {"jp_stated": 30, "international": True}, 36),
        (F.PELATIHAN_MANAJERIAL, {"jp_stated": 5, "international": True}, 6),
        (F.PELATIHAN_FUNGSIONAL, {"jp_stated": 32, "international": True}, 38.4),
        (F.PELATIHAN_SOSIAL_KULTURAL, {"jp_stated": 12.5}, 12.5),
        (F.PELATIHAN_STRUKTURAL_KEPEMIMPINAN, {"jp_stated": 100}, 100),
        (F.PELATIHAN_STRUKTURAL_KEPEMIMPINAN, {"jp_stated": 100, "international": True}, 100),
        (F.BIMBINGAN_TEKNIS, {"jp_stated": 16}, 16),
        (F.KURSUS, {"jp_stated": 12, "international": True}, 12),
        (F.COACHING, {"minutes": 90}, 2),
        (F.COACHING, {"minutes": 100}, 2.22),
        (F.E_LEARNING, {"minutes": 45}, 1),
        (F.E_LEARNING, {"jp_stated": 3}, 3),
        (F.MAGANG, {"minutes": 2400}, 53.33),
    ],
)
def test_jp_conversion(form: LearningForm, kwargs: dict[str, float], jp: float) -> None:
    assert jp_for(form, **kwargs) == jp  # type: ignore[arg-type]


def test_one_jp_is_45_minutes() -> None:
    assert JP_RULES.minutes_per_jp == 45
    assert jp_for(F.BELAJAR_MANDIRI, minutes=45 * 20) == 20


@pytest.mark.parametrize(
    ("form", "kwargs", "code"),
    [
        (F.SEMINAR, {}, "jp_input_mismatch"),
        (F.SEMINAR, {"jp_stated": 4}, "jp_input_mismatch"),
        (F.SEMINAR, {"days": 1, "minutes": 60}, "jp_input_mismatch"),
        (F.SEMINAR, {"days": 0}, "jp_input_not_positive"),
        (F.SEMINAR, {"days": -1}, "jp_input_not_positive"),
        (F.SEMINAR, {"days": 0.3}, "jp_input_invalid"),
        (F.SEMINAR, {"days": 61}, "jp_input_too_large"),
        (F.SEMINAR, {"days": math.nan}, "jp_input_invalid"),
        (F.SEMINAR, {"days": math.inf}, "jp_input_invalid"),
        (F.WORKSHOP, {"days": True}, "jp_input_invalid"),
        (F.PELATIHAN_TEKNIS, {"days": 2}, "jp_input_mismatch"),
        (F.PELATIHAN_TEKNIS, {"jp_stated": 0}, "jp_input_not_positive"),
        (F.PELATIHAN_TEKNIS, {"jp_stated": -5}, "jp_input_not_positive"),
        (F.PELATIHAN_TEKNIS, {"jp_stated": 1001}, "jp_input_too_large"),
        (F.COACHING, {"days": 1}, "jp_input_mismatch"),
        (F.COACHING, {"minutes": 90, "jp_stated": 2}, "jp_input_mismatch"),
        (F.COACHING, {"minutes": 0}, "jp_input_not_positive"),
        (F.COACHING, {"minutes": 45 * 1000 + 1}, "jp_input_too_large"),
        (F.COACHING, {"minutes": 90.5}, "jp_input_invalid"),
        (F.COACHING, {}, "jp_input_mismatch"),
    ],
)
def test_jp_conversion_refuses_nonsense(form: LearningForm, kwargs: dict[str, float], code: str) -> None:
    with pytest.raises(RuleError) as exc:
        jp_for(form, **kwargs)  # type: ignore[arg-type]
    assert exc.value.code == code
    assert isinstance(exc.value, ValueError)


def test_per_day_forms_have_both_rates_and_stated_forms_none() -> None:
    for rule in FORM_RULES.values():
        per_day = rule.conversion is Conversion.PER_DAY
        assert (rule.jp_per_day_national is not None) is per_day
        assert (rule.jp_per_day_international is not None) is per_day


def _entry(ref: str, jp: float, on: str, year: int | None = None, **kw: object) -> LedgerEntry:
    day = dt.date.fromisoformat(on)
    return LedgerEntry(ref, kw.pop("source", LedgerSource.COMPLETION), jp, day, year or day.year, **kw)  # type: ignore[arg-type]


def test_ledger_counts_each_ref_once_and_only_approved_external_learning() -> None:
    entries = [
        _entry("e1", 8, "2026-02-10"),
        _entry("e1", 8, "2026-02-10"),  # redelivered
        _entry("x1", 6, "2026-03-01", source=LedgerSource.EXTERNAL, approved=True),
        _entry("x2", 10, "2026-03-02", source=LedgerSource.EXTERNAL, approved=False),
        _entry("e2", 4, "2025-12-30"),
        _entry("e3", 2.5, "2026-01-03", year=2025),
    ]
    assert jp_in_year(entries, 2026) == 14
    assert jp_in_year(entries, 2025) == 6.5
    assert jp_between(entries, dt.date(2026, 1, 1), dt.date(2026, 2, 28)) == 10.5


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (_entry("a", 0, "2026-01-05"), "jp_input_not_positive"),
        (_entry("a", -3, "2026-01-05"), "jp_input_not_positive"),
        (_entry("a", 1001, "2026-01-05"), "jp_input_too_large"),
        (_entry("a", 2, "2026-01-05", year=2024), "ledger_year_mismatch"),
        (_entry("a", 2, "2026-01-05", year=2027), "ledger_year_mismatch"),
        (_entry("", 2, "2026-01-05"), "ledger_ref_invalid"),
    ],
)
def test_ledger_refuses_bad_entries(entry: LedgerEntry, code: str) -> None:
    with pytest.raises(RuleError) as exc:
        jp_in_year([entry], 2026)
    assert exc.value.code == code


def test_ledger_refuses_one_ref_recorded_differently() -> None:
    with pytest.raises(RuleError) as exc:
        jp_in_year([_entry("e1", 8, "2026-02-10"), _entry("e1", 9, "2026-02-10")], 2026)
    assert exc.value.code == "ledger_ref_conflict"


@pytest.mark.parametrize(("used", "left", "over"), [(0, 24, 0), (20, 4, 0), (24, 0, 0), (30, 0, 6)])
def test_pppk_cap(used: float, left: float, over: float) -> None:
    assert pppk_remaining(used) == left
    assert pppk_over_cap(used) == over


@pytest.mark.parametrize("bad", [-1, math.nan])
def test_pppk_cap_refuses_negative(bad: float) -> None:
    with pytest.raises(ValueError, match="negative"):
        pppk_remaining(bad)
    with pytest.raises(ValueError, match="negative"):
        pppk_over_cap(bad)


@pytest.mark.parametrize(
    ("earned", "as_of", "progress", "shortfall"),
    [
        (20, "2026-03-01", JpProgress.MET, 0),
        (25, "2026-12-31", JpProgress.MET, 0),
        (0, "2026-02-01", JpProgress.BEHIND, 20),  # expected 1.75 by then; not yet "not started"
        (2, "2026-02-01", JpProgress.ON_TRACK, 18),
        (0, "2026-04-15", JpProgress.NOT_STARTED, 20),
        (8, "2026-06-30", JpProgress.BEHIND, 12),  # expected 9.92
        (10, "2026-06-30", JpProgress.ON_TRACK, 10),
        (19, "2026-12-31", JpProgress.BEHIND, 1),
    ],
)
def test_pns_progress(earned: float, as_of: str, progress: JpProgress, shortfall: float) -> None:
    standing = classify(EmployeeType.PNS, earned, as_of=dt.date.fromisoformat(as_of))
    assert (standing.progress, standing.shortfall, standing.minimum_jp) == (progress, shortfall, 20)


def test_pns_progress_of_a_past_year_expects_the_whole_minimum() -> None:
    standing = classify(EmployeeType.PNS, 12, as_of=dt.date(2027, 1, 10), year=2026)
    assert (standing.expected_by_now, standing.progress) == (20, JpProgress.BEHIND)


@pytest.mark.parametrize(
    ("used", "progress"),
    [(0, JpProgress.WITHIN_CAP), (23.5, JpProgress.WITHIN_CAP), (24, JpProgress.AT_CAP), (25, JpProgress.OVER_CAP)],
)
def test_pppk_progress(used: float, progress: JpProgress) -> None:
    assert classify(EmployeeType.PPPK, used, as_of=dt.date(2026, 6, 1)).progress is progress


def test_classify_refuses_negative_jp() -> None:
    with pytest.raises(RuleError):
        classify(EmployeeType.PNS, -1, as_of=dt.date(2026, 6, 1))


def test_who_is_behind_lists_not_started_then_behind_then_over_cap_by_size() -> None:
    june = dt.date(2026, 6, 30)
    standings = {
        "C": classify(EmployeeType.PNS, 2, as_of=june),
        "A": classify(EmployeeType.PNS, 5, as_of=june),
        "B": classify(EmployeeType.PNS, 0, as_of=june),
        "D": classify(EmployeeType.PNS, 20, as_of=june),
        "E": classify(EmployeeType.PPPK, 30, as_of=june),
        "F": classify(EmployeeType.PPPK, 10, as_of=june),
        "G": classify(EmployeeType.PNS, 12, as_of=june),
    }
    assert [nip for nip, _ in who_is_behind(standings)] == ["B", "C", "A", "E"]
