"""Appraiser links: who may be named as an employee's pejabat penilai or atasan pejabat penilai, and
by whom (separation of duties).

The links decide who rates, finalises and decides objections (``domain.access``), so they follow the
hierarchy of domain.md 1.2 and are never set by the person they empower:

- the person named is a registered, active employee, other than the employee, and the two links
  name two people; or the PPK (the Wali Kota, who has no NIP: the sentinel ``PPK``), named only by
  the BKPSDM, and as pejabat penilai only of a JPT (the Sekda, a head of OPD appraised directly),
  domain.md 1.2 [R];
- the atasan is the pejabat penilai's own pejabat penilai, where that one is recorded (the PPK for
  the staff of someone the PPK appraises); nobody is above the PPK, so an employee appraised by the
  PPK has no atasan (the PPK decides their objection itself, ``access.objection_decider``);
- no loop: the employee is not above their pejabat penilai in the chain of pejabat penilai;
- a link to someone of another OPD (a kepala dinas appraised by the Sekda) is set by the BKPSDM (an
  OPD admin gets the same answer for it as for an unknown NIP, so nothing leaks of other OPDs);
- nobody names themselves (separation of duties): the link is set by another admin or the BKPSDM.

Every change of a link is recorded on the employee's record (``link_changes``: what, from, to, by
whom, when), in the same write as the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from appraisal.domain.access import Actor
from shared.events import PPK
from shared.i18n import Text

LINKS = ("pejabat_penilai_nip", "atasan_pejabat_penilai_nip")
LABEL = {"pejabat_penilai_nip": "pejabat penilai", "atasan_pejabat_penilai_nip": "atasan pejabat penilai"}
MAX_CHAIN = 16
"""How far up the chain of pejabat penilai a loop is looked for (a city's hierarchy is 5-7 levels)."""


@dataclass(frozen=True)
class Person:
    """What the link rules need of a registered employee."""

    nip: str
    opd_code: str
    active: bool
    pejabat_penilai_nip: str | None


@dataclass(frozen=True)
class LinkProblems:
    forbidden: list[Text]
    """Against separation of duties or the caller's reach (403)."""
    invalid: list[Text]
    """Against the hierarchy rules (422)."""

    def __bool__(self) -> bool:
        return bool(self.forbidden or self.invalid)


def link_problems(
    nip: str,
    opd_code: str,
    links: Mapping[str, str | None],
    changed: frozenset[str],
    *,
    actor: Actor,
    people: Mapping[str, Person],
    chain: list[str],
    position_type: str | None = None,
) -> LinkProblems:
    """The problems of setting ``links`` (field -> NIP) on employee ``nip`` of ``opd_code``, of
    which the fields in ``changed`` are new. ``people`` holds the registered employees named;
    ``chain`` the pejabat penilai above the named pejabat penilai, nearest first (up to MAX_CHAIN);
    ``position_type`` the employee's (a link to the PPK as pejabat penilai is for a JPT only)."""
    forbidden: list[Text] = []
    invalid: list[Text] = []
    named_pejabat = people.get(links.get("pejabat_penilai_nip") or "")
    # The atasan the chain itself gives (the pejabat penilai's own): naming the PPK there is no choice.
    follows_chain = named_pejabat is not None and named_pejabat.pejabat_penilai_nip == PPK
    for field in LINKS:
        named = links.get(field)
        if field not in changed or named is None:
            continue
        label = LABEL[field]
        if named == actor.nip:
            forbidden.append(
                Text(
                    f"{field}: Anda tidak boleh menunjuk diri sendiri sebagai {label}; "
                    "tautan ini ditetapkan oleh admin lain atau BKPSDM",
                    f"{field}: you may not name yourself as {label}; another admin or the BKPSDM sets this link",
                )
            )
            continue
        if named == PPK:
            if field == "atasan_pejabat_penilai_nip" and follows_chain:
                continue  # the staff of a head the PPK appraises: any admin of the OPD may record it
            if "admin_bkpsdm" not in actor.roles:
                forbidden.append(
                    Text(
                        f"{field}: hanya BKPSDM yang menautkan pegawai ke PPK (Wali Kota)",
                        f"{field}: only the BKPSDM links an employee to the PPK (the Wali Kota)",
                    )
                )
            elif field == "pejabat_penilai_nip" and position_type != "JPT":
                invalid.append(
                    Text(
                        f"{field}: PPK (Wali Kota) hanya menilai JPT (Sekda, kepala OPD), bukan {position_type}",
                        f"{field}: the PPK (the Wali Kota) appraises only a JPT (the Sekda, a head of OPD), "
                        f"not a {position_type}",
                    )
                )
            continue
        person = people.get(named)
        if "admin_bkpsdm" not in actor.roles and (person is None or person.opd_code != opd_code):
            # One answer for "unknown" and "of another OPD": an OPD admin learns nothing of other OPDs.
            invalid.append(
                Text(
                    f"{field}: {named} bukan pegawai terdaftar pada {opd_code}; "
                    "daftarkan terlebih dahulu, atau minta BKPSDM untuk tautan lintas OPD",
                    f"{field}: {named} is not a registered employee of {opd_code}; "
                    "register them first, or ask the BKPSDM for a link across OPDs",
                )
            )
            continue
        if person is None:
            invalid.append(
                Text(
                    f"{field}: {named} bukan pegawai terdaftar; daftarkan {label} terlebih dahulu",
                    f"{field}: {named} is not a registered employee; register the {label} first",
                )
            )
            continue
        if not person.active:
            invalid.append(Text(f"{field}: {named} tidak aktif", f"{field}: {named} is not active"))
    pejabat = links.get("pejabat_penilai_nip")
    atasan = links.get("atasan_pejabat_penilai_nip")
    if changed & set(LINKS) and pejabat == PPK and atasan is not None:
        invalid.append(
            Text(
                "atasan_pejabat_penilai_nip: tidak ada atasan di atas PPK; kosongkan (PPK memutus keberatan)",
                "atasan_pejabat_penilai_nip: nobody is above the PPK; leave it empty (the PPK decides objections)",
            )
        )
    if changed & set(LINKS) and pejabat is not None and pejabat in people:
        above = people[pejabat].pejabat_penilai_nip
        if atasan is not None and above is not None and atasan != above:
            invalid.append(
                Text(
                    f"atasan_pejabat_penilai_nip: harus pejabat penilai dari pejabat penilai tersebut ({above})",
                    f"atasan_pejabat_penilai_nip: must be the pejabat penilai's own pejabat penilai ({above})",
                )
            )
        if nip in chain:
            invalid.append(
                Text(
                    f"pejabat_penilai_nip: {pejabat} dinilai (langsung atau melalui jenjang di bawahnya) oleh {nip}",
                    f"pejabat_penilai_nip: {pejabat} is appraised (directly or further down) by {nip}",
                )
            )
    return LinkProblems(forbidden, invalid)
