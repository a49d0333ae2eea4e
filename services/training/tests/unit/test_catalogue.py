import dataclasses
import datetime as dt

import pytest

from training.domain.catalogue import Programme, Session, catalogue_problems, check_programme, programme_problems
from training.domain.catalogue_seed import SEED_CATALOGUE
from training.domain.errors import RuleError
from training.domain.jp import jp_for
from training.domain.rules import SECTORS, Competency, LearningForm, Modality


def test_seed_catalogue_is_valid_against_the_rules() -> None:
    assert catalogue_problems(SEED_CATALOGUE) == []
    assert 25 <= len(SEED_CATALOGUE) <= 40


@pytest.mark.parametrize("programme", SEED_CATALOGUE, ids=lambda p: p.code)
def test_each_seed_programme(programme: Programme) -> None:
    assert programme.jp == jp_for(
        programme.form,
        days=programme.days,
        jp_stated=programme.jp_stated,
        minutes=programme.minutes,
        international=programme.international,
    )
    assert programme.sectors <= SECTORS
    assert programme.sessions
    for s in programme.sessions:
        assert s.capacity > 0
        assert s.starts_on <= s.ends_on
        assert s.place or s.online_link


def test_seed_codes_are_unique() -> None:
    codes = [p.code for p in SEED_CATALOGUE]
    assert len(codes) == len(set(codes))
    sessions = [s.code for p in SEED_CATALOGUE for s in p.sessions]
    assert len(sessions) == len(set(sessions))


def test_seed_covers_the_palembang_topics_and_both_modalities() -> None:
    titles = " | ".join(p.title for p in SEED_CATALOGUE)
    for topic in (
        "Pelatihan Teknis Imunisasi bagi Petugas Puskesmas",
        "Kurikulum Merdeka",
        "Komunikasi Efektif dengan Orang Tua Siswa",
        "Pelayanan Prima",
        "Manajemen Waktu",
        "Penyusunan SKP",
        "Coaching",
        "Mentoring",
        "E-Learning",
        "BerAKHLAK",
        "SPBE",
        "Manajemen Kinerja",
        "Kolaborasi",
        "Etika dan Integritas",
    ):
        assert topic in titles
    assert {p.modality for p in SEED_CATALOGUE} == set(Modality)
    assert any(p.international for p in SEED_CATALOGUE)
    used = {c for p in SEED_CATALOGUE for c in p.competencies}
    assert used == set(Competency)


def _session(**kw: object) -> Session:
    base = {"code": "X-01-A", "starts_on": dt.date(2026, 3, 2), "ends_on": dt.date(2026, 3, 3), "capacity": 10}
    base |= {"place": "Aula BKPSDM"}
    base |= kw
    return Session(**base)  # type: ignore[arg-type]


GOOD = Programme(
    code="X-01",
    title="Pelatihan Contoh",
    form=LearningForm.WORKSHOP,
    days=2,
    jp=10,
    competencies=frozenset({Competency.KOLABORASI_TIM}),
    sectors=frozenset({"kesehatan"}),
    keywords=("koordinasi",),
    sessions=(_session(),),
)


def test_a_good_programme_passes() -> None:
    assert programme_problems(GOOD) == []
    assert check_programme(GOOD) is GOOD


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"code": "x-01"}, "code_invalid"),
        ({"code": "X"}, "code_invalid"),
        ({"title": " "}, "title_invalid"),
        ({"title": "a" * 201}, "title_invalid"),
        ({"competencies": frozenset()}, "competencies_missing"),
        ({"sectors": frozenset({"antariksa"})}, "sector_unknown:antariksa"),
        ({"keywords": ("Koordinasi",)}, "keyword_invalid"),
        ({"jp": 8}, "jp_mismatch:10.0"),
        ({"days": None, "jp_stated": 10}, "jp_basis_invalid:jp_input_mismatch"),
        ({"days": 0}, "jp_basis_invalid:jp_input_not_positive"),
        ({"sessions": (_session(), _session())}, "session_code_duplicate"),
        ({"sessions": (_session(ends_on=dt.date(2026, 3, 1)),)}, "session X-01-A: dates_reversed"),
        ({"sessions": (_session(ends_on=dt.date(2026, 3, 2)),)}, "session X-01-A: shorter_than_programme"),
        ({"sessions": (_session(ends_on=dt.date(2027, 3, 30)),)}, "session X-01-A: too_long"),
        ({"sessions": (_session(capacity=0),)}, "session X-01-A: capacity_invalid"),
        ({"sessions": (_session(capacity=-3),)}, "session X-01-A: capacity_invalid"),
        ({"sessions": (_session(capacity=1001),)}, "session X-01-A: capacity_invalid"),
        ({"sessions": (_session(place=None),)}, "session X-01-A: place_missing"),
        ({"sessions": (_session(online_link="http://x.example/a"),)}, "session X-01-A: online_link_invalid"),
        ({"sessions": (_session(code="bad code"),)}, "session bad code: code_invalid"),
    ],
)
def test_programme_problems(change: dict[str, object], problem: str) -> None:
    bad = dataclasses.replace(GOOD, **change)  # type: ignore[arg-type]
    assert problem in programme_problems(bad)
    with pytest.raises(RuleError) as exc:
        check_programme(bad)
    assert exc.value.code == "programme_invalid"


def test_catalogue_refuses_a_code_used_twice() -> None:
    assert catalogue_problems((GOOD, GOOD)) == ["X-01: code_duplicate"]


def test_session_lookup() -> None:
    assert GOOD.session("X-01-A").days == 2
    with pytest.raises(RuleError):
        GOOD.session("nope")
