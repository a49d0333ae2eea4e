from training.domain.access import (
    APPROVE_LEARNING,
    DECIDE,
    ORGANISE,
    READ,
    Actor,
    Relation,
    Subject,
    actor_keys,
    may,
    reader_keys,
    relations,
)

S = Subject("198609262015051001", "DINKES", "197501012000011002")


def test_each_relation_and_only_with_the_role() -> None:
    assert relations(Actor(S.nip, frozenset({"pegawai"})), S) == {Relation.SELF}
    assert relations(Actor("197501012000011002", frozenset({"pejabat_penilai"})), S) == {Relation.APPRAISER}
    assert relations(Actor("197501012000011002", frozenset({"pegawai"})), S) == frozenset()
    assert relations(Actor("1" * 18, frozenset({"admin_opd"}), "DINKES"), S) == {Relation.OPD_ADMIN}
    assert relations(Actor("1" * 18, frozenset({"admin_opd"}), "DISDIK"), S) == frozenset()
    assert relations(Actor("1" * 18, frozenset({"atasan_pejabat_penilai", "pimpinan"})), S) == frozenset()


def test_the_rules_per_action() -> None:
    appraiser = Actor("197501012000011002", frozenset({"pejabat_penilai"}))
    opd = Actor("1" * 18, frozenset({"admin_opd"}), "DINKES")
    me = Actor(S.nip, frozenset({"pegawai"}))
    assert may(appraiser, S, DECIDE)
    assert may(me, S, DECIDE)
    assert not may(opd, S, DECIDE)
    assert may(opd, S, ORGANISE)
    assert not may(me, S, ORGANISE)
    assert may(appraiser, S, APPROVE_LEARNING)
    assert not may(me, S, APPROVE_LEARNING)
    assert all(may(a, S, READ) for a in (appraiser, opd, me))


def test_reader_keys_meet_actor_keys_exactly_when_read_is_allowed() -> None:
    actors = [
        Actor(S.nip, frozenset({"pegawai"})),
        Actor("197501012000011002", frozenset({"pejabat_penilai"})),
        Actor("197501012000011002", frozenset({"pegawai"})),
        Actor("1" * 18, frozenset({"admin_opd"}), "DINKES"),
        Actor("1" * 18, frozenset({"admin_opd"}), "DISDIK"),
    ]
    for actor in actors:
        keys = actor_keys(actor)
        assert keys is not None
        assert bool(set(keys) & set(reader_keys(S))) == may(actor, S, READ), actor
    assert actor_keys(Actor("1" * 18, frozenset({"admin_bkpsdm"}))) is None


def test_no_organiser_or_decider_relation_on_ones_own_record() -> None:
    own_appraiser = Subject(S.nip, "DINKES", S.nip)  # the registry names them as their own pejabat penilai
    for roles, opd in (
        ({"admin_opd"}, "DINKES"),
        ({"admin_bkpsdm"}, "BKPSDM"),
        ({"pejabat_penilai"}, "DINKES"),
        ({"admin_opd", "admin_bkpsdm", "pejabat_penilai"}, "DINKES"),
    ):
        me = Actor(S.nip, frozenset(roles), opd)
        subject = Subject(S.nip, "DINKES", S.nip)
        assert relations(me, subject) == {Relation.SELF}
        assert not may(me, subject, ORGANISE)
        assert not may(me, own_appraiser, APPROVE_LEARNING)
        assert may(me, subject, READ)
        assert may(me, subject, DECIDE)


def test_the_ppk_is_the_appraiser_of_the_sekda_only() -> None:
    sekda = Subject("196801011990031001", "SETDA", "PPK")
    ppk = Actor("PPK", frozenset({"ppk"}))
    assert relations(ppk, sekda) == {Relation.APPRAISER}
    assert may(ppk, sekda, APPROVE_LEARNING)
    assert may(ppk, sekda, READ)
    assert relations(ppk, S) == frozenset()  # not anyone else's
    keys = actor_keys(ppk)
    assert keys is not None
    assert set(keys) & set(reader_keys(sekda))
    assert not set(keys) & set(reader_keys(S))
