"""A seeded, realistic Palembang: people, their hierarchy, their SKPs and a year of results (pure, no I/O).

``build_city(size, seed, units, year)`` gives the same city for the same (size, seed, units, year). The
units are the city's master list as ``GET /api/v1/opd`` of the appraisal service answers; the generator
picks them by kind and sector, never by a list of its own (the Sekda sits in SETDA, the one code it names).

The hierarchy follows domain.md 1.2: the Sekda (appraised by the PPK, the Wali Kota) appraises every head of
OPD (JPT) and every camat (ADMINISTRATOR); a head appraises their sekretaris and kepala bidang
(ADMINISTRATOR), who appraise the kepala seksi / subbagian, puskesmas or sekolah (PENGAWAS), who appraise the
staff (JF and PELAKSANA). A camat appraises the sekcam, kasi and lurah (PENGAWAS) directly. The atasan pejabat
penilai is always the pejabat penilai's own pejabat penilai (``PPK`` above the Sekda).

NIPs follow domain.md 3 (Perka BKN 22/2007 and 43/2007): PNS birth date, TMT CPNS year and month, gender,
sequence; NI PPPK birth date, year of first appointment, ``21``, gender, sequence.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from kinerja_demo.themes import QUALITY, Step, Theme, themes_of

Size = Literal["tiny", "small", "city"]
SIZES: tuple[Size, ...] = ("tiny", "small", "city")
SIZE_BOUNDS: Mapping[str, tuple[int, int]] = {"tiny": (50, 70), "small": (550, 650), "city": (14_000, 16_500)}
"""How many people each size has (the unit tests hold the generator to it)."""

PPK = "PPK"
ADMIN_NIP = "197001012000011001"
"""The BKPSDM administrator who loads the city (the README's example NIP); never one of its people."""
VALUES = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")
PREDIKAT = ("sangat_baik", "baik", "butuh_perbaikan", "kurang_misconduct", "sangat_kurang")
LOW = frozenset({"butuh_perbaikan", "kurang_misconduct", "sangat_kurang"})
ABOVE, MEETS, BELOW = "di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"
CAUSES = ("kompetensi", "beban_kerja", "sumber_daya", "motivasi_personal")
ACTIONS = ("coaching", "mentoring", "konseling", "pelatihan")


@dataclass(frozen=True)
class Unit:
    """One OPD or kecamatan of the master data."""

    code: str
    name: str
    kind: str
    sector: str

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Unit:
        return cls(str(item["code"]), str(item["name"]), str(item["kind"]), str(item["sector"]))


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    aspect: str
    text: str
    target: str
    unit: str
    rollup: str

    def body(self) -> dict[str, str]:
        return {
            "indicator_id": self.indicator_id,
            "aspect": self.aspect,
            "text": self.text,
            "target": self.target,
            "unit": self.unit,
            "rollup": self.rollup,
        }


@dataclass(frozen=True)
class Rhk:
    rhk_id: str
    text: str
    intervened_rhk_id: str | None
    indicators: tuple[Indicator, ...]
    theme: int
    """Index of the theme in the sector's themes (what the cascade carries down)."""

    def body(self) -> dict[str, Any]:
        return {
            "rhk_id": self.rhk_id,
            "kind": "utama",
            "text": self.text,
            "intervened_rhk_id": self.intervened_rhk_id,
            "indicators": [i.body() for i in self.indicators],
        }


@dataclass(frozen=True)
class Objection:
    reason: str
    upheld: bool


@dataclass(frozen=True)
class Outcome:
    """One period's result as it is meant to come out: the ratings, the realisation of every indicator
    (consistent with them: capaian >= 110 % above, 100-109 % meets, < 100 % below), an objection, and the
    development plan the pejabat penilai writes for a low result."""

    period: str
    hasil_kerja: str
    perilaku_kerja: str
    predikat: str
    realisations: tuple[tuple[str, str], ...]
    """(indicator_id, realisation) per indicator."""
    objection: Objection | None = None
    plan_cause: str | None = None
    plan_actions: tuple[str, ...] = ()

    @property
    def low(self) -> bool:
        return self.predikat in LOW


@dataclass(frozen=True)
class History:
    """An annual result finalised elsewhere (before this system), recorded by the BKPSDM."""

    period: str
    hasil_kerja: str
    perilaku_kerja: str
    predikat: str


@dataclass(frozen=True)
class Person:
    nip: str
    name: str
    gender: str
    employee_type: str
    position_type: str
    position_title: str
    opd_code: str
    unit_code: str
    level: int
    """Depth in the chain of pejabat penilai: 0 the Sekda, 1 heads of OPD and camat, ..."""
    pejabat_penilai_nip: str | None
    atasan_pejabat_penilai_nip: str | None
    contract_start: str | None
    rhk: tuple[Rhk, ...]
    outcomes: tuple[Outcome, ...]
    history: tuple[History, ...]

    def record(self) -> dict[str, str]:
        """The registry record, as the CSV import's columns."""
        return {
            "nip": self.nip,
            "name": self.name,
            "employee_type": self.employee_type,
            "position_type": self.position_type,
            "position_title": self.position_title,
            "opd_code": self.opd_code,
            "unit_code": self.unit_code,
            "pejabat_penilai_nip": self.pejabat_penilai_nip or "",
            "atasan_pejabat_penilai_nip": self.atasan_pejabat_penilai_nip or "",
            "contract_start": self.contract_start or "",
        }

    def skp_body(self, year: int) -> dict[str, Any]:
        return {"year": year, "approach": "kuantitatif", "rhk": [r.body() for r in self.rhk]}


@dataclass(frozen=True)
class City:
    size: str
    seed: int
    year: int
    units: tuple[Unit, ...]
    people: tuple[Person, ...]
    """Ordered by level (appraisers before the people they appraise), then unit, then position."""
    periods: tuple[str, ...]
    _by_nip: dict[str, Person] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_nip.update({p.nip: p for p in self.people})

    def person(self, nip: str) -> Person:
        return self._by_nip[nip]

    def get(self, nip: str | None) -> Person | None:
        return self._by_nip.get(nip) if nip else None

    def levels(self) -> list[list[Person]]:
        top = max(p.level for p in self.people)
        return [[p for p in self.people if p.level == n] for n in range(top + 1)]

    @property
    def sekda(self) -> Person:
        return self.people[0]


# ---------------------------------------------------------------------------------------------- names


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split(" "))


