import pytest

from shared.i18n import Text
from shared.periods import period_label


@pytest.mark.parametrize(
    ("period", "label"),
    [
        ("2034", Text("Tahun 2034", "Year 2034")),
        ("2034-S1", Text("Semester I 2034", "Semester I 2034")),
        ("2034-S2", Text("Semester II 2034", "Semester II 2034")),
        ("2034-Q1", Text("Triwulan I 2034", "Q1 2034")),
        ("2034-Q4", Text("Triwulan IV 2034", "Q4 2034")),
        ("2035-01", Text("Januari 2035", "January 2035")),
        ("2035-03", Text("Maret 2035", "March 2035")),
        ("2035-08", Text("Agustus 2035", "August 2035")),
        ("2035-12", Text("Desember 2035", "December 2035")),
        ("2035-13", Text("2035-13", "2035-13")),
        ("2035-Q5", Text("2035-Q5", "2035-Q5")),
        ("", Text("", "")),
    ],
)
def test_a_period_reads_as_people_say_it(period: str, label: Text) -> None:
    assert period_label(period) == label
