"""Exports: every table of every view, typed cells, Indonesian headers, CSV injection, empty views,
and the files as CSV (UTF-8 with BOM) and XLSX (typed cells, bold frozen header)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from pydantic import BaseModel

from reporting.domain import exports as x
from reporting.domain.exports import ColumnType, Table, ViewKind
from reporting.schemas.views import CityViewOut, EmployeeViewOut, OpdViewOut, TeamViewOut

Views = dict[ViewKind, Callable[..., dict[str, Any]]]
SCHEMAS: dict[ViewKind, type[BaseModel]] = {
    ViewKind.EMPLOYEE: EmployeeViewOut,
    ViewKind.TEAM: TeamViewOut,
    ViewKind.OPD: OpdViewOut,
    ViewKind.CITY: CityViewOut,
}
EVERY_TABLE = [(kind, name) for kind, tables in x.TABLES.items() for name in tables]
PYTHON_TYPES = {
    ColumnType.TEXT: str,
    ColumnType.BOOL: str,
    ColumnType.INT: int,
    ColumnType.FLOAT: float,
    ColumnType.SHARE: float,
    ColumnType.DATE: dt.date,
}


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def read_xlsx(content: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("kind", list(ViewKind))
@pytest.mark.parametrize("empty", [False, True])
def test_the_samples_are_views_as_the_api_answers_them(views: Views, kind: ViewKind, empty: bool) -> None:
    SCHEMAS[kind].model_validate(views[kind](empty=empty))


def test_every_view_has_tables_with_unique_lowercase_names() -> None:
    assert set(x.TABLES) == set(ViewKind)
    for tables in x.TABLES.values():
        assert tables
        assert all(name == name.lower() and " " not in name for name in tables)


@pytest.mark.parametrize(("kind", "name"), EVERY_TABLE, ids=lambda v: str(v))
def test_every_table_has_typed_cells_under_indonesian_headers(views: Views, kind: ViewKind, name: str) -> None:
    table = x.build(kind, name, views[kind]())
    assert table.name == name
    assert table.rows, f"{kind} {name}: the sample fills every table"
    headers = [c.header for c in table.columns]
    assert len(set(headers)) == len(headers)
    assert not {"period", "count", "share", "total"} & {h.lower() for h in headers}, "headers in Bahasa Indonesia"
    for column in table.columns:
        if column.type is ColumnType.SHARE:
            assert "(0-1)" in column.header
    for row in table.rows:
        assert len(row) == len(table.columns)
        for value, column in zip(row, table.columns, strict=True):
            if value is not None:
                assert type(value) is PYTHON_TYPES[column.type], (column, value)
            if column.type is ColumnType.SHARE and value is not None:
                assert isinstance(value, float)
                assert 0 <= value <= 1
            if column.type is ColumnType.BOOL and value is not None:
                assert value in ("Ya", "Tidak")


@pytest.mark.parametrize(("kind", "name"), EVERY_TABLE, ids=lambda v: str(v))
def test_every_table_of_an_empty_view_has_its_header(views: Views, kind: ViewKind, name: str) -> None:
    table = x.build(kind, name, views[kind](empty=True))
    rows = read_csv(x.to_csv(table))
    assert rows[0] == [c.header for c in table.columns]
    assert len(rows) == 1 + len(table.rows)
    sheet = read_xlsx(x.to_xlsx(table))
    assert list(sheet[0]) == [c.header for c in table.columns]


def test_history_rows_in_order_with_words_dates_and_booleans(views: Views) -> None:
    table = x.build(ViewKind.EMPLOYEE, "riwayat", views[ViewKind.EMPLOYEE]())
    assert [c.header for c in table.columns][:4] == ["Periode", "Tahunan", "Revisi", "Predikat"]
    first, second = table.rows
    assert first[:4] == ("2026-Q1", "Tidak", 2, "Butuh Perbaikan")
    assert first[4] == "Di Bawah Ekspektasi"
    assert first[6] == dt.date(2026, 4, 15)
    assert first[7] == "Ya"
    assert second[:4] == ("2025", "Ya", 1, "Baik")
    assert second[6] is None


def test_indicators_one_row_each_with_achievement_as_a_number(views: Views) -> None:
    table = x.build(ViewKind.EMPLOYEE, "indikator", views[ViewKind.EMPLOYEE]())
    assert len(table.rows) == 2
    headers = [c.header for c in table.columns]
    assert table.rows[0][headers.index("Capaian (%)")] == 65.3
    assert table.rows[0][headers.index("Target")] == "95"
    assert table.rows[1][headers.index("Capaian (%)")] == -5.0


def test_team_members_have_a_predikat_column_per_period(views: Views) -> None:
    table = x.build(ViewKind.TEAM, "anggota", views[ViewKind.TEAM]())
    headers = [c.header for c in table.columns]
    assert "Predikat 2026-Q1" in headers
    assert "Predikat 2026-Q2" in headers
    assert table.rows[0][headers.index("Predikat 2026-Q2")] == "Sangat Baik"
    assert table.rows[1][headers.index("Predikat 2026-Q1")] is None
    assert table.rows[1][headers.index("Status SKP")] == "Belum diajukan"
    periods = x.build(ViewKind.TEAM, "periode", views[ViewKind.TEAM]())
    assert periods.rows[0] == ("2026-Q1", dt.date(2026, 4, 15), 1, 2, 0.5)


def test_opd_distribution_counts_per_predikat_and_curve(views: Views) -> None:
    table = x.build(ViewKind.OPD, "distribusi", views[ViewKind.OPD]())
    headers = [c.header for c in table.columns]
    q1 = dict(zip(headers, table.rows[0], strict=True))
    assert q1["Periode"] == "2026-Q1"
    assert q1["Jumlah"] == 3
    assert q1["Sangat Baik (jumlah)"] == 1
    assert q1["Baik (jumlah)"] == 2
    assert q1["Butuh Perbaikan (jumlah)"] == 0
    assert q1["Predikat Organisasi"] == "Baik"
    assert q1["Pelanggaran Kurva"] == 1  # nobody below Baik
    curve = x.build(ViewKind.OPD, "kurva", views[ViewKind.OPD]())
    assert curve.rows[0][1] == "Pelanggaran"
    assert "harus ada" in str(curve.rows[0][2])


def test_opd_hotspots_and_single_row_tables(views: Views) -> None:
    view = views[ViewKind.OPD]()
    assert x.build(ViewKind.OPD, "hotspot-unit", view).rows[0] == ("2026-Q1", "PKM-2", 1)
    assert x.build(ViewKind.OPD, "hotspot-indikator", view).rows[0] == ("2026-Q1", "Cakupan imunisasi", "Layanan", 1)
    assert x.build(ViewKind.OPD, "hotspot-perilaku", view).rows[0] == ("2026-Q1", "kolaboratif", 1)
    jp = x.build(ViewKind.OPD, "kepatuhan-jp", view)
    assert jp.rows == (("DINKES", 20, 24, 2, 1, 0.5, 1, 0, 1),)
    assert x.build(ViewKind.OPD, "skp", view).rows[0][4] == 0.3333
    assert x.build(ViewKind.OPD, "adopsi", view).rows[0][-1] == 0.4444
    summary = x.build(ViewKind.OPD, "ringkasan", view)
    assert dict(zip([c.header for c in summary.columns], summary.rows[0], strict=True))["Pangsa Dibaca (0-1)"] == 0.5


def test_an_empty_opd_has_no_skp_or_jp_row(views: Views) -> None:
    view = views[ViewKind.OPD](empty=True)
    assert x.build(ViewKind.OPD, "skp", view).rows == ()
    assert x.build(ViewKind.OPD, "kepatuhan-jp", view).rows == ()
    assert x.build(ViewKind.OPD, "distribusi", view).rows == ()
    assert x.build(ViewKind.OPD, "adopsi", view).rows[0][-1] is None


def test_city_adoption_ranked_best_first_without_score_last(views: Views) -> None:
    table = x.build(ViewKind.CITY, "adopsi", views[ViewKind.CITY]())
    assert [(r[0], r[1], r[-1]) for r in table.rows] == [
        (1, "BAPPEDA", 0.9),
        (2, "DINKES", 0.4444),
        (3, "DISDIK", None),
    ]
    opds = x.build(ViewKind.CITY, "opd", views[ViewKind.CITY]())
    assert opds.rows[1][1] is None  # no organisation predikat
    effect = x.build(ViewKind.CITY, "efektivitas-kebutuhan", views[ViewKind.CITY]())
    assert effect.rows[0][-1] is None


def test_typed_refuses_a_value_of_the_wrong_kind() -> None:
    with pytest.raises(ValueError, match="whole number"):
        x.typed(1.5, ColumnType.INT)
    with pytest.raises(ValueError, match="not a number"):
        x.typed("0.5", ColumnType.SHARE)
    with pytest.raises(ValueError, match="whole number"):
        x.typed(True, ColumnType.INT)
    with pytest.raises(ValueError, match="Invalid isoformat"):
        x.typed("kemarin", ColumnType.DATE)
    assert x.typed(dt.datetime(2026, 1, 2, 3, 4), ColumnType.DATE) == dt.date(2026, 1, 2)
    assert x.typed(2.0, ColumnType.INT) == 2
    assert x.typed("sangat_baik", ColumnType.TEXT) == "Sangat Baik"
    assert x.typed("kolaboratif", ColumnType.TEXT) == "kolaboratif"


def test_a_row_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="2 cells for 1 columns"):
        x.table("t", "T", [x.Column("A", ColumnType.TEXT)], [["a", "b"]])


def test_unknown_tables_are_not_known() -> None:
    assert not x.known(ViewKind.OPD, "riwayat")
    assert x.known(ViewKind.OPD, "hotspot-unit")
    with pytest.raises(KeyError):
        x.build(ViewKind.CITY, "gaji", {})


def test_filenames_are_safe() -> None:
    assert x.filename(ViewKind.OPD, "DINKES", 2026, "distribusi", "csv") == "kinerja-opd-DINKES-2026-distribusi.csv"
    assert x.filename(ViewKind.CITY, None, 2026, "adopsi", "xlsx") == "kinerja-kota-2026-adopsi.xlsx"
    assert x.filename(ViewKind.TEAM, 'P"P/K', 2026, "anggota", "csv") == "kinerja-tim-P_P_K-2026-anggota.csv"


# ---------------------------------------------------------------- CSV


def test_csv_has_iso_dates_dot_decimals_and_words(views: Views) -> None:
    rows = read_csv(x.to_csv(x.build(ViewKind.EMPLOYEE, "pelatihan", views[ViewKind.EMPLOYEE]())))
    header, first, second = rows
    assert header == [c.header for c in x.build(ViewKind.EMPLOYEE, "pelatihan", views[ViewKind.EMPLOYEE]()).columns]
    record = dict(zip(header, first, strict=True))
    assert record["JP"] == "12.0"
    assert record["Mulai"] == "2026-03-02"
    assert record["Status"] == "Selesai"
    assert record["Pembelajaran Eksternal"] == "Tidak"
    assert dict(zip(header, second, strict=True))["JP"] == ""


def test_csv_neutralises_formulas_but_keeps_negative_numbers(views: Views) -> None:
    content = x.to_csv(x.build(ViewKind.EMPLOYEE, "indikator", views[ViewKind.EMPLOYEE]()))
    rows = read_csv(content)
    evil = rows[2][3]
    assert evil.startswith("'=HYPERLINK")
    assert rows[2][7] == "-5.0"  # a number, not text: no quote
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    team = read_csv(x.to_csv(x.build(ViewKind.TEAM, "anggota", views[ViewKind.TEAM]())))
    assert team[1][1].startswith("'=")


def test_csv_uses_crlf_line_ends(views: Views) -> None:
    content = x.to_csv(x.build(ViewKind.CITY, "tren", views[ViewKind.CITY]()))
    assert content.count(b"\r\n") == 3


# ---------------------------------------------------------------- XLSX


def test_xlsx_cells_are_typed_with_a_bold_frozen_header(views: Views) -> None:
    table: Table = x.build(ViewKind.EMPLOYEE, "riwayat", views[ViewKind.EMPLOYEE]())
    book = openpyxl.load_workbook(io.BytesIO(x.to_xlsx(table)))
    sheet = book.active
    assert sheet.title == "Riwayat penilaian"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert [cell.value for cell in sheet[1]] == [c.header for c in table.columns]
    row = [cell for cell in sheet[2]]
    assert row[0].value == "2026-Q1"
    assert row[2].value == 2
    assert isinstance(row[2].value, int)
    assert row[6].value == dt.datetime(2026, 4, 15)
    assert row[6].is_date
    assert row[6].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["A"].width >= 8


def test_xlsx_shares_are_numbers_shown_as_percentages(views: Views) -> None:
    table = x.build(ViewKind.CITY, "adopsi", views[ViewKind.CITY]())
    sheet = openpyxl.load_workbook(io.BytesIO(x.to_xlsx(table))).active
    headers = [cell.value for cell in sheet[1]]
    score = sheet.cell(row=2, column=headers.index("Skor Adopsi (0-1)") + 1)
    assert score.value == 0.9
    assert score.data_type == "n"
    assert "%" in score.number_format
    assert sheet.cell(row=4, column=headers.index("Skor Adopsi (0-1)") + 1).value is None


def test_xlsx_text_cells_are_neutralised_and_never_formulas(views: Views) -> None:
    table = x.build(ViewKind.EMPLOYEE, "indikator", views[ViewKind.EMPLOYEE]())
    sheet = openpyxl.load_workbook(io.BytesIO(x.to_xlsx(table))).active
    evil = sheet.cell(row=3, column=4)
    assert evil.data_type == "s"
    assert str(evil.value).startswith("'=HYPERLINK")
    assert sheet.cell(row=3, column=8).value == -5.0
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(("kind", "name"), EVERY_TABLE, ids=lambda v: str(v))
def test_every_table_reads_back_the_same_from_csv_and_xlsx(views: Views, kind: ViewKind, name: str) -> None:
    table = x.build(kind, name, views[kind]())
    csv_rows = read_csv(x.to_csv(table))[1:]
    xlsx_rows = read_xlsx(x.to_xlsx(table))[1:]
    assert len(csv_rows) == len(xlsx_rows) == len(table.rows)
    for row, from_csv, from_xlsx in zip(table.rows, csv_rows, xlsx_rows, strict=True):
        for value, column, text, cell in zip(row, table.columns, from_csv, from_xlsx, strict=True):
            if value is None:
                assert (text, cell) == ("", None)
            elif column.type is ColumnType.DATE:
                assert text == value.isoformat() if isinstance(value, dt.date) else False
                assert cell == dt.datetime.combine(value, dt.time()) if isinstance(value, dt.date) else False
            elif column.type in (ColumnType.INT, ColumnType.FLOAT, ColumnType.SHARE):
                assert float(text) == value
                assert cell == value
            else:
                assert text == cell
