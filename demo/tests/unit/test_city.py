"""The generated city (pure): reproducible, valid NIPs, a sound hierarchy, the cascade, sizes, the spread.

The NIP rule checked here is domain.md 3 (Perka BKN 22/2007 and 43/2007), the rule the appraisal service
applies (``appraisal.domain.nip``); that the service accepts every generated NIP is shown by the
integration test, which registers the whole tiny city through the API with no row rejected."""

from __future__ import annotations

import collections
import datetime as dt
import json
from pathlib import Path

import pytest

from kinerja_demo.__main__ import sign_in
from kinerja_demo.city import ADMIN_NIP, LOW, PPK, SIZE_BOUNDS, City, Size, Unit, build_city, period_end
from kinerja_demo.learning import PNS_MINIMUM_JP, PPPK_CAP_JP, Learning, learning_of
from kinerja_demo.load import Summary

UNITS = [Unit.from_api(u) for u in json.loads((Path(__file__).parents[1] / "opd.json").read_text())]
"""The master list as GET /api/v1/opd answers it (a snapshot of the service's seed)."""
YEAR = 2026


@pytest.fixture(scope="module")
def small() -> City:
    return build_city("small", 1, UNITS, YEAR)


@pytest.fixture(scope="module")
def city() -> City:
    return build_city("city", 1, UNITS, YEAR)


def test_the_same_seed_gives_the_same_city_and_another_seed_another() -> None:
    assert build_city("tiny", 1, UNITS, YEAR) == build_city("tiny", 1, UNITS, YEAR)
    assert build_city("small", 7, UNITS, YEAR) == build_city("small", 7, UNITS, YEAR)
    assert build_city("tiny", 1, UNITS, YEAR).people != build_city("tiny", 2, UNITS, YEAR).people
    assert build_city("tiny", 1, UNITS, YEAR).people != build_city("tiny", 1, UNITS, YEAR + 1).people
    # The order of the master list does not matter.
    assert build_city("tiny", 1, list(reversed(UNITS)), YEAR) == build_city("tiny", 1, UNITS, YEAR)


@pytest.mark.parametrize("size", ["tiny", "small", "city"])
def test_sizes_stay_within_their_bounds_with_about_a_quarter_pppk(size: str) -> None:
    city = build_city(size, 3, UNITS, YEAR)  # type: ignore[arg-type]
    low, high = SIZE_BOUNDS[size]
    assert low <= len(city.people) <= high
    share = sum(p.employee_type == "PPPK" for p in city.people) / len(city.people)
    assert 0.15 <= share <= 0.32
    expected_units = {"tiny": 4, "small": 8, "city": len(UNITS)}[size]
    assert len(city.units) == expected_units
    assert {p.opd_code for p in city.people} == {u.code for u in city.units}


def test_the_city_weights_education_and_health_largest(city: City) -> None:
    sizes = collections.Counter(p.opd_code for p in city.people)
    sector = {u.code: u.sector for u in UNITS}
    kind = {u.code: u.kind for u in UNITS}
    largest = [code for code, _ in sizes.most_common(3)]
    assert {sector[c] for c in largest} == {"pendidikan", "kesehatan"}
    assert all(80 <= n <= 150 for code, n in sizes.items() if kind[code] == "kecamatan")