MALE = _words(
    "Muhammad Ahmad Rizky Agus Hendra Dedi Yudi Fajar Arief Bambang Hasan Ilham Iqbal Andi Budi Dimas Eko Fikri "
    "Gilang Hadi Irfan Joko Kurniawan Lukman Mahmud Nanda Oki Rahmat Reza Rudi Saiful Taufik Wahyu Yusuf Zainal "
    "Firdaus Syahrial Alamsyah Darmawan Herman Mulyadi Sofyan Zulkifli Aprizal Yanuar Deni Febri Romi Bayu"
)
FEMALE = _words(
    "Siti Nur Dewi Rina Yuliana Fitri Ayu Putri Wulan Indah Sri Lestari Desi Maya Nurul Ratna Eka Intan Yanti "
    "Mega Anisa Citra Dian Evi Fauziah Hartini Ika Juwita Kartika Lina Melati Novi Oktaria Purnama Rahma Sari "
    "Tuti Umi Vivi Winda Yeni Zahra Aisyah Halimah Rosmala Nopitasari Herlina"
)
FAMILY = _words(
    "Saputra Pratama Hidayat Kurniawan Wijaya Rahman Syahputra Setiawan Hasyim Fauzi Anwar Nugroho Hakim Gunawan "
    "Firmansyah Ramadhan Siregar Harahap Lubis Nasution Susanto Effendi Junaidi Aprianto Marzuki Zulkarnain "
    "Yusuf Husin Badaruddin Palembangan Mahmud Ibrahim Rasyid Suryadi"
)
FEMALE_FAMILY = _words(
    "Susanti Oktaviani Handayani Puspita Amalia Permata Rahmawati Wulandari Safitri Anggraini Maharani Purnamasari "
    "Kusuma Novitasari Hartati Sulistyowati Agustina Febriyanti Yulianti Damayanti"
)
PALEMBANG_MALE = ("Kms.", "Mgs.", "Kgs.", "R.")
"""Palembang's traditional titles (Kemas, Masagus, Kiagus, Raden) before some men's names."""
PALEMBANG_FEMALE = ("Nyimas", "Nyayu", "Ratu")


