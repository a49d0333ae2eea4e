import pytest
from pydantic import ValidationError

from training.schemas.models import DeclineIn, ExternalLearningIn


@pytest.mark.parametrize(
    "reason", ["   ", "\u200b\u200b\u200b\u200b", " \u200b\ufeff\u2060\u200c\u200d \t", "a\u200b\u200b "]
)
def test_a_decline_reason_of_blanks_or_zero_width_characters_is_refused(reason: str) -> None:
    with pytest.raises(ValidationError):
        DeclineIn(reason=reason)


def test_a_decline_reason_is_kept_without_blank_ends() -> None:
    assert DeclineIn(reason=" \u200bsudah ikut\u200b \n").reason == "sudah ikut"


BASE = {"nip": "198609262015051001", "title": "Webinar", "form": "seminar", "on": "2026-11-02", "days": 1}


@pytest.mark.parametrize(
    "evidence",
    ["SERT/2026/11", "Nomor: 800/12/BKPSDM", "https://lms.example.go.id/sertifikat/9", "HTTP://arsip.example/1"],
)
def test_evidence_is_a_certificate_number_or_an_http_link(evidence: str) -> None:
    assert ExternalLearningIn.model_validate(BASE | {"evidence": evidence}).evidence == evidence


@pytest.mark.parametrize(
    "evidence", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd"]
)
def test_evidence_of_another_scheme_is_refused(evidence: str) -> None:
    with pytest.raises(ValidationError, match="no other scheme"):
        ExternalLearningIn.model_validate(BASE | {"evidence": evidence})
