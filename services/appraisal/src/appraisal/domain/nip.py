"""NIP validation (Perka BKN 22/2007 and 43/2007).

PNS NIP, 18 digits: birth date YYYYMMDD (1-8), TMT CPNS year and month YYYYMM (9-14), gender
1 = male / 2 = female (15), sequence 001-999 (16-18). The NI PPPK has the same length, birth date,
gender and sequence, but digits 9-14 are not a year-month (in practice year + '21'), so the month
check does not apply to PPPK.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shared.events import EmployeeType
from shared.i18n import Text

MIN_AGE_AT_APPOINTMENT = 18  # [R] practical lower bound used as a plausibility check

_DIGITS = re.compile(r"^[0-9]{18}$")


@dataclass(frozen=True)
class NipParts:
    birth_date: dt.date
    appointment_year: int
    appointment_month: int | None
    gender: str  # "L" or "P"
    sequence: int


class InvalidNipError(ValueError):
    """The NIP does not follow the national layout; the message says which part is wrong."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def parse_nip(nip: str, employee_type: EmployeeType, *, today: dt.date) -> NipParts:
    """The parts of ``nip``; ``today`` (the day in Palembang, from the service's clock) bounds the dates."""
    if not _DIGITS.match(nip):
        raise InvalidNipError(
            Text("NIP harus tepat 18 digit angka, tanpa spasi", "NIP must be exactly 18 digits, without spaces")
        )
    try:
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError as exc:
        raise InvalidNipError(
            Text(
                f"digit 1-8 harus berupa tanggal lahir yang valid (YYYYMMDD), tertulis {nip[0:8]}",
                f"digits 1-8 must be a valid birth date (YYYYMMDD), got {nip[0:8]}",
            )
        ) from exc
    if birth > today:
        raise InvalidNipError(
            Text("tanggal lahir pada digit 1-8 berada di masa depan", "the birth date in digits 1-8 lies in the future")
        )
    year = int(nip[8:12])
    month: int | None = int(nip[12:14])
    if employee_type is EmployeeType.PNS:
        if not 1 <= (month or 0) <= 12:
            raise InvalidNipError(
                Text(
                    f"digit 13-14 harus berupa bulan TMT CPNS (01-12), tertulis {nip[12:14]}",
                    f"digits 13-14 must be the TMT CPNS month (01-12), got {nip[12:14]}",
                )
            )
    else:
        month = None
    if year < birth.year + MIN_AGE_AT_APPOINTMENT:
        raise InvalidNipError(
            Text(
                f"tahun pengangkatan {year} pada digit 9-12 kurang dari {MIN_AGE_AT_APPOINTMENT} tahun "
                "setelah tahun lahir",
                f"the appointment year {year} in digits 9-12 is less than {MIN_AGE_AT_APPOINTMENT} years after birth",
            )
        )
    if year > today.year:
        raise InvalidNipError(
            Text(
                f"tahun pengangkatan {year} pada digit 9-12 berada di masa depan",
                f"the appointment year {year} in digits 9-12 lies in the future",
            )
        )
    gender = {"1": "L", "2": "P"}.get(nip[14])
    if gender is None:
        raise InvalidNipError(
            Text(
                f"digit 15 harus berupa kode jenis kelamin 1 atau 2, tertulis {nip[14]}",
                f"digit 15 must be the gender code 1 or 2, got {nip[14]}",
            )
        )
    sequence = int(nip[15:18])
    if sequence < 1:
        raise InvalidNipError(
            Text(
                "digit 16-18 harus berupa nomor urut mulai dari 001", "digits 16-18 must be a sequence number from 001"
            )
        )
    return NipParts(birth, year, month, gender, sequence)