def _name(rng: random.Random, gender: str, degree: str, prefix: str = "") -> str:
    first = rng.choice(MALE if gender == "1" else FEMALE)
    family = rng.choice(FAMILY if gender == "1" or rng.random() < 0.3 else FEMALE_FAMILY)
    title = ""
    if rng.random() < 0.08:
        title = rng.choice(PALEMBANG_MALE if gender == "1" else PALEMBANG_FEMALE) + " "
    name = f"{prefix}{title}{first} {family}"
    return f"{name}, {degree}" if degree else name


# ---------------------------------------------------------------------------------------------- NIPs


class _Nips:
    """Unique NIPs: the sequence (digits 16-18) counts people whose first 15 digits are the same."""

    def __init__(self, rng: random.Random, year: int) -> None:
        self.rng, self.year = rng, year
        self.sequence: dict[str, int] = {ADMIN_NIP[:15]: 1}

    def _next(self, prefix: str) -> str:
        n = self.sequence.get(prefix, 0) + 1
        self.sequence[prefix] = n
        return f"{prefix}{n:03d}"

    def pns(self, birth_years: tuple[int, int], gender: str) -> str:
        rng = self.rng
        birth = dt.date(rng.randint(*birth_years), rng.randint(1, 12), rng.randint(1, 28))
        tmt_year = min(birth.year + rng.randint(22, 32), self.year - 1)
        month = rng.choice((1, 3, 3, 4, 12, 12, 2, 5, 6, 10))
        return self._next(f"{birth:%Y%m%d}{tmt_year:04d}{month:02d}{gender}")

    def pppk(self, gender: str) -> tuple[str, str]:
        """An NI PPPK and the first day of its work agreement."""
        rng = self.rng
        birth = dt.date(rng.randint(1972, 2000), rng.randint(1, 12), rng.randint(1, 28))
        first = rng.randint(2019, max(2019, self.year - 1))
        start = dt.date(first, rng.choice((1, 3, 4, 7)), 1)
        return self._next(f"{birth:%Y%m%d}{first:04d}21{gender}"), start.isoformat()


# ---------------------------------------------------------------------------------------------- sizes


def _choose_units(size: Size, units: Sequence[Unit], rng: random.Random) -> list[tuple[Unit, int]]:
    """The units of the city and how many people each has."""
    active = list(units)
    opds = [u for u in active if u.kind == "opd"]
    kecamatan = [u for u in active if u.kind == "kecamatan"]
    setda = next((u for u in opds if u.code == "SETDA"), None) or next(u for u in opds if u.sector == "pemerintahan")

    def first(sector: str, *, hospital: bool = False) -> Unit:
        return next(u for u in opds if u.sector == sector and _is_hospital(u) == hospital)

    if size == "tiny":
        return [(setda, 12), (first("kesehatan"), 18), (first("pendidikan"), 18), (kecamatan[0], 12)]
    if size == "small":
        chosen = [
            (setda, 50),
            (first("kesehatan"), 150),
            (first("pendidikan"), 170),
            (first("infrastruktur"), 60),
            (first("keuangan"), 50),
            (first("kepegawaian"), 40),
        ]
        return chosen + [(k, 40) for k in kecamatan[:2]]
    sized: list[tuple[Unit, int]] = [(setda, 320)]
    for unit in opds:
        if unit is setda:
            continue
        if unit.sector == "pendidikan":
            sized.append((unit, 5200))
        elif unit.sector == "kesehatan":
            sized.append((unit, 900 if _is_hospital(unit) else 2600))
        else:
            sized.append((unit, rng.randint(100, 220)))
    sized += [(k, rng.randint(80, 150)) for k in kecamatan]
    return sized


def _is_hospital(unit: Unit) -> bool:
    return unit.sector == "kesehatan" and ("RSUD" in unit.name.upper() or "RUMAH SAKIT" in unit.name.upper())


