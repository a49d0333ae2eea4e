import pytest

from appraisal.domain.evaluation import (
    Frequency,
    WeakParts,
    capaian,
    finalisation_problems,
    is_annual,
    is_low,
    periods_of,
    rating_departures,
    suggest_overall,
    suggest_rhk_rating,
    weak_parts,
)
from appraisal.domain.followup import opens_improvement_window
from appraisal.domain.rules import FollowUpRules
from shared.events import Aspect, BerAkhlakValue, Predikat, RatingLevel
from shared.i18n import Text

B, S, A = RatingLevel.DI_BAWAH_EKSPEKTASI, RatingLevel.SESUAI_EKSPEKTASI, RatingLevel.DI_ATAS_EKSPEKTASI


def test_periods_of_a_year() -> None:
    assert periods_of(2026, Frequency.QUARTERLY) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert periods_of(2026, Frequency.MONTHLY)[0] == "2026-01"
    assert len(periods_of(2026, Frequency.MONTHLY)) == 12
    assert periods_of(2026, Frequency.SEMESTER) == ["2026-S1", "2026-S2"]
    assert is_annual("2026")
    assert not is_annual("2026-Q1")


@pytest.mark.parametrize(
    ("aspect", "target", "realisation", "expected"),
    [
        (Aspect.KUANTITAS, "95", "62", 65.3),  # the brief's immunisation example
        (Aspect.KUALITAS, "100%", "100 %", 100.0),
        (Aspect.KUANTITAS, "2", "3", 150.0),
        (Aspect.WAKTU, "12", "10", 120.0),  # done in less time than planned
        (Aspect.BIAYA, "1,5", "1,5", 100.0),
        (Aspect.BIAYA, "100", "125", 80.0),  # over budget is worse, not better
        (Aspect.KUANTITAS, "95", None, None),
        (Aspect.KUANTITAS, "dokumen lengkap", "lengkap", None),
        (Aspect.KUANTITAS, "0", "5", None),
        (Aspect.WAKTU, "12", "0", None),
        (Aspect.KUANTITAS, "95", "9" * 100, None),  # not a number: no capaian, no suggestion
        (Aspect.KUANTITAS, "95", "9" * 16, None),
        (Aspect.KUANTITAS, "1", "1" + "0" * 14, 1e16),  # 15 digits still are
        (Aspect.KUANTITAS, "95", "1e309", None),
        (Aspect.KUANTITAS, "95", "nan", None),
        (Aspect.KUANTITAS, "95", "\uff16\uff12", None),  # fullwidth digits are text
        (Aspect.KUANTITAS, "95", "62,1234567", None),
    ],
)
def test_capaian(aspect: Aspect, target: str, realisation: str | None, expected: float | None) -> None:
    assert capaian(aspect, target, realisation) == expected


@pytest.mark.parametrize(
    ("capaians", "rating"),
    [
        ([65.3], B),
        ([99.9], B),
        ([100.0], S),
        ([109.9], S),
        ([110.0], A),
        ([140.0, 70.0], S),
        ([None], None),
        ([], None),
    ],
)
def test_suggested_rhk_rating_from_mean_capaian(capaians: list[float | None], rating: RatingLevel | None) -> None:
    assert suggest_rhk_rating(capaians) is rating


@pytest.mark.parametrize(
    ("ratings", "overall"),
    [
        ([("utama", A), ("utama", A), ("tambahan", S)], A),
        ([("utama", A), ("utama", A), ("utama", B)], S),  # a main result below: not above expectation
        ([("utama", A), ("tambahan", A), ("tambahan", B)], A),  # only an additional result below
        ([("utama", B), ("utama", B), ("utama", A)], B),
        ([("utama", S), ("utama", B)], S),  # half below is not "most"
        ([("utama", S)], S),
        ([], None),
    ],
)
def test_suggested_overall_rating(ratings: list[tuple[str, RatingLevel]], overall: RatingLevel | None) -> None:
    assert suggest_overall(ratings) is overall


def all_values(rating: RatingLevel = S) -> dict[BerAkhlakValue, RatingLevel]:
    return dict.fromkeys(BerAkhlakValue, rating)


