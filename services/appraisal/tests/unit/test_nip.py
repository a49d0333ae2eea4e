import datetime as dt

import pytest

from appraisal.domain.nip import InvalidNipError, parse_nip
from shared.events import EmployeeType

TODAY = dt.date(2026, 11, 29)
PNS, PPPK = EmployeeType.PNS, EmployeeType.PPPK


def test_parses_the_example_pns_nip() -> None:
    parts = parse_nip("198609262015051001", PNS, today=TODAY)
    assert parts.birth_date == dt.date(1986, 9, 26)
    assert (parts.appointment_year, parts.appointment_month) == (2015, 5)
    assert (parts.gender, parts.sequence) == ("L", 1)


def test_female_gender_digit() -> None:
    assert parse_nip("199001012020122003", PNS, today=TODAY).gender == "P"


def test_pppk_number_skips_the_month_check() -> None:
    parts = parse_nip("199203152022211005", PPPK, today=TODAY)  # digits 13-14 are "21"
    assert parts.appointment_month is None
    with pytest.raises(InvalidNipError, match="TMT CPNS month"):
        parse_nip("199203152022211005", PNS, today=TODAY)


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("19860926201505100", "exactly 18 digits"),
        ("1986092620150510011", "exactly 18 digits"),
        ("19860926 201505 1 001", "exactly 18 digits"),
        ("19860926201505100A", "exactly 18 digits"),
        ("198602302015051001", "valid birth date"),
        ("198613012015051001", "valid birth date"),
        ("202701012045051001", "future"),
        ("198609262015001001", "month"),
        ("198609262015131001", "month"),
        ("198609261999051001", "less than 18 years after birth"),
        ("198609262027051001", "appointment year 2027"),
        ("198609262015053001", "gender code"),
        ("198609262015050001", "gender code"),
        ("198609262015051000", "sequence"),
    ],
)
def test_invalid_pns_nip_names_the_wrong_part(nip: str, message: str) -> None:
    with pytest.raises(InvalidNipError, match=message):
        parse_nip(nip, PNS, today=TODAY)
