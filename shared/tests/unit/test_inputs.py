"""Control characters are refused in every request body (shared.inputs)."""

from __future__ import annotations

import pytest
from pydantic import Field, ValidationError

from shared.inputs import InputModel, control_characters


class Body(InputModel):
    name: str
    notes: list[str] = Field(default_factory=list)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x1b", "\x7f", "\x85", "\u202e", "\u2067"])
def test_a_control_character_anywhere_is_refused_with_its_place(char: str) -> None:
    with pytest.raises(ValidationError, match=rf"notes\[1\]: control character U\+{ord(char):04X}"):
        Body.model_validate({"name": "ok", "notes": ["fine", f"bad{char}"]})
    assert [t.en for t in control_characters({"a": {f"k{char}": 1}})] == [
        f"a.k{char}: control character U+{ord(char):04X} is not allowed"
    ]
    assert [t.ind for t in control_characters({"a": {f"k{char}": 1}})] == [
        f"a.k{char}: karakter kontrol U+{ord(char):04X} tidak diizinkan"
    ]


def test_tabs_and_line_breaks_and_ordinary_text_pass() -> None:
    body = Body.model_validate({"name": "Siti Rahmawati, S.Kep.", "notes": ["baris 1\r\nbaris 2\tkolom", "Ñandú ✓ 雨"]})
    assert body.notes[0] == "baris 1\r\nbaris 2\tkolom"
    assert control_characters([1, None, 2.5, True]) == []


def test_a_response_model_built_on_a_request_model_shows_stored_text_as_it_is() -> None:
    class Shown(Body):
        checks_input = False

    assert Shown.model_validate({"name": "old\x07record"}).name == "old\x07record"
