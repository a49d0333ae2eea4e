"""The figures of the OPD and city views."""

import datetime as dt

import pytest

from reporting.domain import summaries as s

A = "199001012015011001"
B = "199001012015011002"
C = "199001012015011003"


def appraisal(predikat: str, *, due: str | None = "2026-04-15", late: bool = False) -> dict[str, object]:
    return {"predikat": predikat, "due": due, "late": late}


def flag(unit: str | None, *indicators: str, status: str = "flagged", escalated: bool = False) -> dict[str, object]:
    return {
        "status": status,
        "unit_code": unit,
        "escalated": escalated,
        "weak_indicators": [{"indicator": i, "rhk": "Layanan"} for i in indicators],
        "weak_behaviours": ["kolaboratif"],
    }


def test_distribution_counts_every_predikat_and_timeliness() -> None:
    d = s.distribution([appraisal("baik"), appraisal("baik", late=True), appraisal("sangat_baik", due=None)], [])
    assert d["total"] == 3
    assert d["counts"] == {
        "sangat_baik": 1,
        "baik": 2,
        "butuh_perbaikan": 0,
        "kurang_misconduct": 0,
        "sangat_kurang": 0,
    }
    assert (d["with_due"], d["on_time"], d["late"]) == (2, 1, 1)


def test_hotspots_rank_units_and_indicators_and_leave_out_withdrawn_flags() -> None:
    d = s.distribution(
        [],
        [
            flag("PUSKESMAS-1", "Cakupan imunisasi", "Cakupan imunisasi"),  # counted once per employee
            flag("PUSKESMAS-1", "Cakupan imunisasi", escalated=True),
            flag("PUSKESMAS-2", "Kunjungan rumah"),
            flag("PUSKESMAS-2", "Cakupan imunisasi", status="withdrawn"),
            flag(None),
        ],
    )
    assert d["low"] == 4
    assert d["escalated"] == 1
    assert d["low_by_unit"][0] == {"unit_code": "PUSKESMAS-1", "low": 2}
    assert {"unit_code": "-", "low": 1} in d["low_by_unit"]
    assert d["low_by_indicator"][0] == {"indicator": "Cakupan imunisasi", "rhk": "Layanan", "low": 2}
    assert d["low_by_behaviour"] == [{"value": "kolaboratif", "low": 4}]


def test_curve_against_the_organisation_predikat() -> None:
    counts = {"sangat_baik": 1, "baik": 9, "butuh_perbaikan": 0, "kurang_misconduct": 0, "sangat_kurang": 0}
    c = s.curve("baik", counts)
    rules = [v["rule"] for v in c["violations"]]
    assert any("paling banyak 70%" in r for r in rules)  # 90 % Baik
    assert any("harus ada" in r for r in rules)  # nobody below Baik
    assert c["organisation_predikat"] == "baik"
    assert c["pattern"]
    assert s.curve(None, counts) == {"organisation_predikat": None, "pattern": None, "violations": [], "warnings": []}
    fine = {"sangat_baik": 2, "baik": 6, "butuh_perbaikan": 2, "kurang_misconduct": 0, "sangat_kurang": 0}
    assert s.curve("baik", fine)["violations"] == []


def test_jp_compliance_pns_minimum_and_pppk_cap_by_contract_year() -> None:
    people = [
        {"_id": A, "employee_type": "PNS"},
        {"_id": B, "employee_type": "PNS"},
        {"_id": C, "employee_type": "PPPK", "contract_start": "2025-07-01"},
    ]
    completions = [
        {"nip": A, "jp": 12, "year": 2026, "completed_on": "2026-03-01"},
        {"nip": A, "jp": 8, "year": 2026, "completed_on": "2026-05-01"},
        {"nip": B, "jp": 30, "year": 2025, "completed_on": "2025-05-01"},  # last year: not this year's
        {"nip": C, "jp": 20, "year": 2025, "completed_on": "2025-12-01"},  # same contract year as the next
        {"nip": C, "jp": 8, "year": 2026, "completed_on": "2026-02-01"},
    ]
    jp = s.jp_compliance(people, completions, 2026, dt.date(2026, 3, 1))
    assert (jp["pns"], jp["pns_met"], jp["pns_met_share"]) == (2, 1, 0.5)
    assert (jp["pppk"], jp["pppk_within_cap"], jp["pppk_with_training"]) == (1, 0, 1)  # 28 JP > 24
    later = s.jp_compliance(people, completions, 2026, dt.date(2026, 8, 1))  # a new contract year began 1 July
    assert later["pppk_within_cap"] == 1
    assert later["pppk_with_training"] == 0


def test_skp_adoption_counts_each_active_employee_once() -> None:
    people = [{"_id": A}, {"_id": B}, {"_id": C}]
    approvals = [{"nip": A, "late": False}, {"nip": B, "late": True}, {"nip": "someone-who-left", "late": False}]
    skps = [{"nip": A, "status": "approved"}, {"nip": B, "status": "approved"}, {"nip": C, "status": "returned"}]
    adoption = s.skp_adoption(people, approvals, skps)
    assert adoption == {
        "employees": 3,
        "approved": 2,
        "approved_on_time": 1,
        "approved_on_time_share": 0.3333,
        "waiting": 0,
        "returned": 1,
        "not_submitted": 0,
    }