def test_finalisation_needs_every_rating() -> None:
    assert (
        finalisation_problems(
            rhk_ids=["r1"], rhk_ratings={"r1": S}, behaviour_ratings=all_values(), hasil_kerja=S, perilaku_kerja=S
        )
        == []
    )
    problems = finalisation_problems(
        rhk_ids=["r1", "r2"],
        rhk_ratings={"r1": S},
        behaviour_ratings={BerAkhlakValue.AKUNTABEL: S},
        hasil_kerja=None,
        perilaku_kerja=None,
    )
    assert Text("RHK r2 belum dinilai", "RHK r2 is not rated") in problems
    assert Text("Nilai BerAKHLAK loyal belum dinilai", "BerAKHLAK value loyal is not rated") in problems
    assert len([p for p in problems if p.en.startswith("BerAKHLAK")]) == 6
    assert "The overall Hasil Kerja rating is missing" in [p.en for p in problems]
    assert "The overall Perilaku Kerja rating is missing" in [p.en for p in problems]


@pytest.mark.parametrize("predikat", list(Predikat))
def test_only_butuh_perbaikan_or_lower_is_a_low_score(predikat: Predikat) -> None:
    assert is_low(predikat) is (predikat not in {Predikat.SANGAT_BAIK, Predikat.BAIK})


def test_weak_parts_of_a_good_result_are_found_but_are_not_a_low_score() -> None:
    values = all_values() | {BerAkhlakValue.KOLABORATIF: B}
    weak = weak_parts({"r1": B, "r2": A}, values)
    assert weak.weak_rhk_ids == ("r1",)
    assert weak.weak_behaviours == (BerAkhlakValue.KOLABORATIF,)
    assert not is_low(Predikat.BAIK)
    assert weak_parts({"r1": S}, all_values()) == WeakParts((), ())


@pytest.mark.parametrize("predikat", list(Predikat))
def test_only_a_low_annual_result_opens_the_improvement_window(predikat: Predikat) -> None:
    window = {Predikat.KURANG_MISCONDUCT, Predikat.SANGAT_KURANG}
    assert opens_improvement_window(predikat, annual=True) is (predikat in window)
    assert opens_improvement_window(predikat, annual=False) is False  # a periodic result: coaching, no window
    strict = FollowUpRules(improvement_window_predikat=frozenset({*window, Predikat.BUTUH_PERBAIKAN}))
    assert opens_improvement_window(predikat, annual=True, rules=strict) is (
        predikat in strict.improvement_window_predikat
    )


def test_an_overall_rating_that_departs_from_its_parts_is_named() -> None:
    values = all_values()  # every value as expected
    assert rating_departures(
        rhk_kinds={"r1": "utama", "r2": "utama"},
        rhk_ratings={"r1": B, "r2": B},
        behaviour_ratings=values,
        hasil_kerja=A,
        perilaku_kerja=S,
    ) == {
        "hasil_kerja": Text(
            "Hasil Kerja di_atas_ekspektasi, sedangkan penilaian RHK-nya menghasilkan di_bawah_ekspektasi",
            "Hasil Kerja is di_atas_ekspektasi while its RHK ratings give di_bawah_ekspektasi",
        )
    }
    mostly_below = values | {v: B for v in list(BerAkhlakValue)[:4]}
    assert rating_departures(
        rhk_kinds={"r1": "utama"},
        rhk_ratings={"r1": S},
        behaviour_ratings=mostly_below,
        hasil_kerja=S,
        perilaku_kerja=A,
    ) == {
        "perilaku_kerja": Text(
            "Perilaku Kerja di_atas_ekspektasi, sedangkan penilaian BerAKHLAK-nya menghasilkan di_bawah_ekspektasi",
            "Perilaku Kerja is di_atas_ekspektasi while its BerAKHLAK ratings give di_bawah_ekspektasi",
        )
    }
    agreeing = rating_departures(
        rhk_kinds={"r1": "utama", "r2": "tambahan"},
        rhk_ratings={"r1": A, "r2": A},
        behaviour_ratings=values,
        hasil_kerja=A,
        perilaku_kerja=S,
    )
    assert agreeing == {}
