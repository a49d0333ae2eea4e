"""Reading a SIASN-style export (domain.siasn): Indonesian column names and values."""

from __future__ import annotations

import pytest

from appraisal.domain.siasn import canonical_header, read_value
from shared.i18n import Text


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("NIP", "nip"),
        ("nama", "name"),
        ("Jenis Jabatan", "position_type"),
        ("JENIS-PEGAWAI", "employee_type"),
        ("JABATAN", "position_title"),
        ("Kode OPD", "opd_code"),
        ("NIP ATASAN", "pejabat_penilai_nip"),
        ("NIP_ATASAN_PEJABAT_PENILAI", "atasan_pejabat_penilai_nip"),
        ("GOLONGAN", None),
    ],
)
def test_column_names(name: str, field: str | None) -> None:
    assert canonical_header(name) == field


def test_values_read_as_the_registry_reads_them_with_a_note() -> None:
    assert read_value("position_type", "Fungsional Tertentu") == (
        "JF",
        Text(
            "position_type: 'Fungsional Tertentu' dibaca sebagai JF", "position_type: 'Fungsional Tertentu' read as JF"
        ),
    )
    assert read_value("position_type", "jfu") == (
        "PELAKSANA",
        Text("position_type: 'jfu' dibaca sebagai PELAKSANA", "position_type: 'jfu' read as PELAKSANA"),
    )
    assert read_value("employee_type", "CPNS") == (
        "PNS",
        Text("employee_type: 'CPNS' dibaca sebagai PNS", "employee_type: 'CPNS' read as PNS"),
    )
    assert read_value("employee_type", "pppk") == ("PPPK", None)  # case only: no note
    assert read_value("position_type", "JF") == ("JF", None)
    assert read_value("name", "dr. Siti") == ("dr. Siti", None)
    assert read_value("position_type", "Struktural") == ("STRUKTURAL", None)  # unknown: refused by the row's rules
