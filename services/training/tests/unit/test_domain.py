import pytest

from training.domain import JP_OBLIGATIONS, EmployeeType, jp_shortfall

PNS = JP_OBLIGATIONS[EmployeeType.PNS]


def test_pns_must_earn_20_jp_a_year_with_citation() -> None:
    assert PNS.minimum_jp_per_year == 20
    assert "PP No. 11 Tahun 2017" in PNS.citation


@pytest.mark.parametrize(("earned", "missing"), [(0, 20), (12.5, 7.5), (20, 0), (31, 0)])
def test_jp_shortfall(earned: float, missing: float) -> None:
    assert jp_shortfall(earned, PNS) == missing


def test_negative_jp_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        jp_shortfall(-1, PNS)


def test_pppk_has_no_yearly_minimum() -> None:
    assert EmployeeType.PPPK not in JP_OBLIGATIONS
