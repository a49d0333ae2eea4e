"""The message of a field error found by validation (pydantic), in both languages.

English is pydantic's own message, unchanged. Bahasa Indonesia is written here per error ``type``,
filled in from the error's ``ctx`` (a length, a bound, the allowed values); a validator of this
project says its refusal in both languages itself (``shared.i18n.TextError``). A type not listed
here, or whose ``ctx`` lacks what its text needs, reads "Nilai tidak valid" in Bahasa Indonesia."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from shared.i18n import Text, TextError

GENERIC = "Nilai tidak valid"
"""The Indonesian message of a field error whose type has no text of its own."""

_DATE = "Harus berupa tanggal yang valid (YYYY-MM-DD)"
_DATETIME = "Harus berupa tanggal dan waktu yang valid (ISO 8601, mis. 2026-01-31T08:00:00+07:00)"
_INTEGER = "Harus berupa bilangan bulat"
_NUMBER = "Harus berupa angka"
_BOOLEAN = "Harus berupa nilai boolean (true atau false)"
_OBJECT = "Harus berupa objek JSON"
_URL = "Harus berupa URL yang valid"

INDONESIAN: Mapping[str, str] = MappingProxyType(
    {
        "missing": "Wajib diisi",
        "extra_forbidden": "Isian ini tidak dikenal dan tidak diizinkan",
        "string_type": "Harus berupa teks",
        "string_unicode": "Harus berupa teks Unicode yang valid",
        "string_too_short": "Paling sedikit {min_length} karakter",
        "string_too_long": "Paling banyak {max_length} karakter",
        "string_pattern_mismatch": "Tidak sesuai dengan format yang diharapkan (pola {pattern})",
        "too_short": "Paling sedikit {min_length} item",
        "too_long": "Paling banyak {max_length} item",
        "bytes_too_short": "Paling sedikit {min_length} byte",
        "bytes_too_long": "Paling banyak {max_length} byte",
        "greater_than": "Harus lebih besar dari {gt}",
        "greater_than_equal": "Harus lebih besar dari atau sama dengan {ge}",
        "less_than": "Harus lebih kecil dari {lt}",
        "less_than_equal": "Harus lebih kecil dari atau sama dengan {le}",
        "multiple_of": "Harus kelipatan {multiple_of}",
        "finite_number": "Harus berupa angka yang terhingga",
        "int_type": _INTEGER,
        "int_parsing": _INTEGER,
        "int_parsing_size": "Bilangan bulat ini terlalu besar",
        "int_from_float": "Harus berupa bilangan bulat, bukan pecahan",
        "float_type": _NUMBER,
        "float_parsing": _NUMBER,
        "decimal_type": _NUMBER,
        "decimal_parsing": _NUMBER,
        "decimal_max_digits": "Paling banyak {max_digits} digit",
        "decimal_max_places": "Paling banyak {decimal_places} angka di belakang koma",
        "bool_type": _BOOLEAN,
        "bool_parsing": _BOOLEAN,
        "date_type": _DATE,
        "date_parsing": _DATE,
        "date_from_datetime_parsing": _DATE,
        "date_from_datetime_inexact": "Harus berupa tanggal tanpa jam",
        "date_past": "Tanggal harus sudah lewat",
        "date_future": "Tanggal harus di masa depan",
        "datetime_type": _DATETIME,
        "datetime_parsing": _DATETIME,
        "datetime_from_date_parsing": _DATETIME,
        "datetime_object_invalid": _DATETIME,
        "timezone_aware": "Harus memuat zona waktu",
        "timezone_naive": "Tidak boleh memuat zona waktu",
        "time_type": "Harus berupa waktu yang valid (HH:MM:SS)",
        "time_parsing": "Harus berupa waktu yang valid (HH:MM:SS)",
        "literal_error": "Harus salah satu dari: {expected}",
        "enum": "Harus salah satu dari: {expected}",
        "list_type": "Harus berupa daftar (array JSON)",
        "tuple_type": "Harus berupa daftar (array JSON)",
        "set_type": "Harus berupa daftar tanpa nilai ganda",
        "frozen_set_type": "Harus berupa daftar tanpa nilai ganda",
        "dict_type": _OBJECT,
        "model_type": _OBJECT,
        "model_attributes_type": _OBJECT,
        "dataclass_type": _OBJECT,
        "none_required": "Harus kosong (null)",
        "uuid_type": "Harus berupa UUID yang valid",
        "uuid_parsing": "Harus berupa UUID yang valid",
        "uuid_version": "Harus berupa UUID versi {expected_version}",
        "url_type": _URL,
        "url_parsing": _URL,
        "url_syntax_violation": _URL,
        "url_too_long": "URL paling panjang {max_length} karakter",
        "url_scheme": "Skema URL harus salah satu dari: {expected_schemes}",
        "json_invalid": "Bukan JSON yang valid",
        "json_type": "Harus berupa teks JSON",
        "union_tag_invalid": "Jenis {tag} tidak dikenal; yang diharapkan: {expected_tags}",
        "union_tag_not_found": "Isian {discriminator} wajib ada",
        "value_error": GENERIC,
        "assertion_error": GENERIC,
    }
)
"""Bahasa Indonesia per pydantic error type; ``{name}`` is filled from the error's ``ctx``."""


def field_message(error: Mapping[str, Any]) -> Text:
    """The message of one pydantic error (an item of ``ValidationError.errors()``), in both languages."""
    english = str(error.get("msg", ""))
    ctx = error.get("ctx") or {}
    refusal = ctx.get("error")
    if isinstance(refusal, TextError):  # a validator of this project said it in both languages
        return refusal.text
    kind = str(error.get("type", ""))
    if kind == "value_error" and english.startswith("value is not a valid email address"):
        return Text("Harus berupa alamat email yang valid", english)
    template = INDONESIAN.get(kind, GENERIC)
    try:
        indonesian = template.format_map({key: _indonesian_value(value) for key, value in ctx.items()})
    except (KeyError, IndexError, ValueError):
        indonesian = GENERIC
    return Text(indonesian, english or indonesian)


def field_name(error: Mapping[str, Any]) -> str:
    """Where the error was, as a dotted path (``body.rhk.0.text``)."""
    return ".".join(str(part) for part in error.get("loc", ()))


def _indonesian_value(value: Any) -> str:
    """A ``ctx`` value as the Indonesian text shows it: pydantic's lists of choices end in ``or``."""
    text = str(value)
    head, separator, last = text.rpartition("' or '")
    return f"{head}' atau '{last}" if separator else text
