import datetime as dt
import re

import pytest

from appraisal.domain.access import READ, Actor, Relation, Subject, may, relations
from appraisal.domain.followup import add_months, improvement_due, must_escalate, objection_open
from appraisal.domain.rules import OPD_SEED
from shared.events import Predikat

SB, B, BP, K, SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG_MISCONDUCT,
    Predikat.SANGAT_KURANG,
)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 1, 15), 6) == dt.date(2026, 7, 15)


def test_improvement_window_is_six_months() -> None:
    assert improvement_due(dt.date(2027, 1, 20)) == dt.date(2027, 7, 20)


def test_second_consecutive_low_annual_predikat_escalates() -> None:
    assert must_escalate({2025: K, 2026: BP}, 2026)
    assert not must_escalate({2025: B, 2026: BP}, 2026)
    assert not must_escalate({2026: SK}, 2026)  # no earlier year on record
    assert not must_escalate({2024: K, 2026: K}, 2026)  # not consecutive


def test_objection_window() -> None:
    finalised = dt.datetime(2027, 1, 20, 10, 0, tzinfo=dt.UTC)
    assert objection_open(finalised, finalised + dt.timedelta(days=14), 14)
    assert not objection_open(finalised, finalised + dt.timedelta(days=14, seconds=1), 14)


def test_the_opd_seed_holds_the_citys_units_once_each_with_a_sector() -> None:
    codes = [unit.code for unit in OPD_SEED]
    assert len(codes) == len(set(codes)) == 50
    assert sum(unit.kind == "kecamatan" for unit in OPD_SEED) == 18
    assert all(re.fullmatch(r"[A-Z0-9_-]{2,32}", code) for code in codes)
    assert all(re.fullmatch(r"[a-z_-]{2,40}", unit.sector) for unit in OPD_SEED)
    by_code = {unit.code: unit for unit in OPD_SEED}
    assert (by_code["DINKES"].sector, by_code["DISDIK"].sector) == ("kesehatan", "pendidikan")
    assert by_code["KEC-JAKABARING"].name == "Kecamatan Jakabaring"


SUBJECT = Subject("198609262015051001", "DINKES", "197501012000031001", "196801011990031001")


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (Actor("198609262015051001", frozenset({"pegawai"})), {Relation.SELF}),
        (Actor("197501012000031001", frozenset({"pejabat_penilai"})), {Relation.APPRAISER}),
        (Actor("197501012000031001", frozenset({"pegawai"})), set()),  # the role is needed too
        (Actor("196801011990031001", frozenset({"atasan_pejabat_penilai"})), {Relation.APPRAISERS_SUPERIOR}),
        (Actor("199001012020121001", frozenset({"admin_opd"}), "DINKES"), {Relation.OPD_ADMIN}),
        (Actor("199001012020121001", frozenset({"admin_opd"}), "DISDIK"), set()),
        (Actor("199001012020121001", frozenset({"admin_bkpsdm"})), {Relation.BKPSDM}),
        (Actor("199001012020121001", frozenset({"pimpinan"})), set()),
        (Actor("199001012020121001", frozenset({"pejabat_penilai"})), set()),  # not their report
    ],
)
def test_relations_and_read_access(actor: Actor, expected: set[Relation]) -> None:
    assert relations(actor, SUBJECT) == expected
    assert may(actor, SUBJECT, READ) is bool(expected)


def test_plan_figures_count_open_plans_per_opd_and_status_and_those_past_due() -> None:
    import datetime as dt
    from typing import Any

    from appraisal.domain.followup import plan_figures

    plans: list[dict[str, Any]] = [
        {"opd_code": "DINKES", "development_plan": {"status": "active", "due_on": "2026-06-30"}},
        {"opd_code": "DINKES", "development_plan": {"status": "active", "due_on": "2026-12-31"}},
        {"opd_code": "DINKES", "development_plan": {"status": "awaiting_input", "due_on": None}},
        {"opd_code": "DISDIK", "development_plan": {"status": "active", "due_on": "2026-07-01"}},
        {"opd_code": "DISDIK", "development_plan": {"status": "withdrawn", "due_on": "2020-01-01"}},
        {"opd_code": "DISDIK"},
    ]
    assert plan_figures(plans, dt.date(2026, 7, 1)) == {
        ("DINKES", "active"): (2, 1),
        ("DINKES", "awaiting_input"): (1, 0),
        ("DISDIK", "active"): (1, 0),  # due today: not yet past due
    }
    assert plan_figures([], dt.date(2026, 7, 1)) == {}
