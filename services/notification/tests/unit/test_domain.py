import pytest

from notification.domain import PREDIKAT_LABELS, appraisal_completed_message, describe_period
from shared.events import AppraisalCompletedPayload, Predikat, RatingLevel


@pytest.mark.parametrize(
    ("period", "text"),
    [
        ("2026", "tahun 2026"),
        ("2026-Q1", "Triwulan I 2026"),
        ("2026-Q2", "Triwulan II 2026"),
        ("2026-Q3", "Triwulan III 2026"),
        ("2026-Q4", "Triwulan IV 2026"),
        ("2026-S1", "Semester I 2026"),
        ("2026-S2", "Semester II 2026"),
        ("2026-01", "Januari 2026"),
        ("2026-12", "Desember 2026"),
        ("2026-03", "Maret 2026"),
    ],
)
def test_describes_period_in_bahasa_indonesia(period: str, text: str) -> None:
    assert describe_period(period) == text


def test_every_predikat_has_a_label() -> None:
    assert set(PREDIKAT_LABELS) == set(Predikat)


def test_appraisal_completed_message_names_period_and_predikat() -> None:
    payload = AppraisalCompletedPayload(
        appraisal_id="a-1",
        nip="198609262015051001",
        opd_code="DINKES",
        period="2026-Q1",
        hasil_kerja=RatingLevel.DI_BAWAH_EKSPEKTASI,
        perilaku_kerja=RatingLevel.SESUAI_EKSPEKTASI,
        predikat=Predikat.BUTUH_PERBAIKAN,
    )
    message = appraisal_completed_message(payload)
    assert message.title == "Penilaian kinerja Triwulan I 2026 telah selesai"
    assert "predikat Butuh Perbaikan" in message.body


def test_revised_appraisal_says_it_was_revised() -> None:
    payload = AppraisalCompletedPayload(
        appraisal_id="a-1",
        revision=2,
        nip="198609262015051001",
        opd_code="DINKES",
        period="2026",
        hasil_kerja=RatingLevel.SESUAI_EKSPEKTASI,
        perilaku_kerja=RatingLevel.SESUAI_EKSPEKTASI,
        predikat=Predikat.BAIK,
    )
    message = appraisal_completed_message(payload)
    assert message.title == "Hasil penilaian kinerja tahun 2026 direvisi"
    assert message.body.endswith("predikat Anda sekarang Baik.")
