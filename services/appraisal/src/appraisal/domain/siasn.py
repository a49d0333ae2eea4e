"""Reading a SIASN-style export: the Indonesian column names and values an OPD admin's spreadsheet
carries (NIP, NAMA, JENIS JABATAN, JABATAN, ...), mapped to the registry's fields. A value read as
something else is reported on its row, so the admin sees how the file was understood."""

from __future__ import annotations

import re
from types import MappingProxyType

from shared.i18n import Text

HEADER_ALIASES = MappingProxyType(
    {
        "NIP": "nip",
        "NIP_BARU": "nip",
        "NAMA": "name",
        "NAMA_LENGKAP": "name",
        "EMAIL": "email",
        "EMAIL_DINAS": "email",
        "JENIS_PEGAWAI": "employee_type",
        "STATUS_PEGAWAI": "employee_type",
        "JENIS_JABATAN": "position_type",
        "JABATAN": "position_title",
        "NAMA_JABATAN": "position_title",
        "KODE_OPD": "opd_code",
        "OPD": "opd_code",
        "KODE_UNIT": "unit_code",
        "UNIT_KERJA": "unit_code",
        "NIP_PEJABAT_PENILAI": "pejabat_penilai_nip",
        "NIP_ATASAN": "pejabat_penilai_nip",
        "NIP_ATASAN_PEJABAT_PENILAI": "atasan_pejabat_penilai_nip",
        "TMT_PPPK": "contract_start",
        "TMT_KONTRAK": "contract_start",
        "AWAL_PERJANJIAN_KERJA": "contract_start",
    }
)
"""[R] Column names of a SIASN-style export (case, spaces and hyphens do not matter)."""

VALUE_ALIASES = MappingProxyType(
    {
        "employee_type": MappingProxyType({"CPNS": "PNS", "P3K": "PPPK"}),
        "position_type": MappingProxyType(
            {
                "JABATAN PIMPINAN TINGGI": "JPT",
                "JPT PRATAMA": "JPT",
                "JABATAN ADMINISTRATOR": "ADMINISTRATOR",
                "JABATAN PENGAWAS": "PENGAWAS",
                "JABATAN PELAKSANA": "PELAKSANA",
                "FUNGSIONAL UMUM": "PELAKSANA",
                "JFU": "PELAKSANA",
                "FUNGSIONAL": "JF",
                "FUNGSIONAL TERTENTU": "JF",
                "JABATAN FUNGSIONAL": "JF",
                "JFT": "JF",
            }
        ),
    }
)
"""[R] Values of a SIASN-style export and what the registry reads them as."""


def canonical_header(name: str) -> str | None:
    """The registry field a SIASN-style column name stands for, or None."""
    return HEADER_ALIASES.get(re.sub(r"[\s\-]+", "_", name.strip().upper()))


DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
"""[R] A date as an Indonesian spreadsheet writes it (31-12-2024, 31/12/2024): day first."""


def read_value(field: str, raw: str) -> tuple[str, Text | None]:
    """``raw`` as the registry reads it, and a note when it was read as something else."""
    if field == "contract_start" and (found := DAY_MONTH_YEAR.match(raw.strip())):
        day, month, year = found.groups()
        iso = f"{year}-{int(month):02d}-{int(day):02d}"
        return iso, Text(f"{field}: '{raw}' dibaca sebagai {iso}", f"{field}: '{raw}' read as {iso}")
    aliases = VALUE_ALIASES.get(field)
    if not aliases:
        return raw, None
    key = re.sub(r"\s+", " ", raw.strip().upper())
    value = aliases.get(key)
    if value is None:
        return (key, None) if key != raw else (raw, None)
    return value, Text(f"{field}: '{raw}' dibaca sebagai {value}", f"{field}: '{raw}' read as {value}")