# ---------------------------------------------------------------------------------------------- positions


@dataclass
class _Slot:
    """A position before the person in it is drawn."""

    level_name: str  # head, administrator, pengawas, staff
    position_type: str
    title: str
    unit_code: str
    boss: int | None  # index of the pejabat penilai's slot in the unit (None: the Sekda or the PPK)


STAFF_TITLES = {
    "kesehatan": (
        ("JF", "Dokter Ahli Pertama", "dr. "),
        ("JF", "Perawat Terampil", "S.Kep., Ns."),
        ("JF", "Bidan Terampil", "A.Md.Keb."),
        ("JF", "Apoteker Ahli Pertama", "S.Farm., Apt."),
        ("JF", "Nutrisionis Terampil", "A.Md.Gz."),
        ("JF", "Sanitarian Terampil", "A.Md.KL."),
        ("PELAKSANA", "Pengadministrasi Umum", ""),
    ),
    "pendidikan": (
        ("JF", "Guru Kelas Ahli Pertama", "S.Pd."),
        ("JF", "Guru Matematika Ahli Muda", "S.Pd."),
        ("JF", "Guru Bahasa Indonesia Ahli Pertama", "S.Pd."),
        ("JF", "Guru Pendidikan Agama Islam Ahli Pertama", "S.Pd.I."),
        ("JF", "Guru IPA Ahli Muda", "S.Pd."),
        ("PELAKSANA", "Pengelola Data Pendidikan", ""),
    ),
    "infrastruktur": (
        ("JF", "Teknik Jalan dan Jembatan Ahli Pertama", "S.T."),
        ("JF", "Pengawas Bangunan Terampil", "A.Md.T."),
        ("PELAKSANA", "Pengelola Sarana dan Prasarana", ""),
        ("PELAKSANA", "Operator Alat Berat", ""),
    ),
    "keuangan": (
        ("JF", "Analis Keuangan Pusat dan Daerah Ahli Pertama", "S.E."),
        ("JF", "Penilai Pajak Terampil", "A.Md."),
        ("PELAKSANA", "Pengelola Keuangan", "S.E."),
        ("PELAKSANA", "Verifikator Keuangan", ""),
    ),
    "kewilayahan": (
        ("PELAKSANA", "Pengadministrasi Kependudukan", ""),
        ("PELAKSANA", "Pengelola Layanan Masyarakat", "S.Sos."),
        ("PELAKSANA", "Pengadministrasi Umum", ""),
    ),
}
GENERAL_STAFF = (
    ("JF", "Analis Kebijakan Ahli Pertama", "S.Sos."),
    ("JF", "Pranata Komputer Terampil", "A.Md.Kom."),
    ("JF", "Arsiparis Terampil", "A.Md."),
    ("PELAKSANA", "Pengadministrasi Umum", ""),
    ("PELAKSANA", "Pengelola Data dan Informasi", "S.Kom."),
    ("PELAKSANA", "Pengadministrasi Perkantoran", ""),
)
HEAD_DEGREE = ("S.STP., M.Si.", "S.H., M.H.", "S.E., M.M.", "S.Sos., M.Si.", "S.T., M.T.", "S.IP., M.Si.")


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _slots(unit: Unit, n: int, is_setda: bool) -> list[_Slot]:
    """The positions of a unit of ``n`` people: head, administrators, pengawas, staff."""
    kecamatan = unit.kind == "kecamatan"
    slots: list[_Slot] = []
    if is_setda:
        slots.append(_Slot("head", "JPT", "Sekretaris Daerah", "SEKDA", None))
    elif kecamatan:
        slots.append(_Slot("head", "ADMINISTRATOR", f"Camat {unit.name.removeprefix('Kecamatan ')}", "CAMAT", None))
    else:
        slots.append(_Slot("head", "JPT", f"Kepala {unit.name}", "PIMPINAN", None))
    admins = 0 if kecamatan else _clamp(round(n / 60), 1, 6)
    for a in range(admins):
        if is_setda:
            title, code = f"Kepala Bagian {_BAGIAN[a % len(_BAGIAN)]}", f"BAG-{a + 1}"
        elif a == 0:
            title, code = "Sekretaris", "SEKRET"
        else:
            title, code = f"Kepala Bidang {a}", f"BID-{a}"
        slots.append(_Slot("administrator", "ADMINISTRATOR", title, code, 0))
    pengawas = _clamp(round((n - 1 - admins) / 11), max(admins, 1), max(admins, 1) * 80)
    for m in range(pengawas):
        boss = 0 if kecamatan else 1 + m % admins
        title, code = _pengawas_title(unit, m)
        slots.append(_Slot("pengawas", "PENGAWAS", title, code, boss))
    first_pengawas = 1 + admins
    for s in range(n - len(slots)):
        boss = first_pengawas + s % pengawas
        slots.append(_Slot("staff", "", "", slots[boss].unit_code, boss))
    return slots


