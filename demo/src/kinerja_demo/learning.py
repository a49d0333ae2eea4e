"""The competency development of a demo person's year (pure, no I/O): learning done and reported with its
evidence, which the pejabat penilai approves, so the JP ledger fills as it does in the city.

The obligation the spread is drawn against (shared.regulation, domain.md 2): a PNS owes at least 20 JP a
year; a PPPK may have at most 24 JP per contract year. About 70 % of the PNS reach 20 JP, the rest fall
short (the OPD dashboards' JP compliance is then neither 0 nor 100 %); a PPPK stays within 16 JP.

The items are reported as learning done elsewhere (``POST /external-learning``): the catalogue's sessions
have a few dozen seats each, far fewer than a city; every form and JP below converts by the training
service's own table (``jp_stated`` for a training, a day's seminar or workshop, minutes of e-learning).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from kinerja_demo.city import Person

PNS_MINIMUM_JP = 20
PPPK_CAP_JP = 24
REACH_SHARE = 0.7
"""The PNS who reach the minimum in the demo (an assumption, not a figure of the city)."""


@dataclass(frozen=True)
class Learning:
    title: str
    form: str
    on: dt.date
    evidence: str
    jp_stated: float | None = None
    days: float | None = None
    minutes: int | None = None

    def body(self, nip: str) -> dict[str, object]:
        body: dict[str, object] = {
            "nip": nip,
            "title": self.title,
            "form": self.form,
            "on": self.on.isoformat(),
            "evidence": self.evidence,
        }
        for name in ("jp_stated", "days", "minutes"):
            value = getattr(self, name)
            if value is not None:
                body[name] = value
        return body

    @property
    def jp(self) -> float:
        """The JP the training service's table gives (seminar 4 a day, workshop 5 a day, 45 minutes 1 JP)."""
        if self.jp_stated is not None:
            return self.jp_stated
        if self.days is not None:
            return self.days * (4 if self.form == "seminar" else 5)
        return (self.minutes or 0) / 45


TRAININGS = (
    ("Pelatihan Teknis Pelayanan Publik", "pelatihan_teknis"),
    ("Pelatihan Fungsional Jabatan", "pelatihan_fungsional"),
    ("Bimbingan Teknis Penyusunan SKP", "bimbingan_teknis"),
    ("Pelatihan Manajerial Pengawas", "pelatihan_manajerial"),
)
SHORT = (
    ("Seminar Transformasi Digital Pemerintahan", "seminar", "days"),
    ("Workshop Penyusunan Laporan Kinerja", "workshop", "days"),
    ("E-learning BerAKHLAK (ASN Unggul)", "e_learning", "minutes"),
)


def learning_of(person: Person, year: int, seed: int, until: dt.date) -> tuple[Learning, ...]:
    """What ``person`` learnt in ``year`` up to ``until`` (seeded by the city's seed and the NIP)."""
    last = min(until, dt.date(year, 12, 31))
    if last < dt.date(year, 1, 2):
        return ()
    rng = random.Random(f"{seed}:{person.nip}:{year}:learning")
    span = (last - dt.date(year, 1, 1)).days

    def day() -> dt.date:
        return dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, span))

    items: list[Learning] = []
    if person.employee_type == "PNS" and rng.random() < REACH_SHARE:
        title, form = rng.choice(TRAININGS)
        items.append(Learning(title, form, day(), "", jp_stated=float(rng.choice((16, 20, 24, 32)))))
        title, form, unit = rng.choice(SHORT)
        items.append(_short(rng, title, form, unit, day()))
    else:
        budget = 16 if person.employee_type == "PPPK" else PNS_MINIMUM_JP - 1
        title, form, unit = rng.choice(SHORT)
        short = _short(rng, title, form, unit, day())
        if short.jp <= budget:
            items.append(short)
        if rng.random() < 0.5 and sum(i.jp for i in items) + 8 <= budget:
            title, form = rng.choice(TRAININGS)
            items.append(Learning(title, form, day(), "", jp_stated=8.0))
    return tuple(
        Learning(i.title, i.form, i.on, f"SERT/{year}/{person.nip}/{n + 1}", i.jp_stated, i.days, i.minutes)
        for n, i in enumerate(sorted(items, key=lambda i: i.on))
    )


def _short(rng: random.Random, title: str, form: str, unit: str, on: dt.date) -> Learning:
    if unit == "days":
        return Learning(title, form, on, "", days=1.0)
    return Learning(title, form, on, "", minutes=rng.choice((180, 270, 360)))
