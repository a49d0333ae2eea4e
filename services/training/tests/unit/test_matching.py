import dataclasses
from typing import Any

import pytest

from shared.events import (
    AppraisalCompletedPayload,
    BerAkhlakValue,
    DevelopmentPlanChangedPayload,
    EmployeeType,
    LowScoreFlaggedPayload,
    PositionType,
)
from training.domain.catalogue_seed import SEED_CATALOGUE
from training.domain.errors import RuleError
from training.domain.matching import (
    MAX_EXPLANATION,
    Need,
    NeedKind,
    ProgrammeMatch,
    Reason,
    need_from_completed,
    need_from_development_plan,
    need_from_low_score,
    need_key,
    plain_text,
    recommend,
    recommendation_id,
)
from training.domain.rules import BEHAVIOUR_RULES, MATCH_RULES, Competency, Dimension

NIP = "198609262015051001"
BELOW = "di_bawah_ekspektasi"


def low(**kw: Any) -> LowScoreFlaggedPayload:
    base: dict[str, Any] = {
        "appraisal_id": "ap-1",
        "nip": NIP,
        "opd_code": "DINKES",
        "sector": "kesehatan",
        "period": "2026-Q1",
        "predikat": "butuh_perbaikan",
        "hasil_kerja": BELOW,
        "perilaku_kerja": "sesuai_ekspektasi",
        "weak_indicators": [],
        "weak_behaviours": [],
        "employee_type": "PNS",
        "position_type": "JF",
    }
    return LowScoreFlaggedPayload.model_validate(base | kw)


def ind(text: str, aspect: str | None = None, rhk: str | None = None) -> dict[str, Any]:
    return {
        "rhk_id": "r",
        "indicator_id": "i",
        "indicator_text": text,
        "aspect": aspect,
        "target": "1",
        "rhk_text": rhk,
    }


def beh(value: str) -> dict[str, str]:
    return {"value": value, "rating": BELOW}


def codes(need: Need, **kw: Any) -> list[str]:
    return [m.programme.code for m in recommend(need, SEED_CATALOGUE, **kw).matches]


def test_immunisation_indicator_of_a_puskesmas_officer_gives_the_immunisation_training_first() -> None:
    need = need_from_low_score(low(weak_indicators=[ind("Cakupan imunisasi dasar lengkap", "kuantitas")]))
    rec = recommend(need, SEED_CATALOGUE)
    first = rec.matches[0]
    assert first.programme.code == "KES-IMUN-01"
    assert first.explanation.startswith("karena: indikator 'Cakupan imunisasi dasar lengkap' di bawah target")
    assert "program untuk sektor kesehatan" in first.explanation


def test_weak_kolaboratif_explains_itself() -> None:
    need = need_from_low_score(
        low(hasil_kerja="sesuai_ekspektasi", perilaku_kerja=BELOW, weak_behaviours=[beh("kolaboratif")])
    )
    rec = recommend(need, SEED_CATALOGUE, limit=20)
    assert all("nilai Kolaboratif di bawah ekspektasi" in m.explanation for m in rec.matches[:3])
    assert {"KOLAB-01", "BERAKHLAK-EL-02"} <= {m.programme.code for m in rec.matches}


@pytest.mark.parametrize("value", list(BerAkhlakValue))
def test_every_weak_value_finds_a_programme_that_develops_it(value: BerAkhlakValue) -> None:
    need = need_from_low_score(low(weak_behaviours=[beh(value.value)], sector=None))
    rec = recommend(need, SEED_CATALOGUE)
    assert rec.matches
    assert value in rec.matches[0].programme.berakhlak_values
    assert BEHAVIOUR_RULES[value].citation