_BAGIAN = ("Pemerintahan", "Hukum", "Organisasi", "Umum", "Perekonomian", "Kesejahteraan Rakyat")


def _pengawas_title(unit: Unit, m: int) -> tuple[str, str]:
    if unit.kind == "kecamatan":
        titles = ("Sekretaris Kecamatan", "Kepala Seksi Pemerintahan", "Kepala Seksi Pelayanan Umum")
        return (titles[m], f"SEKSI-{m + 1}") if m < len(titles) else (f"Lurah {m - 2}", f"KEL-{m - 2}")
    if unit.sector == "kesehatan" and not _is_hospital(unit):
        return f"Kepala Puskesmas {m + 1}", f"PKM-{m + 1:02d}"
    if _is_hospital(unit):
        return f"Kepala Instalasi {m + 1}", f"INST-{m + 1:02d}"
    if unit.sector == "pendidikan":
        return (
            (f"Kepala SD Negeri {m + 1}", f"SDN-{m + 1:03d}")
            if m % 4
            else (f"Kepala SMP Negeri {m // 4 + 1}", f"SMPN-{m // 4 + 1:02d}")
        )
    return f"Kepala Seksi {m + 1}", f"SEKSI-{m + 1}"


# ---------------------------------------------------------------------------------------------- SKP


def _indicators(rng: random.Random, rhk_id: str, step: Step) -> tuple[Indicator, ...]:
    percent = step.unit == "%"
    target = rng.randint(step.low, step.high)
    quality = rng.randint(QUALITY.low, QUALITY.high)
    return (
        Indicator(
            f"{rhk_id}-i1", "kuantitas", step.indicator, str(target), step.unit, "last" if percent else "average"
        ),
        Indicator(f"{rhk_id}-i2", "kualitas", QUALITY.indicator, str(quality), QUALITY.unit, "average"),
    )


def _skp(
    rng: random.Random, level: str, themes: Sequence[Theme], boss: Person | None, same_sector: bool
) -> tuple[Rhk, ...]:
    """The RHK utama of a person: a head takes up to three themes of their sector; anyone with a pejabat
    penilai inside the cascade takes one or two of the pejabat penilai's RHK and intervenes them."""
    if boss is None:
        picked: list[tuple[int, str | None]] = [(i, None) for i in range(min(3, len(themes)))]
    else:
        count = min(len(boss.rhk), 1 if rng.random() < 0.6 else 2)
        start = rng.randrange(len(boss.rhk))
        chosen = [boss.rhk[(start + k) % len(boss.rhk)] for k in range(count)]
        picked = [(r.theme if same_sector else k % len(themes), r.rhk_id) for k, r in enumerate(chosen)]
    rhk = []
    for k, (theme, intervened) in enumerate(picked):
        step = themes[theme % len(themes)].step(level)
        rhk_id = f"r{k + 1}"
        rhk.append(Rhk(rhk_id, step.rhk, intervened, _indicators(rng, rhk_id, step), theme % len(themes)))
    return tuple(rhk)


# ---------------------------------------------------------------------------------------------- outcomes

