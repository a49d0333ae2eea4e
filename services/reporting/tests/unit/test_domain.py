import pytest

from reporting.domain import summarise_predikat
from shared.events import Predikat


def test_summary_lists_every_predikat_with_zero_for_absent() -> None:
    summary = summarise_predikat({"baik": 3, "sangat_baik": 1})
    assert summary.total == 4
    assert summary.by_predikat == {
        Predikat.SANGAT_BAIK: 1,
        Predikat.BAIK: 3,
        Predikat.BUTUH_PERBAIKAN: 0,
        Predikat.KURANG_MISCONDUCT: 0,
        Predikat.SANGAT_KURANG: 0,
    }
    assert summary.share(Predikat.BAIK) == pytest.approx(0.75)


def test_empty_summary_has_zero_shares() -> None:
    summary = summarise_predikat({})
    assert summary.total == 0
    assert summary.share(Predikat.BAIK) == 0.0


def test_unknown_predikat_keys_are_ignored() -> None:
    assert summarise_predikat({"legendary": 5, "baik": 1}).total == 1