@pytest.mark.parametrize(
    ("sector", "text", "expected"),
    [
        ("pendidikan", "Persentase guru yang menerapkan Kurikulum Merdeka", "DIK-KURMER-01"),
        ("pendidikan", "Pertemuan dengan orang tua siswa terlaksana", "DIK-ORTU-01"),
        ("kesehatan", "Prevalensi stunting balita", "KES-GIZI-01"),
        ("kependudukan", "Penerbitan akta kelahiran", "PEL-ADMINDUK-01"),
        ("lingkungan", "Volume sampah terangkut ke TPA", "LH-SAMPAH-01"),
        ("pemerintahan", "Dokumen SKP pegawai tersusun", "SKP-IKI-01"),
        ("keuangan", "Realisasi anggaran belanja", "KEU-01"),
    ],
)
def test_work_result_keywords_point_to_the_sector_programme(sector: str, text: str, expected: str) -> None:
    need = need_from_low_score(low(sector=sector, weak_indicators=[ind(text)]))
    assert codes(need)[0] == expected


def test_sector_programmes_are_only_for_their_sector() -> None:
    need = need_from_low_score(low(sector="pendidikan", weak_indicators=[ind("Cakupan imunisasi dasar lengkap")]))
    assert not {c for c in codes(need, limit=20) if c.startswith("KES-")}
    unknown = need_from_low_score(low(sector=None, weak_indicators=[ind("Cakupan imunisasi dasar lengkap")]))
    assert not {c for c in codes(unknown, limit=20) if c.startswith("KES-")}


def test_supervisor_only_programmes_need_a_supervisor() -> None:
    weak = [ind("Nilai kinerja unit", "kualitas")]
    staff = need_from_low_score(low(sector="pemerintahan", weak_indicators=weak, position_type="PELAKSANA"))
    chief = need_from_low_score(low(sector="pemerintahan", weak_indicators=weak, position_type="PENGAWAS"))
    assert "KIN-PENILAI-01" not in codes(staff, limit=20)
    assert "KIN-PENILAI-01" in codes(chief, limit=20)
    match = next(m for m in recommend(chief, SEED_CATALOGUE, limit=20).matches if m.programme.code == "KIN-PENILAI-01")
    assert "program untuk jabatan pengawas" in match.explanation


def test_aspect_alone_points_to_time_management() -> None:
    need = need_from_low_score(low(sector="pemerintahan", weak_indicators=[ind("Persentase X", "waktu")]))
    first = recommend(need, SEED_CATALOGUE).matches[0]
    assert Competency.MANAJEMEN_WAKTU in first.programme.competencies
    assert "(aspek waktu)" in first.explanation


def test_low_dimension_alone_gives_technical_and_behaviour_programmes() -> None:
    need = need_from_low_score(low(sector="pemerintahan", perilaku_kerja=BELOW))
    assert need.low_dimensions == {Dimension.HASIL_KERJA, Dimension.PERILAKU_KERJA}
    rec = recommend(need, SEED_CATALOGUE, limit=20)
    assert any("perilaku kerja di bawah ekspektasi" in m.explanation for m in rec.matches)
    assert any("hasil kerja di bawah ekspektasi" in m.explanation for m in rec.matches)


def test_a_direct_work_area_match_outranks_a_sector_fit() -> None:
    need = need_from_low_score(low(sector="keuangan", weak_indicators=[ind("Realisasi anggaran belanja")]))
    matches = recommend(need, SEED_CATALOGUE).matches
    assert [m.programme.code for m in matches[:2]] == ["KEU-01", "PAD-01"]
    assert (matches[0].bonus, matches[1].bonus) == (0, 2)


def test_no_weakness_no_recommendation() -> None:
    need = need_from_low_score(low(hasil_kerja="sesuai_ekspektasi"))
    assert recommend(need, SEED_CATALOGUE).matches == ()


def test_ranking_is_by_score_then_code_and_deterministic() -> None:
    need = need_from_low_score(low(weak_behaviours=[beh("akuntabel"), beh("adaptif")], sector="komunikasi"))
    rec = recommend(need, SEED_CATALOGUE, limit=20)
    keys = [(-m.score, -m.bonus, m.programme.code) for m in rec.matches]
    assert keys == sorted(keys)
    assert all(m.score + m.bonus == sum(r.points for r in m.reasons) for m in rec.matches)
    assert recommend(need, tuple(reversed(SEED_CATALOGUE)), limit=20) == rec