TENDENCY = {
    # predikat weights: sangat_baik, baik, butuh_perbaikan, kurang_misconduct, sangat_kurang
    "strong": (60, 40, 0, 0, 0),
    "normal": (7, 89, 3, 1, 0),
    "weak": (0, 38, 40, 13, 9),
}
RATINGS = {
    "sangat_baik": ((ABOVE, ABOVE),),
    "baik": ((MEETS, MEETS), (MEETS, MEETS), (MEETS, MEETS), (ABOVE, MEETS), (MEETS, ABOVE)),
    "butuh_perbaikan": ((BELOW, MEETS), (BELOW, ABOVE)),
    "kurang_misconduct": ((MEETS, BELOW), (ABOVE, BELOW)),
    "sangat_kurang": ((BELOW, BELOW),),
}
"""The 3x3 matrix read backwards (domain.md 1.5): which (hasil kerja, perilaku kerja) give each predikat."""
OBJECTION_RATE = 0.01
OBJECTIONS = (
    "Realisasi belum memperhitungkan data triwulan yang terlambat masuk",
    "Kendala anggaran di luar kendali saya tidak dipertimbangkan",
    "Bukti dukung kegiatan sudah diunggah tetapi belum diperiksa",
)


def _draw_predikat(rng: random.Random, tendency: str) -> str:
    return rng.choices(PREDIKAT, weights=TENDENCY[tendency])[0]


def _realisation(rng: random.Random, indicator: Indicator, rating: str) -> str:
    """A realisation whose capaian (realisation / target) gives ``rating``: >= 110 %, 100-109 % or < 100 %."""
    target = float(indicator.target)
    if rating == ABOVE:
        factor = rng.uniform(1.12, 1.25)
    elif rating == MEETS:
        factor = rng.uniform(1.0, 1.07)
    else:
        factor = rng.uniform(0.55, 0.93)
    if indicator.unit == "%":
        value = math.ceil(target * factor * 10) / 10 if rating != BELOW else math.floor(target * factor * 10) / 10
        return f"{min(100.0, value):g}"
    if rating == ABOVE:
        count = math.ceil(target * factor)
    elif rating == MEETS:
        count = max(int(target), min(round(target * factor), math.floor(target * 1.09)))
    else:
        count = max(0, min(math.floor(target * factor), int(target) - 1))
    return str(count)


def _outcome(rng: random.Random, person_rhk: Sequence[Rhk], period: str, predikat: str, objection_ok: bool) -> Outcome:
    hasil, perilaku = rng.choice(RATINGS[predikat])
    realisations = tuple((i.indicator_id, _realisation(rng, i, hasil)) for rhk in person_rhk for i in rhk.indicators)
    objection = None
    if objection_ok and rng.random() < OBJECTION_RATE * (6 if predikat in LOW else 0.5):
        objection = Objection(rng.choice(OBJECTIONS), upheld=predikat in LOW and rng.random() < 0.5)
    low = predikat in LOW
    cause = rng.choice(CAUSES) if low else None
    actions = tuple(sorted(rng.sample(ACTIONS, rng.randint(1, 2)))) if low else ()
    return Outcome(period, hasil, perilaku, predikat, realisations, objection, cause, actions)


# ---------------------------------------------------------------------------------------------- the city


def periods_of(year: int) -> tuple[str, ...]:
    """The year's periodic evaluations: quarterly (the frequency the loader configures)."""
    return tuple(f"{year}-Q{q}" for q in range(1, 5))


def period_end(period: str) -> dt.date:
    year, quarter = int(period[:4]), int(period[-1])
    return dt.date(year, 3 * quarter, 31 if quarter in (1, 4) else 30)


def build_city(size: Size, seed: int, units: Iterable[Unit], year: int) -> City:
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    rng = random.Random(f"kinerja-demo/{size}/{seed}/{year}")
    unit_list = sorted(units, key=lambda u: (u.kind != "opd", u.code))
    nips = _Nips(rng, year)
    periods = periods_of(year)
    people: list[Person] = []
    chosen = _choose_units(size, unit_list, rng)
    sekda_unit = chosen[0][0]
    sekda: Person | None = None
    for unit, n in chosen:
        is_setda = unit is sekda_unit
        themes = themes_of(unit.sector)
        in_unit: list[Person] = []
        for slot in _slots(unit, n, is_setda):
            boss = in_unit[slot.boss] if slot.boss is not None else (None if is_setda else sekda)
            person = _person(rng, nips, unit, slot, boss, themes, periods, year)
            in_unit.append(person)
            if is_setda and sekda is None:
                sekda = person
        people += in_unit
    ordered = sorted(people, key=lambda p: p.level)  # stable: unit and position order within a level
    return City(size, seed, year, tuple(unit for unit, _ in chosen), tuple(ordered), periods)


