import pytest

from appraisal.domain import PREDIKAT_MATRIX_2022, PredikatMatrix
from shared.events import Predikat, RatingLevel

B, S, A = RatingLevel.DI_BAWAH_EKSPEKTASI, RatingLevel.SESUAI_EKSPEKTASI, RatingLevel.DI_ATAS_EKSPEKTASI

# Every cell of the PermenPANRB 6/2022 quadrant: (perilaku, hasil) -> predikat.
EXPECTED = [
    (A, B, Predikat.BUTUH_PERBAIKAN),
    (A, S, Predikat.BAIK),
    (A, A, Predikat.SANGAT_BAIK),
    (S, B, Predikat.BUTUH_PERBAIKAN),
    (S, S, Predikat.BAIK),
    (S, A, Predikat.BAIK),
    (B, B, Predikat.SANGAT_KURANG),
    (B, S, Predikat.KURANG_MISCONDUCT),
    (B, A, Predikat.KURANG_MISCONDUCT),
]


@pytest.mark.parametrize(("perilaku", "hasil", "predikat"), EXPECTED)
def test_predikat_matrix_cell(perilaku: RatingLevel, hasil: RatingLevel, predikat: Predikat) -> None:
    assert PREDIKAT_MATRIX_2022.predikat(hasil_kerja=hasil, perilaku_kerja=perilaku) is predikat


def test_expected_table_covers_all_nine_cells() -> None:
    assert len({(p, h) for p, h, _ in EXPECTED}) == 9


def test_sangat_baik_only_when_both_above_expectation() -> None:
    cells = [(p, h) for (p, h), v in PREDIKAT_MATRIX_2022.cells.items() if v is Predikat.SANGAT_BAIK]
    assert cells == [(A, A)]


def test_matrix_carries_its_regulation() -> None:
    assert "PermenPANRB No. 6 Tahun 2022" in PREDIKAT_MATRIX_2022.citation
    assert PREDIKAT_MATRIX_2022.version == "permenpanrb-6-2022"


def test_incomplete_matrix_is_rejected() -> None:
    with pytest.raises(ValueError, match="lacks cells"):
        PredikatMatrix(version="x", citation="y", cells={(A, A): Predikat.SANGAT_BAIK})