def test_never_the_same_programme_twice_for_a_need() -> None:
    need = need_from_low_score(low(weak_indicators=[ind("Cakupan imunisasi dasar lengkap")]))
    first = codes(need)
    again = codes(need, exclude=first)
    assert not set(first) & set(again)
    doubled = recommend(need, SEED_CATALOGUE + SEED_CATALOGUE, limit=20).matches
    assert len({m.programme.code for m in doubled}) == len(doubled)


@pytest.mark.parametrize("limit", [0, -1, 21, True])
def test_limit_is_bounded(limit: int) -> None:
    need = need_from_low_score(low())
    with pytest.raises(RuleError) as exc:
        recommend(need, SEED_CATALOGUE, limit=limit)
    assert exc.value.code == "limit_invalid"


def test_limit_caps_the_output() -> None:
    need = need_from_low_score(low(perilaku_kerja=BELOW, weak_behaviours=[beh(v.value) for v in BerAkhlakValue]))
    assert len(codes(need, limit=3)) == 3
    assert len(codes(need)) == MATCH_RULES.default_limit


def test_pppk_cap_excludes_or_marks_programmes_beyond_what_is_left() -> None:
    need = need_from_low_score(low(employee_type="PPPK", weak_indicators=[ind("Cakupan imunisasi dasar lengkap")]))
    fresh = recommend(need, SEED_CATALOGUE, pppk_jp_used=0)
    assert "KES-IMUN-01" not in [m.programme.code for m in fresh.matches]  # 30 JP > 24 JP cap
    almost = recommend(need, SEED_CATALOGUE, pppk_jp_used=18, limit=20)
    assert all(m.programme.jp <= 6 for m in almost.matches)
    assert recommend(need, SEED_CATALOGUE, pppk_jp_used=24).matches == ()
    marked = recommend(
        need, SEED_CATALOGUE, pppk_jp_used=0, limit=20, rules=dataclasses.replace(MATCH_RULES, pppk_cap_policy="mark")
    )
    flags = [m.exceeds_pppk_cap for m in marked.matches]
    assert flags == sorted(flags)  # within the cap first
    assert any(m.programme.code == "KES-IMUN-01" and m.exceeds_pppk_cap for m in marked.matches)


def test_pns_only_programmes_are_not_offered_to_pppk() -> None:
    need = need_from_low_score(
        low(employee_type="PPPK", position_type="PENGAWAS", weak_indicators=[ind("Nilai kinerja unit")])
    )
    assert "KEP-COACH-01" not in codes(need, limit=20)


def test_need_key_and_recommendation_id_are_stable() -> None:
    a = need_from_low_score(low())
    b = need_from_low_score(low())
    assert a.key == b.key == f"low_score:{NIP}:ap-1:r1"
    assert a.recommendation_id == b.recommendation_id == recommendation_id(a.key)
    revised = need_from_low_score(low(revision=2))
    assert revised.recommendation_id != a.recommendation_id
    assert revised.group == a.group == f"{NIP}:ap-1"


@pytest.mark.parametrize(
    ("args", "revision"),
    [
        (("", "ap"), 1),
        ((NIP, "a:b"), 1),
        ((NIP, "x" * 101), 1),
        ((NIP, "ap"), 0),
        ((NIP, "ap"), 1001),
        ((NIP, "a\nb"), 1),
    ],
)
def test_need_key_refuses_bad_parts(args: tuple[str, str], revision: int) -> None:
    with pytest.raises(RuleError) as exc:
        need_key(NeedKind.LOW_SCORE, *args, revision)
    assert exc.value.code == "need_key_invalid"


def plan(**kw: Any) -> DevelopmentPlanChangedPayload:
    base: dict[str, Any] = {
        "appraisal_id": "ap-1",
        "nip": NIP,
        "opd_code": "DINKES",
        "period": "2026-Q1",
        "status": "active",
        "cause": "beban_kerja",
        "actions": ["pelatihan", "coaching"],
    }
    return DevelopmentPlanChangedPayload.model_validate(base | kw)


