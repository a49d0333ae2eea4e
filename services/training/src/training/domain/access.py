"""Who may see and do what with an employee's training records (issue 10, point 8).

- ``pegawai``: their own recommendations, enrolments and ledger;
- ``pejabat_penilai``: those of their team (the employees who name them as pejabat penilai in the local copy of
  the registry); the PPK (the Wali Kota, role ``ppk``) likewise for the Sekda, whose pejabat penilai they are;
- ``admin_opd``: those of every employee of their OPD;
- ``admin_bkpsdm``: everyone's; they also manage the catalogue;
- ``atasan_pejabat_penilai`` and ``pimpinan``: no individual training record here (dashboards are the
  reporting service's).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum


class Relation(StrEnum):
    SELF = "self"
    APPRAISER = "appraiser"
    OPD_ADMIN = "opd_admin"
    BKPSDM = "bkpsdm"


@dataclass(frozen=True)
class Actor:
    nip: str
    roles: frozenset[str]
    opd_code: str | None = None


@dataclass(frozen=True)
class Subject:
    """The employee whose record is touched, as the local copy of the registry knows them (None: unknown)."""

    nip: str
    opd_code: str | None = None
    pejabat_penilai_nip: str | None = None


def appraises(actor: Actor) -> bool:
    """A pejabat penilai, or the PPK (``ppk``; the token's subject is then ``PPK``, which the registry names
    as the Sekda's pejabat penilai)."""
    return "pejabat_penilai" in actor.roles or "ppk" in actor.roles


def relations(actor: Actor, subject: Subject) -> frozenset[Relation]:
    """The relations of ``actor`` to ``subject``. On one's own record only SELF: nobody organises, approves or
    decides as pejabat penilai, OPD admin or BKPSDM for themselves (not even when the registry names them as
    their own pejabat penilai), so no one credits their own attendance, completion or learning."""
    if actor.nip == subject.nip:
        return frozenset({Relation.SELF})
    found = set()
    if appraises(actor) and subject.pejabat_penilai_nip == actor.nip:
        found.add(Relation.APPRAISER)
    if "admin_opd" in actor.roles and actor.opd_code is not None and actor.opd_code == subject.opd_code:
        found.add(Relation.OPD_ADMIN)
    if "admin_bkpsdm" in actor.roles:
        found.add(Relation.BKPSDM)
    return frozenset(found)


def may(actor: Actor, subject: Subject, allowed: Collection[Relation]) -> bool:
    return bool(relations(actor, subject) & set(allowed))


READ = (Relation.SELF, Relation.APPRAISER, Relation.OPD_ADMIN, Relation.BKPSDM)
"""Read an employee's recommendations, enrolments and ledger."""
DECIDE = (Relation.SELF, Relation.APPRAISER)
"""Accept (enrol) or decline a recommendation: the employee or their pejabat penilai."""
ENROL = (Relation.SELF, Relation.APPRAISER, Relation.OPD_ADMIN, Relation.BKPSDM)
"""Enrol in a session or cancel an enrolment."""
ORGANISE = (Relation.OPD_ADMIN, Relation.BKPSDM)
"""Record attendance and completion (the organiser: the OPD's admin or the BKPSDM)."""
REPORT_LEARNING = (Relation.SELF,)
"""Report learning done elsewhere (with evidence): the employee."""
APPROVE_LEARNING = (Relation.APPRAISER,)
"""Approve or reject reported learning: the pejabat penilai."""


def reader_keys(subject: Subject) -> list[str]:
    """Keys stored (and indexed) on the employee's copy so that "whom may an actor read" is one flat query."""
    keys = [f"self:{subject.nip}"]
    if subject.opd_code:
        keys.append(f"opd:{subject.opd_code}")
    if subject.pejabat_penilai_nip:
        keys.append(f"appraiser:{subject.pejabat_penilai_nip}")
    return keys


def actor_keys(actor: Actor) -> list[str] | None:
    """The reader keys through which ``actor`` may READ (None: everyone, for the BKPSDM)."""
    if "admin_bkpsdm" in actor.roles:
        return None
    keys = [f"self:{actor.nip}"]
    if appraises(actor):
        keys.append(f"appraiser:{actor.nip}")
    if "admin_opd" in actor.roles and actor.opd_code is not None:
        keys.append(f"opd:{actor.opd_code}")
    return keys
