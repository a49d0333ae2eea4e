"""Every exported text cell is neutralised against formula injection (shared.spreadsheet)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from shared.spreadsheet import csv_text, safe_cell


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","klik")', "+62 711 123", "-1+1", "@SUM(A1:A9)", "\t=1", "\r=1"],
)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Siti Rahmawati", "a =not first", "", 42, -3.5, date(2026, 3, 1), None])
def test_everything_else_is_unchanged(value: object) -> None:
    assert safe_cell(value) == value  # type: ignore[arg-type]


def test_a_csv_export_neutralises_header_and_cells_and_keeps_numbers() -> None:
    text = csv_text(["nama", "=nilai"], [["=1+1", -2], ["Budi, S.Pd.", 3]])
    assert list(csv.reader(io.StringIO(text))) == [["nama", "'=nilai"], ["'=1+1", "-2"], ["Budi, S.Pd.", "3"]]


@pytest.mark.parametrize("text", [" =1+1", "\n=1+1", "\t@SUM(A1)", "\uff1d1+1", "  \uff0b1", "\r-2+3"])
def test_formula_starts_after_blanks_and_full_width_forms_are_neutralised(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Dinas Kesehatan", "a=b", "95%", "1 - 2"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert safe_cell(text) == text
