"""Who may read which view (issue 12, point 2), by relation, from the local copy of the registry.

- **employee** view of NIP n: n themselves; their pejabat penilai (the registry's link now, the PPK
  included); the admin of their OPD; the head of their OPD (kepala dinas); the BKPSDM.
- **team** view of pejabat penilai p: p themselves (the PPK: the ``ppk`` role); the admin and the head
  of p's OPD; the BKPSDM.
- **OPD** view of OPD o: its admin (``admin_opd`` with ``opd_code`` o); its head; ``pimpinan``; the
  PPK; the BKPSDM.
- **city** view: the BKPSDM, ``pimpinan`` and the PPK.

The head of an OPD is an active JPT registered in it whose pejabat penilai is outside it (or the PPK),
the rule the appraisal service uses for the top of the cascade. Token claims name roles and an OPD;
relations to a person come from the registry copy only, never from the token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.events import PPK, PositionType

Document = dict[str, Any]


@dataclass(frozen=True)
class Actor:
    nip: str
    roles: frozenset[str]
    opd_code: str | None = None
    heads: frozenset[str] = frozenset()
    """The OPD the actor heads (from the registry copy; empty for most)."""

    @property
    def bkpsdm(self) -> bool:
        return "admin_bkpsdm" in self.roles

    def admin_of(self, opd_code: str | None) -> bool:
        return "admin_opd" in self.roles and opd_code is not None and self.opd_code == opd_code

    def oversees(self, opd_code: str | None) -> bool:
        """The OPD's admin, its head, or the BKPSDM."""
        return self.bkpsdm or self.admin_of(opd_code) or (opd_code is not None and opd_code in self.heads)


def head_of(person: Document | None, appraiser: Document | None) -> str | None:
    """The OPD ``person`` heads, given the registry copy of their pejabat penilai (None: none)."""
    if person is None or not person.get("active", True) or person.get("position_type") != PositionType.JPT.value:
        return None
    opd = person.get("opd_code")
    above = person.get("pejabat_penilai_nip")
    if above is None or above == PPK or appraiser is None or appraiser.get("opd_code") != opd:
        return str(opd) if opd else None
    return None


def may_read_employee(actor: Actor, person: Document) -> bool:
    if actor.nip == person["_id"]:
        return True
    appraiser = person.get("pejabat_penilai_nip")
    if appraiser is not None and appraiser == actor.nip and ({"pejabat_penilai", "ppk"} & actor.roles):
        return True
    return actor.oversees(person.get("opd_code"))


def may_read_team(actor: Actor, appraiser_nip: str, appraiser: Document | None) -> bool:
    if actor.bkpsdm:
        return True
    if appraiser_nip == PPK:
        return actor.bkpsdm or ("ppk" in actor.roles and actor.nip == PPK)
    if actor.nip == appraiser_nip:
        return True
    return appraiser is not None and actor.oversees(appraiser.get("opd_code"))


def may_read_opd(actor: Actor, opd_code: str) -> bool:
    return bool({"pimpinan", "ppk"} & actor.roles) or actor.oversees(opd_code)


def may_read_city(actor: Actor) -> bool:
    return actor.bkpsdm or bool({"pimpinan", "ppk"} & actor.roles)
