from datetime import UTC, datetime

import pytest

from reporting.domain import AppraisalFact, newest_revisions, summarise_predikat
from shared.events import Predikat


def test_summary_lists_every_predikat_with_zero_for_absent() -> None:
    summary = summarise_predikat({"baik": 3, "sangat_baik": 1})
    assert summary.total == 4
    assert summary.by_predikat == {
        Predikat.SANGAT_BAIK: 1,
        Predikat.BAIK: 3,
        Predikat.BUTUH_PERBAIKAN: 0,
        Predikat.KURANG_MISCONDUCT: 0,
        Predikat.SANGAT_KURANG: 0,
    }
    assert summary.share(Predikat.BAIK) == pytest.approx(0.75)


def test_empty_summary_has_zero_shares() -> None:
    summary = summarise_predikat({})
    assert summary.total == 0
    assert summary.share(Predikat.BAIK) == 0.0


def test_unknown_predikat_keys_are_ignored() -> None:
    assert summarise_predikat({"legendary": 5, "baik": 1}).total == 1


def fact(appraisal_id: str, revision: int, predikat: Predikat = Predikat.BAIK) -> AppraisalFact:
    return AppraisalFact(
        appraisal_id=appraisal_id,
        revision=revision,
        nip="198609262015051001",
        opd_code="DINKES",
        period="2026",
        predikat=predikat,
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_newest_revisions_keeps_the_highest_revision_of_each_appraisal_in_any_order() -> None:
    batch = [fact("a", 2, Predikat.KURANG_MISCONDUCT), fact("b", 1), fact("a", 1), fact("a", 3), fact("b", 1)]
    assert newest_revisions(batch) == [fact("a", 3), fact("b", 1)]


def test_newest_revisions_of_an_empty_batch_is_empty() -> None:
    assert newest_revisions([]) == []


def test_newest_revisions_keeps_the_first_seen_of_equal_revisions() -> None:
    first, again = fact("a", 2, Predikat.BAIK), fact("a", 2, Predikat.SANGAT_BAIK)
    assert newest_revisions([first, again]) == [first]
