"""Exports (issue 12, point 3): every table of every view as CSV and XLSX, pure.

A ``Table`` is built from a view as its use case answers it (``services.views``), never from a query
of its own, so an export shows exactly what the view shows to exactly whom the view shows it. Headers
are in Bahasa Indonesia; each column has a type:

- ``text``: codes are shown as Indonesian words (``LABELS``: predikat, statuses), other text as it is;
- ``int`` and ``float``: numbers (a dot as decimal separator in CSV, number cells in XLSX);
- ``share``: a number from 0 to 1 (the header says "(0-1)"; XLSX shows it as a percentage, the cell
  still holds 0-1);
- ``date``: ISO 8601 in CSV (2026-04-15), a date cell with the format ``yyyy-mm-dd`` in XLSX;
- ``bool``: "Ya" or "Tidak".

Every CSV text cell (and header) goes through ``shared.spreadsheet.safe_cell`` (CSV/formula injection);
an XLSX text cell is a string cell, which a spreadsheet shows as written and never runs.
CSV is UTF-8 with a byte order mark (so Excel reads names right), comma-separated, CRLF (RFC 4180).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import xlsxwriter

from shared.events import OrgPredikat, Predikat
from shared.periods import period_order
from shared.spreadsheet import Cell, csv_text

View = Mapping[str, Any]


class ViewKind(StrEnum):
    EMPLOYEE = "pegawai"
    TEAM = "tim"
    OPD = "opd"
    CITY = "kota"


class ColumnType(StrEnum):
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    SHARE = "share"
    DATE = "date"
    BOOL = "bool"


@dataclass(frozen=True)
class Column:
    header: str
    type: ColumnType


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


PREDIKAT_LABELS: Mapping[str, str] = {
    Predikat.SANGAT_BAIK: "Sangat Baik",
    Predikat.BAIK: "Baik",
    Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    Predikat.KURANG_MISCONDUCT: "Kurang/Misconduct",
    Predikat.SANGAT_KURANG: "Sangat Kurang",
}
ORG_PREDIKAT_LABELS: Mapping[str, str] = {
    OrgPredikat.ISTIMEWA: "Istimewa",
    OrgPredikat.BAIK: "Baik",
    OrgPredikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    OrgPredikat.KURANG: "Kurang",
    OrgPredikat.SANGAT_KURANG: "Sangat Kurang",
}
LABELS: Mapping[str, str] = {
    **PREDIKAT_LABELS,
    "di_atas_ekspektasi": "Di Atas Ekspektasi",
    "sesuai_ekspektasi": "Sesuai Ekspektasi",
    "di_bawah_ekspektasi": "Di Bawah Ekspektasi",
    "not_submitted": "Belum diajukan",
    "submitted": "Diajukan",
    "returned": "Dikembalikan",
    "approved": "Disetujui",
    "awaiting_input": "Menunggu masukan",
    "active": "Aktif",
    "enrolled": "Terdaftar",
    "completed": "Selesai",
}
"""Codes shown in Indonesian words; a code not listed is shown as it is."""

PREDIKAT_COLUMNS = tuple(Column(f"{label} (jumlah)", ColumnType.INT) for label in PREDIKAT_LABELS.values())


# ---------------------------------------------------------------- typed cells


def typed(value: Any, kind: ColumnType) -> Cell:
    """``value`` as a cell of ``kind`` (None stays empty); a value that is not of the kind is refused."""
    if value is None:
        return None
    if kind is ColumnType.TEXT:
        return LABELS.get(str(value), str(value))
    if kind is ColumnType.BOOL:
        return "Ya" if value else "Tidak"
    if kind is ColumnType.INT:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise ValueError(f"not a whole number: {value!r}")
        return int(value)
    if kind in (ColumnType.FLOAT, ColumnType.SHARE):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"not a number: {value!r}")
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def table(name: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Table:
    built = []
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"{name}: {len(row)} cells for {len(columns)} columns")
        built.append(tuple(typed(value, column.type) for value, column in zip(row, columns, strict=True)))
    return Table(name, title, tuple(columns), tuple(built))


def _c(header: str, kind: ColumnType = ColumnType.TEXT) -> Column:
    return Column(header, kind)


INT, FLOAT, SHARE, DATE, BOOL = ColumnType.INT, ColumnType.FLOAT, ColumnType.SHARE, ColumnType.DATE, ColumnType.BOOL


def _counts(counts: Mapping[str, int] | None) -> list[int]:
    return [int((counts or {}).get(p.value, 0)) for p in Predikat]


# ---------------------------------------------------------------- the employee view


def _history(view: View) -> Table:
    columns = [
        _c("Periode"),
        _c("Tahunan", BOOL),
        _c("Revisi", INT),
        _c("Predikat"),
        _c("Hasil Kerja"),
        _c("Perilaku Kerja"),
        _c("Batas Waktu", DATE),
        _c("Terlambat", BOOL),
        _c("ID Penilaian"),
    ]
    rows = [
        [
            h["period"],
            h["annual"],
            h["revision"],
            h["predikat"],
            h["hasil_kerja"],
            h["perilaku_kerja"],
            h.get("due"),
            h.get("late"),
            h["appraisal_id"],
        ]
        for h in view["history"]
    ]
    return table("riwayat", "Riwayat penilaian", columns, rows)


def _indicators(view: View) -> Table:
    columns = [
        _c("Periode"),
        _c("RHK"),
        _c("ID Indikator"),
        _c("Indikator"),
        _c("Target"),
        _c("Realisasi"),
        _c("Satuan"),
        _c("Capaian (%)", FLOAT),
        _c("Penilaian"),
    ]
    rows = [
        [
            h["period"],
            i.get("rhk"),
            i["indicator_id"],
            i.get("indicator"),
            i.get("target"),
            i.get("realisation"),
            i.get("unit"),
            i.get("achievement_pct"),
            i.get("rating"),
        ]
        for h in view["history"]
        for i in h.get("indicators", [])
    ]
    return table("indikator", "Target dan realisasi per indikator", columns, rows)


def _plans(view: View) -> Table:
    columns = [
        _c("Periode"),
        _c("Status"),
        _c("Penyebab"),
        _c("Tindakan"),
        _c("Batas Perbaikan", DATE),
        _c("Dieskalasi", BOOL),
        _c("ID Penilaian"),
    ]
    rows = [
        [
            p["period"],
            p["status"],
            p.get("cause"),
            "; ".join(p.get("actions") or []),
            p.get("due_on"),
            p.get("escalated"),
            p["appraisal_id"],
        ]
        for p in view["development_plans"]
    ]
    return table("rencana-pengembangan", "Rencana pengembangan terbuka", columns, rows)


def _recommendations(view: View) -> Table:
    columns = [
        _c("ID Rekomendasi"),
        _c("Alasan"),
        _c("Penilaian Asal"),
        _c("Batas Waktu", DATE),
        _c("Program"),
        _c("JP Program", FLOAT),
    ]
    rows = [
        [
            r["recommendation_id"],
            r.get("reason"),
            r.get("source_appraisal_id"),
            r.get("due_by"),
            "; ".join(f"{p['program_code']} {p.get('title') or ''}".strip() for p in r.get("programs", [])),
            sum(float(p.get("jp") or 0) for p in r.get("programs", [])),
        ]
        for r in view["recommendations"]
    ]
    return table("rekomendasi", "Rekomendasi pelatihan terbuka", columns, rows)


def _trainings(view: View) -> Table:
    columns = [
        _c("ID Pendaftaran"),
        _c("Kode Program"),
        _c("Judul"),
        _c("Status"),
        _c("JP", FLOAT),
        _c("Mulai", DATE),
        _c("Berakhir", DATE),
        _c("Tanggal Selesai", DATE),
        _c("Pembelajaran Eksternal", BOOL),
    ]
    rows = [
        [
            t["enrolment_id"],
            t["program_code"],
            t.get("title"),
            t["status"],
            t.get("jp"),
            t.get("starts_on"),
            t.get("ends_on"),
            t.get("completed_on"),
            t.get("external_learning"),
        ]
        for t in view["trainings"]
    ]
    return table("pelatihan", "Pelatihan tahun ini", columns, rows)


def _jp(view: View) -> Table:
    columns = [_c("NIP"), _c("Tahun", INT), _c("JP Diperoleh", FLOAT), _c("JP Minimum (PNS)", INT)]
    columns += [
        _c("Batas JP (PPPK)", INT),
        _c("Terpenuhi", BOOL),
        _c("Dihitung Dari", DATE),
        _c("Dihitung Sampai", DATE),
    ]
    jp = view["jp"]
    window = [jp.get("counted_from"), jp.get("counted_to")]
    return table(
        "jp",
        "Jam pelajaran (JP)",
        columns,
        [[view["nip"], jp["year"], jp["earned"], jp.get("minimum"), jp.get("cap"), jp["met"], *window]],
    )


# ---------------------------------------------------------------- the team view


def _members(view: View) -> Table:
    periods = sorted(
        {p["period"] for p in view["periods"]} | {k for m in view["members"] for k in m.get("evaluations", {})},
        key=period_order,
    )
    columns = [
        _c("NIP"),
        _c("Nama"),
        _c("Unit"),
        _c("Jabatan"),
        _c("Status SKP"),
        _c("SKP Disetujui", BOOL),
        _c("SKP Disetujui Terlambat", BOOL),
        *(_c(f"Predikat {p}") for p in periods),
        _c("Predikat Terakhir"),
        _c("Rencana Terbuka", INT),
        _c("Keberatan Tertunda", INT),
    ]
    rows = [
        [m["nip"], m.get("name"), m.get("unit_code"), m.get("position_title"), m["skp_status"]]
        + [m["skp_approved"], m["skp_approved_late"]]
        + [m.get("evaluations", {}).get(p) for p in periods]
        + [m.get("predikat_so_far"), m["open_plans"], m["pending_objections"]]
        for m in view["members"]
    ]
    return table("anggota", "Anggota tim", columns, rows)


def _team_periods(view: View) -> Table:
    columns = [_c("Periode"), _c("Batas Waktu", DATE), _c("Evaluasi Selesai", INT), _c("Anggota", INT)]
    columns += [_c("Pangsa Selesai (0-1)", SHARE)]
    rows = [
        [p["period"], p.get("due"), p["done"], p["total"], round(p["done"] / p["total"], 4) if p["total"] else None]
        for p in view["periods"]
    ]
    return table("periode", "Evaluasi per periode", columns, rows)


# ---------------------------------------------------------------- the OPD view


def _distribution_columns() -> list[Column]:
    return [_c("Periode"), _c("Jumlah", INT), *PREDIKAT_COLUMNS]


def _distribution(view: View) -> Table:
    columns = [
        *_distribution_columns(),
        _c("Dengan Batas Waktu", INT),
        _c("Tepat Waktu", INT),
        _c("Terlambat", INT),
        _c("Skor Rendah", INT),
        _c("Dieskalasi", INT),
        _c("Predikat Organisasi"),
        _c("Pelanggaran Kurva", INT),
        _c("Peringatan Kurva", INT),
    ]
    org = view.get("organisation_predikat")
    rows = [
        [
            p["period"],
            p["total"],
            *_counts(p["counts"]),
            p["with_due"],
            p["on_time"],
            p["late"],
            p["low"],
            p["escalated"],
            ORG_PREDIKAT_LABELS.get(org, org) if org else None,
            len(p["curve"]["violations"]),
            len(p["curve"]["warnings"]),
        ]
        for p in view["periods"]
    ]
    return table("distribusi", "Distribusi predikat per periode", columns, rows)


def _curve(view: View) -> Table:
    columns = [_c("Periode"), _c("Jenis"), _c("Aturan"), _c("Jumlah", INT), _c("Pangsa (0-1)", SHARE), _c("Pola")]
    rows = [
        [p["period"], kind, r["rule"], r["count"], r["share"], p["curve"].get("pattern")]
        for p in view["periods"]
        for kind, key in (("Pelanggaran", "violations"), ("Peringatan", "warnings"))
        for r in p["curve"][key]
    ]
    return table("kurva", "Distribusi terhadap kurva", columns, rows)


def _hotspot_units(view: View) -> Table:
    rows = [[p["period"], u["unit_code"], u["low"]] for p in view["periods"] for u in p["low_by_unit"]]
    return table("hotspot-unit", "Skor rendah per unit", [_c("Periode"), _c("Unit"), _c("Skor Rendah", INT)], rows)


def _hotspot_indicators(view: View) -> Table:
    columns = [_c("Periode"), _c("Indikator"), _c("RHK"), _c("Skor Rendah", INT)]
    rows = [[p["period"], i["indicator"], i["rhk"], i["low"]] for p in view["periods"] for i in p["low_by_indicator"]]
    return table("hotspot-indikator", "Skor rendah per indikator", columns, rows)


def _hotspot_behaviours(view: View) -> Table:
    columns = [_c("Periode"), _c("Nilai BerAKHLAK"), _c("Skor Rendah", INT)]
    rows = [[p["period"], b["value"], b["low"]] for p in view["periods"] for b in p["low_by_behaviour"]]
    return table("hotspot-perilaku", "Skor rendah per nilai perilaku", columns, rows)


def _opd_summary(view: View) -> Table:
    columns = [
        _c("OPD"),
        _c("Tahun", INT),
        _c("Predikat Organisasi"),
        _c("Tahun Ditutup", BOOL),
        _c("Pegawai", INT),
        _c("PNS", INT),
        _c("PPPK", INT),
        _c("Rencana Terbuka", INT),
        _c("Rencana Menunggu Masukan", INT),
        _c("Rencana Dieskalasi", INT),
        _c("Keberatan Tertunda", INT),
        _c("Pesan Terkirim", INT),
        _c("Pesan Dibaca", INT),
        _c("Pangsa Dibaca (0-1)", SHARE),
        _c("Pengiriman Gagal", INT),
    ]
    org, people, cases, inbox = view.get("organisation_predikat"), view["people"], view["cases"], view.get("inbox")
    row = [view["opd_code"], view["year"], ORG_PREDIKAT_LABELS.get(org, org) if org else None, view["year_closed"]]
    row += [people["employees"], people["pns"], people["pppk"]]
    row += [cases["plans_open"], cases["plans_awaiting_input"], cases["plans_escalated"], cases["objections_pending"]]
    row += [(inbox or {}).get(k) for k in ("delivered", "read", "read_share", "failed")]
    return table("ringkasan", "Ringkasan OPD", columns, [row])


def _skp(view: View) -> Table:
    columns = [
        _c("OPD"),
        _c("Pegawai", INT),
        _c("Disetujui", INT),
        _c("Disetujui Tepat Waktu", INT),
        _c("Pangsa Tepat Waktu (0-1)", SHARE),
        _c("Menunggu Persetujuan", INT),
        _c("Dikembalikan", INT),
        _c("Belum Diajukan", INT),
    ]
    skp = view.get("skp")
    keys = ("employees", "approved", "approved_on_time", "approved_on_time_share", "waiting", "returned")
    rows = [[view["opd_code"], *(skp[k] for k in keys), skp["not_submitted"]]] if skp else []
    return table("skp", "SKP tahun ini", columns, rows)


def _jp_compliance(view: View) -> Table:
    columns = [
        _c("OPD"),
        _c("JP Minimum (PNS)", INT),
        _c("Batas JP (PPPK)", INT),
        _c("PNS", INT),
        _c("PNS Memenuhi", INT),
        _c("Pangsa PNS Memenuhi (0-1)", SHARE),
        _c("PPPK", INT),
        _c("PPPK Dalam Batas", INT),
        _c("PPPK Dengan Pelatihan", INT),
    ]
    jp = view.get("jp")
    keys = ("minimum_jp", "pppk_cap_jp", "pns", "pns_met", "pns_met_share", "pppk", "pppk_within_cap")
    rows = [[view["opd_code"], *(jp[k] for k in keys), jp["pppk_with_training"]]] if jp else []
    return table("kepatuhan-jp", "Kepatuhan JP", columns, rows)


ADOPTION_COLUMNS = (
    _c("OPD"),
    _c("Pegawai", INT),
    _c("SKP Disetujui Tepat Waktu", INT),
    _c("Evaluasi Dengan Batas Waktu", INT),
    _c("Evaluasi Tepat Waktu", INT),
    _c("Pesan Terkirim", INT),
    _c("Pesan Dibaca", INT),
    _c("Pangsa SKP Tepat Waktu (0-1)", SHARE),
    _c("Pangsa Evaluasi Tepat Waktu (0-1)", SHARE),
    _c("Pangsa Pesan Dibaca (0-1)", SHARE),
    _c("Skor Adopsi (0-1)", SHARE),
)
ADOPTION_KEYS = (
    "opd_code",
    "employees",
    "skp_approved_on_time",
    "evaluations_with_due",
    "evaluations_on_time",
    "inbox_delivered",
    "inbox_read",
    "skp_on_time_share",
    "evaluations_on_time_share",
    "inbox_read_share",
    "score",
)


def _opd_adoption(view: View) -> Table:
    adoption = view["adoption"]
    return table("adopsi", "Adopsi", ADOPTION_COLUMNS, [[adoption[k] for k in ADOPTION_KEYS]])


# ---------------------------------------------------------------- the city view


def _opds(view: View) -> Table:
    columns = [
        _c("OPD"),
        _c("Predikat Organisasi"),
        _c("Pegawai", INT),
        _c("Periode Terakhir"),
        _c("Jumlah Periode Terakhir", INT),
        *PREDIKAT_COLUMNS,
        _c("Pelanggaran Kurva", INT),
        _c("Skor Rendah", INT),
        _c("Pangsa PNS Memenuhi JP (0-1)", SHARE),
        _c("Keberatan Tertunda", INT),
        _c("Rencana Terbuka", INT),
    ]
    rows = [
        [
            o["opd_code"],
            ORG_PREDIKAT_LABELS.get(o["organisation_predikat"] or "", o["organisation_predikat"]),
            o["employees"],
            o["latest_period"],
            o["latest_total"],
            *_counts(o["latest_counts"]),
            o["curve_violations"],
            o["low"],
            o["jp_pns_met_share"],
            o["objections_pending"],
            o["plans_open"],
        ]
        for o in view["opds"]
    ]
    return table("opd", "Semua OPD", columns, rows)


def _trend(view: View) -> Table:
    columns = [*_distribution_columns(), _c("Skor Rendah", INT), _c("Dieskalasi", INT)]
    rows = [[t["period"], t["total"], *_counts(t["counts"]), t["low"], t["escalated"]] for t in view["trend"]]
    return table("tren", "Tren predikat per periode", columns, rows)


def _escalations(view: View) -> Table:
    columns = [_c("OPD"), _c("Skor Rendah Dieskalasi", INT), _c("Rencana Dieskalasi", INT)]
    rows = [[e["opd_code"], e["low_escalated"], e["plans_escalated"]] for e in view["escalations"]["by_opd"]]
    return table("eskalasi", "Eskalasi per OPD", columns, rows)


def _effect(name: str, title: str, key_header: str, rows_of: Sequence[Mapping[str, Any]]) -> Table:
    columns = [
        _c(key_header),
        _c("Selesai", INT),
        _c("Dengan Hasil Berikutnya", INT),
        _c("Membaik", INT),
        _c("Tetap", INT),
        _c("Memburuk", INT),
        _c("Tingkat Perbaikan (0-1)", SHARE),
    ]
    keys = ("key", "completed", "with_later_result", "improved", "unchanged", "worsened", "improvement_rate")
    return table(name, title, columns, [[r[k] for k in keys] for r in rows_of])


def _effect_programmes(view: View) -> Table:
    rows = view["effectiveness"]["by_programme"]
    return _effect("efektivitas-program", "Efektivitas pelatihan per program", "Program", rows)


def _effect_needs(view: View) -> Table:
    rows = view["effectiveness"]["by_need_kind"]
    return _effect("efektivitas-kebutuhan", "Efektivitas pelatihan per jenis kebutuhan", "Jenis Kebutuhan", rows)


def _city_adoption(view: View) -> Table:
    columns = (_c("Peringkat", INT), *ADOPTION_COLUMNS)
    rows = [[a.get("rank"), *(a[k] for k in ADOPTION_KEYS)] for a in view["adoption"]]
    return table("adopsi", "Adopsi per OPD, peringkat", columns, rows)


Builder = Callable[[View], Table]

TABLES: Mapping[ViewKind, Mapping[str, Builder]] = {
    ViewKind.EMPLOYEE: {
        "riwayat": _history,
        "indikator": _indicators,
        "rencana-pengembangan": _plans,
        "rekomendasi": _recommendations,
        "pelatihan": _trainings,
        "jp": _jp,
    },
    ViewKind.TEAM: {"anggota": _members, "periode": _team_periods},
    ViewKind.OPD: {
        "distribusi": _distribution,
        "kurva": _curve,
        "hotspot-unit": _hotspot_units,
        "hotspot-indikator": _hotspot_indicators,
        "hotspot-perilaku": _hotspot_behaviours,
        "ringkasan": _opd_summary,
        "skp": _skp,
        "kepatuhan-jp": _jp_compliance,
        "adopsi": _opd_adoption,
    },
    ViewKind.CITY: {
        "opd": _opds,
        "tren": _trend,
        "eskalasi": _escalations,
        "efektivitas-program": _effect_programmes,
        "efektivitas-kebutuhan": _effect_needs,
        "adopsi": _city_adoption,
    },
}
"""Every table of every view, by its name in the URL."""


def known(kind: ViewKind, name: str) -> bool:
    return name in TABLES[kind]


def build(kind: ViewKind, name: str, view: View) -> Table:
    """The table ``name`` of a view of ``kind`` (``KeyError`` when the view has no such table)."""
    return TABLES[kind][name](view)


# ---------------------------------------------------------------- files


def filename(kind: ViewKind, key: str | None, year: int, name: str, extension: str) -> str:
    """A safe attachment name: ``kinerja-opd-DINKES-2026-distribusi.csv`` (letters, digits, ``-``, ``.``)."""
    parts = ["kinerja", kind.value, *([key] if key else []), str(year), name]
    return re.sub(r"[^A-Za-z0-9.-]", "_", "-".join(parts)) + "." + extension


BOM = "\ufeff"


def to_csv(t: Table) -> bytes:
    """UTF-8 with a byte order mark, comma-separated, CRLF; ISO dates, numbers with a dot; text
    cells neutralised (``safe_cell``)."""
    return (BOM + csv_text([c.header for c in t.columns], t.rows)).encode("utf-8")


SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH = 8, 60


def _width(column: Column, values: Iterable[Cell]) -> int:
    longest = len(column.header)
    for value in values:
        if isinstance(value, float | dt.date):
            longest = max(longest, 10)
        elif value is not None:
            longest = max(longest, len(str(value)))
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def to_xlsx(t: Table) -> bytes:
    """One sheet: a bold, frozen header row with a filter, typed cells (numbers as numbers, shares as
    numbers shown as percentages, dates as dates), column widths to fit."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    book.set_properties({"title": t.title, "subject": t.name})
    header = book.add_format({"bold": True, "bg_color": "#E7EEF7", "border": 1})
    formats = {
        ColumnType.INT: book.add_format({"num_format": "0"}),
        ColumnType.FLOAT: book.add_format({"num_format": "0.00"}),
        ColumnType.SHARE: book.add_format({"num_format": "0.00%"}),
        ColumnType.DATE: book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    sheet = book.add_worksheet(SHEET_NAME_FORBIDDEN.sub("-", t.title)[:31] or t.name[:31])
    for col, column in enumerate(t.columns):
        sheet.write_string(0, col, column.header, header)
        sheet.set_column(col, col, _width(column, (row[col] for row in t.rows)))
    for r, row in enumerate(t.rows, start=1):
        for col, (value, column) in enumerate(zip(row, t.columns, strict=True)):
            if value is None:
                continue
            if column.type is ColumnType.DATE and isinstance(value, dt.date):
                sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), formats[ColumnType.DATE])
            elif column.type in formats and isinstance(value, int | float):
                sheet.write_number(r, col, value, formats[column.type])
            else:
                sheet.write_string(r, col, str(value))  # a string cell: never a formula, shown as written
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(t.rows), 1), max(len(t.columns) - 1, 0))
    book.close()
    return out.getvalue()
