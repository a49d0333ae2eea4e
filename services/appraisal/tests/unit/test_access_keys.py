"""The indexed ``readers`` keys give exactly the READ relation of domain.access, for every role set
and every way an actor can relate to an employee."""

from __future__ import annotations

import itertools

import pytest

from appraisal.domain.access import (
    READ,
    Actor,
    Relation,
    Subject,
    actor_keys,
    may,
    objection_decider,
    reader_keys,
    relations,
)
from shared.events import PPK
from shared.queries import all_of

ROLES = ("pegawai", "pejabat_penilai", "atasan_pejabat_penilai", "admin_opd", "admin_bkpsdm", "pimpinan")
ME, OTHER = "198001012005011001", "197501012000031001"
SUBJECTS = [
    Subject(nip, opd, pejabat, atasan)
    for nip in (ME, OTHER)
    for opd in ("DINKES", "DISDIK")
    for pejabat in (None, ME, "196501011990031001")
    for atasan in (None, ME, "196001011985031001")
]


@pytest.mark.parametrize(
    "roles", [frozenset(c) for n in range(len(ROLES) + 1) for c in itertools.combinations(ROLES, n)]
)
@pytest.mark.parametrize("opd_code", [None, "DINKES"])
def test_reader_keys_meet_actor_keys_exactly_when_the_actor_may_read(
    roles: frozenset[str], opd_code: str | None
) -> None:
    actor = Actor(ME, roles, opd_code)
    keys = actor_keys(actor)
    for subject in SUBJECTS:
        by_keys = keys is None or bool(set(keys) & set(reader_keys(subject)))
        assert by_keys == may(actor, subject, READ), (roles, opd_code, subject)


def test_reader_keys_name_each_relation_once() -> None:
    assert reader_keys(Subject(ME, "DINKES", OTHER, None)) == [f"self:{ME}", "opd:DINKES", f"appraiser:{OTHER}"]


def test_all_of_is_one_flat_filter_and_intersects_a_shared_field() -> None:
    assert all_of({"year": 2026}, {"nip": {"$in": ["a", "b"]}}) == {"year": 2026, "nip": {"$in": ["a", "b"]}}
    assert all_of({"nip": "b"}, {"nip": {"$in": ["a", "b"]}}) == {"nip": {"$in": ["b"]}}
    assert all_of({"nip": "c"}, {"nip": {"$in": ["a", "b"]}}) == {"nip": {"$in": []}}
    assert all_of({}, {}) == {}


def test_all_of_refuses_what_it_cannot_intersect() -> None:
    with pytest.raises(ValueError, match="cannot intersect"):
        all_of({"year": {"$gte": 2020}}, {"year": 2026})


PPK_SUBJECTS = [
    Subject(ME, opd, pejabat, atasan)
    for opd in ("SETDA", "DINKES")
    for pejabat in (None, PPK, OTHER)
    for atasan in (None, PPK, "196001011985031001")
]


@pytest.mark.parametrize("extra", [frozenset(), frozenset({"pimpinan"}), frozenset({"pejabat_penilai"})])
def test_the_ppk_reads_by_keys_exactly_whom_it_stands_in_a_relation_to(extra: frozenset[str]) -> None:
    ppk = Actor(PPK, frozenset({"ppk"}) | extra)
    keys = actor_keys(ppk)
    assert keys is not None
    for subject in PPK_SUBJECTS:
        assert bool(set(keys) & set(reader_keys(subject))) == may(ppk, subject, READ), subject


def test_the_ppk_appraises_whom_the_registry_links_to_it() -> None:
    ppk = Actor(PPK, frozenset({"ppk"}))
    sekda = Subject(ME, "SETDA", PPK, None)
    head = Subject(ME, "DINKES", OTHER, PPK)
    assert relations(ppk, sekda) == {Relation.APPRAISER, Relation.APPRAISERS_SUPERIOR}
    assert relations(ppk, head) == {Relation.APPRAISERS_SUPERIOR}
    assert relations(ppk, Subject(ME, "DINKES", OTHER, "196001011985031001")) == frozenset()


def test_a_ppk_link_gives_nothing_without_the_ppk_role_or_subject() -> None:
    sekda = Subject(ME, "SETDA", PPK, None)
    assert relations(Actor(PPK, frozenset({"pegawai"})), sekda) == frozenset()
    assert relations(Actor(OTHER, frozenset({"ppk"})), sekda) == frozenset()


def test_who_decides_an_objection() -> None:
    assert objection_decider(Subject(ME, "DINKES", OTHER, "196001011985031001")) == "196001011985031001"
    assert objection_decider(Subject(ME, "DINKES", OTHER, PPK)) == PPK
    assert objection_decider(Subject(ME, "SETDA", PPK, None)) == PPK  # the Sekda: the PPK, after explanations
    assert objection_decider(Subject(ME, "DINKES", OTHER, None)) is None
    assert objection_decider(Subject(ME, "DINKES", None, None)) is None