def _valid_nip(nip: str, employee_type: str, today: dt.date) -> bool:
    """domain.md 3: 18 digits; birth date; appointment year >= birth + 18 and not ahead; for a PNS the
    TMT month 01-12, for a PPPK digits 13-14 are not a month (``21``); gender 1/2; sequence >= 001."""
    if len(nip) != 18 or not nip.isascii() or not nip.isdigit():
        return False
    try:
        birth = dt.date(int(nip[:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return False
    year, middle = int(nip[8:12]), int(nip[12:14])
    if employee_type == "PNS" and not 1 <= middle <= 12:
        return False
    if employee_type == "PPPK" and middle != 21:
        return False
    return birth.year + 18 <= year <= today.year and nip[14] in "12" and int(nip[15:]) >= 1


def test_nips_are_valid_and_unique_for_pns_and_pppk(city: City) -> None:
    today = dt.date(YEAR, 12, 31)
    nips = [p.nip for p in city.people]
    assert len(set(nips)) == len(nips)
    assert ADMIN_NIP not in nips
    for person in city.people:
        assert _valid_nip(person.nip, person.employee_type, today), person
        assert person.nip[14] == person.gender
        if person.employee_type == "PPPK":
            assert person.contract_start is not None
            assert int(person.contract_start[:4]) == int(person.nip[8:12]) >= 2019
            assert person.position_type in ("JF", "PELAKSANA")
        else:
            assert person.contract_start is None
    # The rule itself refuses what it should.
    assert not _valid_nip("198609262015131001", "PNS", today)  # month 13
    assert _valid_nip("199504172019212001", "PPPK", today)
    assert not _valid_nip("199504172019212001", "PNS", today)  # '21' is no month
    assert not _valid_nip("198602302015051001", "PNS", today)  # 30 February
    assert not _valid_nip("198609262015053001", "PNS", today)  # gender 3
    assert not _valid_nip("198609262015051000", "PNS", today)  # sequence 000
    assert not _valid_nip("200009262015051001", "PNS", today)  # appointed at 15


def test_every_appraiser_exists_one_level_up_with_the_atasan_above_and_no_cycle(small: City) -> None:
    for person in small.people:
        if person is small.sekda:
            assert (person.pejabat_penilai_nip, person.atasan_pejabat_penilai_nip) == (PPK, None)
            assert (person.level, person.position_type, person.opd_code) == (0, "JPT", "SETDA")
            continue
        boss = small.person(str(person.pejabat_penilai_nip))
        assert boss.level == person.level - 1
        assert person.atasan_pejabat_penilai_nip == boss.pejabat_penilai_nip
        seen = {person.nip}
        chain = boss
        while chain is not small.sekda:
            assert chain.nip not in seen
            seen.add(chain.nip)
            chain = small.person(str(chain.pejabat_penilai_nip))
    # Appraisers come before the people they appraise (the registry import and the SKPs rely on it).
    position = {p.nip: n for n, p in enumerate(small.people)}
    assert all(position[str(p.pejabat_penilai_nip)] < position[p.nip] for p in small.people[1:])


def test_heads_of_opd_and_camat_are_appraised_by_the_sekda(small: City) -> None:
    heads = [p for p in small.people if p.level == 1 and p.opd_code != "SETDA"]
    assert len(heads) == len(small.units) - 1
    for head in heads:
        assert (head.pejabat_penilai_nip, head.atasan_pejabat_penilai_nip) == (small.sekda.nip, PPK)
        unit = next(u for u in small.units if u.code == head.opd_code)
        assert head.position_type == ("ADMINISTRATOR" if unit.kind == "kecamatan" else "JPT")
    types = collections.Counter((p.level, p.position_type) for p in small.people if p.opd_code == "DINKES")
    assert set(types) == {(1, "JPT"), (2, "ADMINISTRATOR"), (3, "PENGAWAS"), (4, "JF"), (4, "PELAKSANA")}


def test_every_subordinate_rhk_intervenes_an_rhk_of_their_appraiser(small: City) -> None:
    for person in small.people:
        assert 1 <= len(person.rhk) <= 3
        assert all(len(r.indicators) == 2 for r in person.rhk)
        boss = small.get(person.pejabat_penilai_nip)
        top = boss is None or (person.position_type == "JPT" and boss.opd_code != person.opd_code)
        if top:
            assert all(r.intervened_rhk_id is None for r in person.rhk)
            continue
        assert boss is not None
        theirs = {r.rhk_id: r for r in boss.rhk}
        for rhk in person.rhk:
            assert rhk.intervened_rhk_id in theirs, (person.nip, rhk)
            if boss.opd_code == person.opd_code:
                assert theirs[rhk.intervened_rhk_id].theme == rhk.theme  # the cascade keeps the theme


def test_sector_fitting_work(small: City) -> None:
    texts = {p.opd_code: " ".join(r.text for r in p.rhk) for p in small.people if p.level == 1}
    assert "imunisasi" in texts["DINKES"]
    assert "pendidik" in texts["DISDIK"] or "lulusan" in texts["DISDIK"]
    assert "jalan" in texts["DPUPR"]
    assert "Pendapatan Asli Daerah" in texts["BAPENDA"]
    assert all("pelayanan publik" in t for code, t in texts.items() if code.startswith("KEC-"))


def test_a_plausible_predikat_spread_with_few_objections_and_plans_for_low_results(city: City) -> None:
    outcomes = [o for p in city.people for o in p.outcomes]
    share = {k: v / len(outcomes) for k, v in collections.Counter(o.predikat for o in outcomes).items()}
    assert 0.70 <= share["baik"] <= 0.85
    assert 0.06 <= share["sangat_baik"] <= 0.18
    assert 0.03 <= share["butuh_perbaikan"] <= 0.10
    assert 0.005 <= share["kurang_misconduct"] <= 0.04
    assert 0.002 <= share["sangat_kurang"] <= 0.03
    objections = sum(o.objection is not None for o in outcomes) / len(outcomes)
    assert 0.005 <= objections <= 0.02
    assert all(o.plan_cause and o.plan_actions for o in outcomes if o.low)
    assert not any(o.plan_cause for o in outcomes if not o.low)
    # Low results two years running exist (history), and the year before last only for some.
    twice = [p for p in city.people if len(p.history) == 2]
    assert twice
    assert all(h.predikat in LOW for p in twice for h in p.history)


def test_realisations_are_consistent_with_the_ratings(small: City) -> None:
    bounds = {
        "di_atas_ekspektasi": (110.0, 1000.0),
        "sesuai_ekspektasi": (100.0, 110.0),
        "di_bawah_ekspektasi": (0.0, 100.0),
    }
    for person in small.people:
        targets = {i.indicator_id: float(i.target) for r in person.rhk for i in r.indicators}
        for outcome in person.outcomes:
            low, high = bounds[outcome.hasil_kerja]
            for indicator_id, value in outcome.realisations:
                capaian = round(float(value) / targets[indicator_id] * 100, 1)
                assert low <= capaian < high or (capaian == high == 110.0), (person.nip, outcome, indicator_id)
                unit = next(i.unit for r in person.rhk for i in r.indicators if i.indicator_id == indicator_id)
                assert unit != "%" or float(value) <= 100


def test_periods_are_the_quarters() -> None:
    city = build_city("tiny", 1, UNITS, YEAR)
    assert city.periods == ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
    assert [period_end(p) for p in city.periods] == [
        dt.date(2026, 3, 31),
        dt.date(2026, 6, 30),
        dt.date(2026, 9, 30),
        dt.date(2026, 12, 31),
    ]


def test_an_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="size"):
        build_city("huge", 1, UNITS, YEAR)  # type: ignore[arg-type]


def test_learning_reaches_the_pns_minimum_for_most_and_keeps_pppk_under_the_cap() -> None:
    city = build_city("small", 3, UNITS, 2026)
    until = dt.date(2026, 11, 30)
    plans = {p.nip: learning_of(p, 2026, city.seed, until) for p in city.people}
    assert plans == {p.nip: learning_of(p, 2026, city.seed, until) for p in city.people}  # seeded
    pns = [p for p in city.people if p.employee_type == "PNS"]
    reach = sum(sum(i.jp for i in plans[p.nip]) >= PNS_MINIMUM_JP for p in pns) / len(pns)
    assert 0.6 <= reach <= 0.8
    for person in city.people:
        items = plans[person.nip]
        assert all(dt.date(2026, 1, 1) <= i.on <= until for i in items)
        assert len({i.evidence for i in items}) == len(items)
        if person.employee_type == "PPPK":
            assert sum(i.jp for i in items) <= PPPK_CAP_JP
        elif sum(i.jp for i in items) < PNS_MINIMUM_JP:
            assert sum(i.jp for i in items) <= PNS_MINIMUM_JP - 1
    # nothing learnt before the year begins, nothing after ``until``
    assert learning_of(city.people[0], 2027, city.seed, until) == ()
    assert all(i.on <= dt.date(2026, 3, 1) for i in learning_of(city.people[5], 2026, city.seed, dt.date(2026, 3, 1)))


def test_the_jp_of_each_form_follows_the_conversion_table() -> None:
    day = dt.date(2026, 5, 1)
    assert Learning("s", "seminar", day, "e", days=1.0).jp == 4
    assert Learning("w", "workshop", day, "e", days=1.0).jp == 5
    assert Learning("e", "e_learning", day, "e", minutes=270).jp == 6
    assert Learning("t", "pelatihan_teknis", day, "e", jp_stated=24.0).jp == 24
    body = Learning("e", "e_learning", day, "SERT/1", minutes=180).body("198609262015051001")
    assert body == {
        "nip": "198609262015051001",
        "title": "e",
        "form": "e_learning",
        "on": "2026-05-01",
        "evidence": "SERT/1",
        "minutes": 180,
    }


@pytest.mark.parametrize("size", ["tiny", "small"])
def test_the_people_to_sign_in_as_carry_the_roles_their_place_gives_them(size: Size) -> None:
    """Whom a listed person appraises, or is the atasan of, gives them the role (in the tiny city the
    low-result employee appraises someone: without the role the registry hides that person from them)."""
    small = build_city(size, 1, UNITS, YEAR)
    listed = sign_in(small, Summary(evaluated_periods=[f"{YEAR}-Q1", f"{YEAR}-Q2", f"{YEAR}-Q3"]))
    appraisers = {p.pejabat_penilai_nip for p in small.people}
    superiors = {p.atasan_pejabat_penilai_nip for p in small.people}
    people = [p for p in listed.values() if p and p["nip"] not in (ADMIN_NIP, PPK)]
    assert {"sekda", "kepala_dinas", "kabid", "pegawai_low_result", "admin_opd"} <= set(listed)
    for person in people:
        roles = set(person["roles"])
        assert "pegawai" in roles
        assert ("pejabat_penilai" in roles) == (person["nip"] in appraisers), person
        assert ("atasan_pejabat_penilai" in roles) == (person["nip"] in superiors), person
    assert "pimpinan" in listed["sekda"]["roles"]
    assert ("admin_opd" in listed["admin_opd"]["roles"], listed["admin_opd"]["admin_opd_code"]) == (
        True,
        listed["kepala_dinas"]["opd_code"],
    )