def test_development_plan_need_uses_cause_and_actions() -> None:
    need = need_from_development_plan(plan(), need_from_low_score(low()))
    assert need is not None
    assert need.key == f"development_plan:{NIP}:ap-1:r1:beban_kerja:coaching+pelatihan"
    assert need.group == f"{NIP}:ap-1"
    rec = recommend(need, SEED_CATALOGUE, limit=20)
    by_code = {m.programme.code: m for m in rec.matches}
    assert "rencana pengembangan memuat coaching" in by_code["COACH-KINERJA-01"].explanation
    assert "penyebab menurut pejabat penilai: beban kerja" in by_code["MNJ-WAKTU-01"].explanation


def test_development_plan_without_the_low_score_need_and_unknown_cause() -> None:
    need = need_from_development_plan(plan(cause="sesuatu", actions=["mentoring", "terbang"]))
    assert need is not None
    assert (need.cause, need.actions) == ("lainnya", ("mentoring",))
    assert codes(need) == ["MENTOR-01"]


def test_konseling_and_resources_are_not_answered_by_a_programme() -> None:
    need = need_from_development_plan(plan(cause="sumber_daya", actions=["konseling"]))
    assert need is not None
    assert recommend(need, SEED_CATALOGUE).matches == ()


@pytest.mark.parametrize("status", ["awaiting_input", "withdrawn"])
def test_inactive_plans_are_no_need(status: str) -> None:
    assert need_from_development_plan(plan(status=status)) is None


def test_plan_of_another_appraisal_is_refused() -> None:
    with pytest.raises(RuleError) as exc:
        need_from_development_plan(plan(appraisal_id="ap-2"), need_from_low_score(low()))
    assert exc.value.code == "need_mismatch"


def completed(**kw: Any) -> AppraisalCompletedPayload:
    base: dict[str, Any] = {
        "appraisal_id": "ap-9",
        "nip": NIP,
        "opd_code": "DISDIK",
        "period": "2026",
        "hasil_kerja": "sesuai_ekspektasi",
        "perilaku_kerja": "sesuai_ekspektasi",
        "predikat": "baik",
        "sector": "pendidikan",
        "employee_type": "PNS",
        "position_type": "JF",
    }
    return AppraisalCompletedPayload.model_validate(base | kw)


def test_development_areas_of_a_good_result() -> None:
    assert need_from_completed(completed()) is None
    need = need_from_completed(completed(weak_indicators=[ind("Komunikasi dengan wali murid")]))
    assert need is not None
    assert (need.kind, need.low_dimensions) == (NeedKind.DEVELOPMENT_AREA, frozenset())
    assert need.key == f"development_area:{NIP}:ap-9:r1"
    assert codes(need)[0] == "DIK-ORTU-01"


def test_matches_fit_the_training_recommended_event() -> None:
    need = need_from_low_score(low(weak_indicators=[ind("Cakupan imunisasi dasar lengkap")]))
    program = recommend(need, SEED_CATALOGUE).matches[0].as_event_program()
    assert (program.program_code, program.jp, program.modality) == ("KES-IMUN-01", 30, "klasikal")


def test_weak_items_are_bounded() -> None:
    need = need_from_low_score(low(weak_indicators=[ind(f"Indikator {i}", "waktu") for i in range(80)]))
    assert len(need.weak_indicators) == 50
    assert all(isinstance(t, PositionType | EmployeeType | None) for t in (need.position_type, need.employee_type))


def test_event_text_is_shown_without_control_or_bidi_characters() -> None:
    assert plain_text("imunisasi \u202e<b>x</b>\r\n dasar\u200b lengkap") == "imunisasi <b>x</b> dasar lengkap"
    assert plain_text("a" * 2000) == "a" * 500


def test_an_explanation_is_cut_at_its_bound() -> None:
    long_reasons = tuple(Reason("keyword", 1, "indikator '" + "x" * 400 + "'") for _ in range(10))
    match = ProgrammeMatch(programme=SEED_CATALOGUE[0], score=10, bonus=0, reasons=long_reasons)
    assert len(match.explanation) == MAX_EXPLANATION
    assert match.explanation.startswith("karena: ")
    assert match.explanation.endswith("…")