def test_year_summary_inbox_and_cases() -> None:
    y = s.year_summary(
        [{"_id": A, "employee_type": "PNS"}, {"_id": B, "employee_type": "PPPK"}],
        [],
        [],
        [],
        [{"status": "active", "escalated": True}, {"status": "awaiting_input"}, {"status": "withdrawn"}],
        [{"status": "filed"}, {"status": "decided"}],
        {"delivered": 3, "read": 1, "failed": 2},
        year=2026,
        today=dt.date(2026, 5, 1),
    )
    assert (y["employees"], y["pns"], y["pppk"]) == (2, 1, 1)
    assert y["inbox"] == {"delivered": 4, "read": 1, "read_share": 0.25, "failed": 2}
    assert (y["plans_open"], y["plans_awaiting_input"], y["plans_escalated"], y["objections_pending"]) == (2, 1, 1, 1)
    assert y["skp"]["not_submitted"] == 2


def test_effectiveness_per_programme_from_the_result_that_raised_the_need() -> None:
    completions = [
        {"nip": A, "program_code": "P1", "completed_on": "2026-04-10", "recommendation_id": "r1"},
        {"nip": B, "program_code": "P1", "completed_on": "2026-04-10", "recommendation_id": "r2"},
        {"nip": C, "program_code": "P2", "completed_on": "2026-04-10", "recommendation_id": "unknown"},
    ]
    recommendations = {
        "r1": {"reason": "low_score", "source_appraisal_id": "a1"},
        "r2": {"reason": "development_area", "source_appraisal_id": "b1"},
    }
    results = [
        {"nip": A, "period": "2026-Q1", "predikat": "butuh_perbaikan"},
        {"nip": A, "period": "2026-Q2", "predikat": "baik"},
        {"nip": B, "period": "2026-Q1", "predikat": "baik"},
        {"nip": B, "period": "2026-Q2", "predikat": "baik"},
    ]
    e = s.effectiveness(completions, recommendations, {"a1": "butuh_perbaikan", "b1": "baik"}, results)
    assert e["by_programme"] == [
        {
            "key": "P1",
            "completed": 2,
            "with_later_result": 2,
            "improved": 1,
            "unchanged": 1,
            "worsened": 0,
            "improvement_rate": 0.5,
        }
    ]
    assert [row["key"] for row in e["by_need_kind"]] == ["development_area", "low_score"]


def test_adoption_is_ranked_best_first_with_unknown_scores_last() -> None:
    year_doc = {
        "employees": 10,
        "skp": {"approved_on_time": 8, "approved_on_time_share": 0.8},
        "inbox": {"read_share": 0.5},
    }
    dists = [{"with_due": 10, "on_time": 9}, {"with_due": 10, "on_time": 7}]
    row = s.adoption_row("DINKES", year_doc, dists)
    assert row["evaluations_on_time_share"] == 0.8
    assert row["score"] == pytest.approx(0.7)
    rows = s.ranked(
        [s.adoption_row("NONE", None, []), row, s.adoption_row("DISDIK", {"skp": {"approved_on_time_share": 0.9}}, [])]
    )
    assert [(r["opd_code"], r["rank"]) for r in rows] == [("DISDIK", 1), ("DINKES", 2), ("NONE", 3)]


def test_shares_and_counts() -> None:
    assert s.share(1, 3) == 0.3333
    assert s.share(1, 0) is None
    assert s.predikat_counts(["baik", "legendary"])["baik"] == 1
    assert sum(s.predikat_counts(["legendary"]).values()) == 0
    assert s.add_counts([{"baik": 1}, {"baik": 2, "sangat_baik": 1}])["baik"] == 3
    done = [
        {"jp": 8, "completed_on": "2026-02-01"},
        {"jp": 4.5, "completed_on": "2026-12-31"},
        {"jp": 9, "completed_on": "2025-12-31"},
    ]
    assert s.jp_in(done, (dt.date(2026, 1, 1), dt.date(2026, 12, 31))) == 12.5
    assert s.jp_in(done, None) == 0


def test_the_employee_view_and_the_opd_view_apply_one_jp_rule() -> None:
    pppk = {"_id": C, "employee_type": "PPPK", "contract_start": "2025-07-01"}
    done = [
        {"nip": C, "jp": 20, "year": 2026, "completed_on": "2026-03-02"},
        {"nip": C, "jp": 10, "year": 2026, "completed_on": "2026-09-01"},
    ]
    today = dt.date(2026, 11, 30)
    standing = s.jp_standing(pppk, done, 2026, today)
    assert (standing["earned"], standing["met"], standing["counted_from"]) == (10.0, True, "2026-07-01")
    assert s.jp_compliance([pppk], done, 2026, today)["pppk_within_cap"] == 1
    early = s.jp_standing(pppk, done, 2026, dt.date(2026, 5, 1))  # the contract year 2025-07-01 - 2026-06-30
    assert (early["earned"], early["met"]) == (20.0, True)
    later = {**pppk, "contract_start": "2030-01-01"}
    assert s.jp_standing(later, done, 2026, today) | {} == {
        "year": 2026,
        "earned": 0.0,
        "minimum": None,
        "cap": 24,
        "met": True,
        "counted_from": None,
        "counted_to": None,
    }
    pns = {"_id": A, "employee_type": "PNS"}
    assert s.jp_standing(pns, [{"jp": 20, "completed_on": "2026-01-05"}], 2026, today)["met"] is True


def test_a_pppk_whose_contract_has_not_begun_is_within_the_cap() -> None:
    people = [{"_id": C, "employee_type": "PPPK", "contract_start": "2027-01-01"}]
    jp = s.jp_compliance(people, [], 2026, dt.date(2026, 5, 1))
    assert (jp["pppk"], jp["pppk_within_cap"], jp["pppk_with_training"]) == (1, 1, 0)
