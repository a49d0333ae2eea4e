"""Appraiser links: the hierarchy rules and separation of duties (domain.hierarchy)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from appraisal.domain.access import Actor
from appraisal.domain.hierarchy import LINKS, Person, link_problems
from shared.events import PPK

STAFF, KABID, KADIS, SEKDA, ADMIN, OUTSIDER = (f"19800101200501100{i}" for i in range(6))
PEOPLE = {
    KABID: Person(KABID, "DINKES", True, KADIS),
    KADIS: Person(KADIS, "DINKES", True, SEKDA),
    SEKDA: Person(SEKDA, "SETDA", True, None),
    ADMIN: Person(ADMIN, "DINKES", True, KADIS),
    OUTSIDER: Person(OUTSIDER, "DINKES", False, None),
}
OPD_ADMIN = Actor(ADMIN, frozenset({"admin_opd", "pejabat_penilai"}), "DINKES")
BKPSDM = Actor("197001012000011001", frozenset({"admin_bkpsdm"}))
ALL = frozenset(LINKS)


def problems(
    links: Mapping[str, str | None],
    *,
    actor: Actor = OPD_ADMIN,
    changed: frozenset[str] = ALL,
    nip: str = STAFF,
    chain: list[str] | None = None,
    position_type: str | None = None,
) -> tuple[list[str], list[str]]:
    """The problems in English (each is also said in Bahasa Indonesia: ``test_problems_are_bilingual``)."""
    found = link_problems(
        nip, "DINKES", links, changed, actor=actor, people=PEOPLE, chain=chain or [], position_type=position_type
    )
    return [t.en for t in found.forbidden], [t.en for t in found.invalid]


def test_a_link_down_the_hierarchy_within_the_opd_is_fine() -> None:
    assert problems({"pejabat_penilai_nip": KABID, "atasan_pejabat_penilai_nip": KADIS}) == ([], [])
    assert not link_problems(STAFF, "DINKES", {}, ALL, actor=OPD_ADMIN, people=PEOPLE, chain=[])


@pytest.mark.parametrize("field", LINKS)
def test_nobody_names_themselves_whatever_their_roles(field: str) -> None:
    forbidden, _ = problems({field: ADMIN})
    assert len(forbidden) == 1
    assert "may not name yourself" in forbidden[0]
    boss = Actor(SEKDA, frozenset({"admin_bkpsdm", "pejabat_penilai"}))
    assert "may not name yourself" in problems({field: SEKDA}, actor=boss)[0][0]


def test_the_person_named_is_registered_and_active() -> None:
    unknown = "199001012015011001"
    assert problems({"pejabat_penilai_nip": unknown}, actor=BKPSDM)[1] == [
        f"pejabat_penilai_nip: {unknown} is not a registered employee; register the pejabat penilai first"
    ]
    assert problems({"pejabat_penilai_nip": OUTSIDER})[1] == [f"pejabat_penilai_nip: {OUTSIDER} is not active"]


def test_another_opd_is_linked_by_the_bkpsdm_only_and_an_opd_admin_cannot_tell_it_from_unknown() -> None:
    _, other_opd = problems({"pejabat_penilai_nip": SEKDA}, nip=KADIS)
    _, unknown = problems({"pejabat_penilai_nip": "199001012015011001"}, nip=KADIS)
    assert other_opd == [
        f"pejabat_penilai_nip: {SEKDA} is not a registered employee of DINKES; "
        "register them first, or ask the BKPSDM for a link across OPDs"
    ]
    assert unknown == [other_opd[0].replace(SEKDA, "199001012015011001")]
    assert problems({"pejabat_penilai_nip": SEKDA}, nip=KADIS, actor=BKPSDM) == ([], [])


def test_the_atasan_is_the_pejabat_penilais_own_pejabat_penilai() -> None:
    _, invalid = problems({"pejabat_penilai_nip": KABID, "atasan_pejabat_penilai_nip": SEKDA}, actor=BKPSDM)
    assert invalid == [f"atasan_pejabat_penilai_nip: must be the pejabat penilai's own pejabat penilai ({KADIS})"]
    # A pejabat penilai with none recorded above them leaves the atasan free.
    assert problems({"pejabat_penilai_nip": SEKDA, "atasan_pejabat_penilai_nip": KABID}, actor=BKPSDM) == ([], [])


def test_no_loop_in_the_chain() -> None:
    # KADIS names KABID as pejabat penilai while KABID is appraised by KADIS.
    _, invalid = problems({"pejabat_penilai_nip": KABID}, nip=KADIS, chain=[KADIS, SEKDA])
    assert invalid == [f"pejabat_penilai_nip: {KABID} is appraised (directly or further down) by {KADIS}"]


def test_only_changed_links_are_judged() -> None:
    stale = {"pejabat_penilai_nip": OUTSIDER, "atasan_pejabat_penilai_nip": None}
    assert problems(stale, changed=frozenset()) == ([], [])
    assert problems(stale, changed=frozenset({"atasan_pejabat_penilai_nip"})) == ([], [])
    assert problems(stale, changed=frozenset({"pejabat_penilai_nip"}))[1]


def test_problems_are_bilingual() -> None:
    found = link_problems(
        KADIS, "DINKES", {"pejabat_penilai_nip": KABID}, ALL, actor=OPD_ADMIN, people=PEOPLE, chain=[KADIS, SEKDA]
    )
    assert [t.ind for t in found.invalid] == [
        f"pejabat_penilai_nip: {KABID} dinilai (langsung atau melalui jenjang di bawahnya) oleh {KADIS}"
    ]
    mine = link_problems(STAFF, "DINKES", {"pejabat_penilai_nip": ADMIN}, ALL, actor=OPD_ADMIN, people=PEOPLE, chain=[])
    assert "Anda tidak boleh menunjuk diri sendiri sebagai pejabat penilai" in mine.forbidden[0].ind


# ---------------------------------------------------------------- the PPK (the Wali Kota, no NIP)

KADIS_BY_PPK = "198001012005011009"
PEOPLE[KADIS_BY_PPK] = Person(KADIS_BY_PPK, "DINKES", True, PPK)


def test_the_bkpsdm_links_a_jpt_to_the_ppk_as_pejabat_penilai() -> None:
    assert problems({"pejabat_penilai_nip": PPK}, actor=BKPSDM, position_type="JPT") == ([], [])


def test_only_the_bkpsdm_links_anyone_to_the_ppk() -> None:
    forbidden, _ = problems({"pejabat_penilai_nip": PPK}, position_type="JPT")
    assert forbidden
    assert "BKPSDM" in forbidden[0]
    forbidden, _ = problems({"pejabat_penilai_nip": KADIS, "atasan_pejabat_penilai_nip": PPK})
    assert forbidden
    assert "atasan_pejabat_penilai_nip" in forbidden[0]


def test_an_opd_admin_records_the_ppk_as_atasan_where_the_chain_gives_it() -> None:
    """The staff of a head the PPK appraises have the PPK as atasan: that follows from the chain, so the
    OPD's admin records it (any other atasan is refused by the chain rule)."""
    assert problems({"pejabat_penilai_nip": KADIS_BY_PPK, "atasan_pejabat_penilai_nip": PPK}) == ([], [])
    _, invalid = problems({"pejabat_penilai_nip": KADIS_BY_PPK, "atasan_pejabat_penilai_nip": SEKDA})
    assert invalid


