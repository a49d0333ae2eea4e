import pytest
from pydantic import ValidationError

from training.schemas.models import DeclineIn


@pytest.mark.parametrize(
    "reason", ["   ", "\u200b\u200b\u200b\u200b", " \u200b\ufeff\u2060\u200c\u200d \t", "a\u200b\u200b "]
)
def test_a_decline_reason_of_blanks_or_zero_width_characters_is_refused(reason: str) -> None:
    with pytest.raises(ValidationError):
        DeclineIn(reason=reason)


def test_a_decline_reason_is_kept_without_blank_ends() -> None:
    assert DeclineIn(reason=" \u200bsudah ikut\u200b \n").reason == "sudah ikut"