def _person(
    rng: random.Random,
    nips: _Nips,
    unit: Unit,
    slot: _Slot,
    boss: Person | None,
    themes: Sequence[Theme],
    periods: Sequence[str],
    year: int,
) -> Person:
    level_name = slot.level_name
    position_type, title, degree, prefix = slot.position_type, slot.title, "", ""
    pppk = False
    if level_name == "staff":
        options = STAFF_TITLES.get(unit.sector, GENERAL_STAFF)
        position_type, title, degree = rng.choice(options)
        if degree == "dr. ":
            degree, prefix = "", "dr. "
        pppk = rng.random() < (0.32 if unit.sector in ("pendidikan", "kesehatan") else 0.22)
        if degree and rng.random() < 0.3:
            degree = ""
    elif level_name == "head":
        degree = rng.choice(HEAD_DEGREE)
    else:
        degree = rng.choice(("S.E.", "S.Sos.", "S.H.", "S.T.", "S.Kom.", "S.Pd., M.Pd.", "S.KM., M.Kes.", "S.IP."))
    female_share = 0.62 if unit.sector in ("pendidikan", "kesehatan") and level_name == "staff" else 0.42
    gender = "2" if rng.random() < female_share else "1"
    contract_start = None
    if pppk:
        nip, contract_start = nips.pppk(gender)
    else:
        births = {"head": (1966, 1976), "administrator": (1968, 1982), "pengawas": (1970, 1988)}
        nip = nips.pns(births.get(level_name, (1970, 1999)), gender)
    level = 0 if boss is None else boss.level + 1
    if boss is None:
        pejabat, atasan = PPK, None  # the Sekda: appraised by the Wali Kota
    else:
        pejabat, atasan = boss.nip, boss.pejabat_penilai_nip
    same_sector = boss is not None and boss.opd_code == unit.code
    top_of_cascade = boss is None or (position_type == "JPT" and boss.opd_code != unit.code)
    rhk = _skp(rng, level_name, themes, None if top_of_cascade else boss, same_sector)
    tendency = "normal"
    if level_name in ("head", "administrator"):
        tendency = "strong" if rng.random() < 0.15 else "normal"
    else:
        roll = rng.random()
        tendency = "strong" if roll < 0.10 else "weak" if roll > 0.90 else "normal"
    objection_ok = atasan not in (None, PPK)
    outcomes = tuple(_outcome(rng, rhk, period, _draw_predikat(rng, tendency), objection_ok) for period in periods)
    history = _history(rng, tendency, year)
    name = _name(rng, gender, degree, prefix)
    return Person(
        nip=nip,
        name=name,
        gender=gender,
        employee_type="PPPK" if pppk else "PNS",
        position_type=position_type,
        position_title=title,
        opd_code=unit.code,
        unit_code=slot.unit_code,
        level=level,
        pejabat_penilai_nip=pejabat,
        atasan_pejabat_penilai_nip=atasan,
        contract_start=contract_start,
        rhk=rhk,
        outcomes=outcomes,
        history=history,
    )


def _history(rng: random.Random, tendency: str, year: int) -> tuple[History, ...]:
    """Last year's annual result for everyone; for some of the weak, the year before too (low both years:
    the second low annual predikat is escalated to the BKPSDM)."""
    last = _draw_predikat(rng, tendency)
    records = []
    if tendency == "weak" and last in LOW and rng.random() < 0.5:
        before = rng.choice(("butuh_perbaikan", "kurang_misconduct", "sangat_kurang"))
        hasil, perilaku = rng.choice(RATINGS[before])
        records.append(History(str(year - 2), hasil, perilaku, before))
    hasil, perilaku = rng.choice(RATINGS[last])
    records.append(History(str(year - 1), hasil, perilaku, last))
    return tuple(records)
