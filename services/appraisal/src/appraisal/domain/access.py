"""Who may see and do what with an employee's records.

- ``pegawai``: their own records;
- ``pejabat_penilai``: their direct reports (the employee names them as pejabat penilai);
- ``atasan_pejabat_penilai``: one level further (the employee names them as atasan), for objections;
- ``admin_opd``: every employee of their OPD;
- ``admin_bkpsdm``: everyone;
- ``pimpinan``: dashboards only (the reporting service), no individual records here;
- ``ppk``: the Wali Kota (Pejabat Pembina Kepegawaian), who has no NIP: the registry names them
  with the sentinel ``PPK`` (``shared.events.PPK``) in an appraiser link, and a ``ppk`` principal
  (subject ``PPK``, ``shared.auth``) stands in the APPRAISER relation to whom the link names the PPK as
  pejabat penilai (the Sekda, a head of OPD appraised directly), in the APPRAISERS_SUPERIOR relation
  to whom it names the PPK as atasan (a head of OPD appraised by the Sekda, the staff of a head
  appraised by the PPK), and decides the objection of whom the PPK appraises with nobody above
  (the Sekda: ``objection_decider``, README).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from shared.events import PPK


class Relation(StrEnum):
    SELF = "self"
    APPRAISER = "appraiser"
    APPRAISERS_SUPERIOR = "appraisers_superior"
    OPD_ADMIN = "opd_admin"
    BKPSDM = "bkpsdm"


@dataclass(frozen=True)
class Actor:
    nip: str
    roles: frozenset[str]
    opd_code: str | None = None


@dataclass(frozen=True)
class Subject:
    """The employee whose record is touched."""

    nip: str
    opd_code: str
    pejabat_penilai_nip: str | None
    atasan_pejabat_penilai_nip: str | None


def is_ppk(actor: Actor) -> bool:
    """The PPK's account: the role ``ppk`` and the subject ``PPK`` (``shared.auth`` refuses one without the other)."""
    return "ppk" in actor.roles and actor.nip == PPK


def objection_decider(subject: Subject) -> str | None:
    """Who decides an objection of ``subject``: their atasan pejabat penilai; when the PPK is their
    pejabat penilai and nobody is above (the Sekda), the PPK itself, after the explanation step
    (nobody stands above the PPK in a city, domain.md 1.2 [R]); None: nobody (filing is refused)."""
    if subject.atasan_pejabat_penilai_nip is not None:
        return subject.atasan_pejabat_penilai_nip
    return PPK if subject.pejabat_penilai_nip == PPK else None


def relations(actor: Actor, subject: Subject) -> frozenset[Relation]:
    found = set()
    if actor.nip == subject.nip:
        found.add(Relation.SELF)
    if "pejabat_penilai" in actor.roles and subject.pejabat_penilai_nip == actor.nip:
        found.add(Relation.APPRAISER)
    if "atasan_pejabat_penilai" in actor.roles and subject.atasan_pejabat_penilai_nip == actor.nip:
        found.add(Relation.APPRAISERS_SUPERIOR)
    if is_ppk(actor):
        if subject.pejabat_penilai_nip == PPK:
            found.add(Relation.APPRAISER)
        if objection_decider(subject) == PPK:
            found.add(Relation.APPRAISERS_SUPERIOR)
    if "admin_opd" in actor.roles and actor.opd_code is not None and actor.opd_code == subject.opd_code:
        found.add(Relation.OPD_ADMIN)
    if "admin_bkpsdm" in actor.roles:
        found.add(Relation.BKPSDM)
    return frozenset(found)


def may(actor: Actor, subject: Subject, allowed: Collection[Relation]) -> bool:
    return bool(relations(actor, subject) & set(allowed))


READ = (Relation.SELF, Relation.APPRAISER, Relation.APPRAISERS_SUPERIOR, Relation.OPD_ADMIN, Relation.BKPSDM)
MANAGE_REGISTRY = (Relation.OPD_ADMIN, Relation.BKPSDM)


def reader_keys(subject: Subject) -> list[str]:
    """What the employee's registry record stores (and indexes) so that "the records an actor may
    read" is one flat query: a key for each relation that gives READ, except the BKPSDM's (everyone)."""
    keys = [f"self:{subject.nip}", f"opd:{subject.opd_code}"]
    if subject.pejabat_penilai_nip:
        keys.append(f"appraiser:{subject.pejabat_penilai_nip}")
    if subject.atasan_pejabat_penilai_nip:
        keys.append(f"superior:{subject.atasan_pejabat_penilai_nip}")
    return keys


def actor_keys(actor: Actor) -> list[str] | None:
    """The reader keys through which ``actor`` may READ (None: everyone, for the BKPSDM). An actor
    may read a subject exactly when one of these is among ``reader_keys(subject)``."""
    if "admin_bkpsdm" in actor.roles:
        return None
    keys = [f"self:{actor.nip}"]
    if is_ppk(actor):
        keys += [f"appraiser:{PPK}", f"superior:{PPK}"]
    if "pejabat_penilai" in actor.roles:
        keys.append(f"appraiser:{actor.nip}")
    if "atasan_pejabat_penilai" in actor.roles:
        keys.append(f"superior:{actor.nip}")
    if "admin_opd" in actor.roles and actor.opd_code is not None:
        keys.append(f"opd:{actor.opd_code}")
    return keys
