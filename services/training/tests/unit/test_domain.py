import pytest

from shared.events import EmployeeType
from shared.regulation import JP_OBLIGATIONS
from training.domain import jp_shortfall

PNS = JP_OBLIGATIONS[EmployeeType.PNS]


@pytest.mark.parametrize(("earned", "missing"), [(0, 20), (12.5, 7.5), (20, 0), (31, 0)])
def test_jp_shortfall(earned: float, missing: float) -> None:
    assert jp_shortfall(earned, PNS) == missing


def test_negative_jp_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        jp_shortfall(-1, PNS)
