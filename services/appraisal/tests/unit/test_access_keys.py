"""The indexed ``readers`` keys give exactly the READ relation of domain.access, for every role set
and every way an actor can relate to an employee."""

from __future__ import annotations

import itertools

import pytest

from appraisal.domain.access import READ, Actor, Subject, actor_keys, may, reader_keys
from appraisal.repository.common import all_of

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