@pytest.mark.parametrize("position", ["ADMINISTRATOR", "JF", "PELAKSANA", None])
def test_the_ppk_appraises_only_a_jpt(position: str | None) -> None:
    _, invalid = problems({"pejabat_penilai_nip": PPK}, actor=BKPSDM, position_type=position)
    assert invalid
    assert "JPT" in invalid[0]


def test_nobody_is_above_the_ppk() -> None:
    links = {"pejabat_penilai_nip": PPK, "atasan_pejabat_penilai_nip": SEKDA}
    _, invalid = problems(links, actor=BKPSDM, position_type="JPT")
    assert any("nobody is above the PPK" in m or "tidak ada atasan" in m for m in invalid)


def test_the_staff_of_a_head_appraised_by_the_ppk_have_the_ppk_as_atasan() -> None:
    links = {"pejabat_penilai_nip": KADIS_BY_PPK, "atasan_pejabat_penilai_nip": PPK}
    assert problems(links, actor=BKPSDM) == ([], [])
    _, invalid = problems({"pejabat_penilai_nip": KADIS_BY_PPK, "atasan_pejabat_penilai_nip": SEKDA}, actor=BKPSDM)
    assert invalid
    assert f"({PPK})" in invalid[0]


def test_an_unchanged_link_to_the_ppk_is_not_checked_again() -> None:
    links = {"pejabat_penilai_nip": PPK}
    assert problems(links, changed=frozenset(), position_type="JPT") == ([], [])
