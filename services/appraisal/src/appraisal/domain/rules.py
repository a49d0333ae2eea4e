"""Rule data with its source. Rules marked [R] were not found in a primary source: they are
assumptions kept here, as data, so that the BKPSDM can change them without a code change."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from shared.events import OrgPredikat, Predikat, RatingLevel

LOW_PREDIKAT = frozenset({Predikat.BUTUH_PERBAIKAN, Predikat.KURANG_MISCONDUCT, Predikat.SANGAT_KURANG})
"""Predikat that flag a low score and open a development plan (domain.md 1.8, recommended rule engine).
Weak parts of a Baik or Sangat Baik result are development areas for training, never a low score."""


@dataclass(frozen=True)
class CapaianThresholds:
    """Suggested rating of an RHK from the achievement (capaian) of its indicators, in percent of target.
    The pejabat penilai decides; this is only a suggestion. [R]: PermenPANRB 6/2022 has no formula."""

    above_expectation_from: float = 110.0
    meets_expectation_from: float = 100.0
    source: str = "[R] project assumption; PermenPANRB 6/2022 removed the numeric formula"


CAPAIAN_THRESHOLDS = CapaianThresholds()


@dataclass(frozen=True)
class FollowUpRules:
    improvement_window_months: int = 6
    improvement_window_source: str = "PP 30/2019 Pasal 57-58: 6 bulan kesempatan memperbaiki kinerja"
    improvement_window_predikat: frozenset[Predikat] = frozenset({Predikat.KURANG_MISCONDUCT, Predikat.SANGAT_KURANG})
    """The *annual* predikat that open the 6-month window (PP 30/2019 Pasal 57-58: "tidak memenuhi target
    kinerja"). [R] Whether an annual Butuh Perbaikan counts too is the BKPSDM's choice: add it here. A low
    *periodic* result opens a development plan (coaching), never the window (domain.md 1.8)."""
    consecutive_low_annual_to_escalate: int = 2
    escalation_source: str = "[R] domain.md 1.8: a second consecutive low annual rating is escalated to BKPSDM"


FOLLOW_UP = FollowUpRules()

OBJECTION_DECISION_DAYS = 14
"""[R] Days the atasan pejabat penilai has to decide an objection after it is filed (PP 30/2019 Pasal 59
sets the procedure, including asking the pejabat penilai and the employee for explanations, 59(3))."""

DEFAULT_OBJECTION_WINDOW_DAYS = 14
"""[R] Days after finalisation in which the employee may object (keberatan, PP 30/2019); set per year."""


DEADLINE_REACH_DAYS = 366
"""[R] How far a deadline may lie: an evaluation's ``evaluation_due`` from its period's end (the annual
result is commonly set by the end of January of the next year, domain.md 1.9), a BKPSDM extension
from the day it is granted. ``skp_due`` lies from 1 December of the year before to 31 December of the
year (the SKP is set by the end of January, domain.md 1.9)."""

FIRST_HISTORY_YEAR = 2000
"""[R] The earliest year a result recorded from history (``POST /appraisals``) may be of: the events'
bound on a year, well before PP 30/2019 and e-Kinerja; a result of a period that has not begun yet is
never history."""

DEFAULT_FINALISE_GRACE_DAYS = 0
MAX_FINALISE_GRACE_DAYS = 31
"""[R] Days before a period's end from which its evaluation may already be finalised (set per year,
``finalise_grace_days``). PermenPANRB 6/2022 evaluates a period's realisation, so by default a period is
finalised once it has ended (0); the BKPSDM may allow the last days of a period (at most a month, the
shortest period) so that appraisers are not idle at period end. domain.md 1.4, 1.9."""

DEADLINE_ENFORCEMENT_SOURCE = (
    "[R] domain.md 1.9: the SKP is set by the end of January and the annual evaluation early the next year; "
    "all dates are configurable per year. Whether a missed deadline only marks the step late (warning, the "
    "default) or refuses it (blocking) is the BKPSDM's choice per year."
)


HEAD_HASIL_KERJA = MappingProxyType(
    {
        OrgPredikat.ISTIMEWA: RatingLevel.DI_ATAS_EKSPEKTASI,
        OrgPredikat.BAIK: RatingLevel.SESUAI_EKSPEKTASI,
        OrgPredikat.BUTUH_PERBAIKAN: RatingLevel.DI_BAWAH_EKSPEKTASI,
        OrgPredikat.KURANG: RatingLevel.DI_BAWAH_EKSPEKTASI,
        OrgPredikat.SANGAT_KURANG: RatingLevel.DI_BAWAH_EKSPEKTASI,
    }
)
"""The annual Hasil Kerja of an OPD's head follows the organisation's result (domain.md 1.5 [S]:
postingnews.id, "capaian organisasi menjadi hasil kerja pimpinan unit"); this mapping of the
organisation predikat to a rating is [R]. A pejabat penilai who departs from it writes why."""


@dataclass(frozen=True)
class OpdSeed:
    """One unit of the city government as the master data starts (admin_bkpsdm maintains it after)."""

    code: str
    name: str
    kind: str
    """``opd`` (perangkat daerah) or ``kecamatan``."""
    sector: str


OPD_SEED_SOURCE = (
    "Perda Kota Palembang 6/2016 tentang Pembentukan dan Susunan Perangkat Daerah (structure); the names, "
    "codes and sectors, and the 18 kecamatan, are [R] (domain.md 3)"
)
_OPD = (
    ("SETDA", "Sekretariat Daerah", "pemerintahan"),
    ("SETWAN", "Sekretariat DPRD", "pemerintahan"),
    ("INSPEKTORAT", "Inspektorat", "pengawasan"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah dan Litbang", "perencanaan"),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "kepegawaian"),
    ("BPKAD", "Badan Pengelola Keuangan dan Aset Daerah", "keuangan"),
    ("BAPENDA", "Badan Pendapatan Daerah", "keuangan"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "kebencanaan"),
    ("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "pemerintahan"),
    ("DISDIK", "Dinas Pendidikan", "pendidikan"),
    ("DINKES", "Dinas Kesehatan", "kesehatan"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "infrastruktur"),
    ("PERKIMTAN", "Dinas Perumahan dan Kawasan Permukiman", "infrastruktur"),
    ("DLHK", "Dinas Lingkungan Hidup dan Kebersihan", "lingkungan"),
    ("DISHUB", "Dinas Perhubungan", "perhubungan"),
    ("DINSOS", "Dinas Sosial", "sosial"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "kependudukan"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika", "komunikasi"),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "perizinan"),
    ("DISBUD", "Dinas Kebudayaan", "kebudayaan"),
    ("DISPAR", "Dinas Pariwisata", "pariwisata"),
    ("DISPORA", "Dinas Pemuda dan Olahraga", "kepemudaan"),
    ("DISDAG", "Dinas Perdagangan", "perdagangan"),
    ("DISKOP-UKM", "Dinas Koperasi dan Usaha Kecil Menengah", "ekonomi"),
    ("DISNAKER", "Dinas Tenaga Kerja", "ketenagakerjaan"),
    ("DKPP", "Dinas Ketahanan Pangan dan Pertanian", "pangan"),
    ("DISPUSTAKA", "Dinas Perpustakaan dan Kearsipan", "perpustakaan"),
    ("DAMKAR", "Dinas Pemadam Kebakaran", "ketertiban"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", "ketertiban"),
    ("DPPKB", "Dinas Pengendalian Penduduk dan Keluarga Berencana", "sosial"),
    ("DPPPA", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "sosial"),
    ("RSUD-BARI", "RSUD Palembang BARI", "kesehatan"),
)
_KECAMATAN = (
    ("KEC-IB1", "Ilir Barat I"),
    ("KEC-IB2", "Ilir Barat II"),
    ("KEC-IT1", "Ilir Timur I"),
    ("KEC-IT2", "Ilir Timur II"),
    ("KEC-IT3", "Ilir Timur III"),
    ("KEC-SU1", "Seberang Ulu I"),
    ("KEC-SU2", "Seberang Ulu II"),
    ("KEC-KERTAPATI", "Kertapati"),
    ("KEC-PLAJU", "Plaju"),
    ("KEC-JAKABARING", "Jakabaring"),
    ("KEC-BUKITKECIL", "Bukit Kecil"),
    ("KEC-GANDUS", "Gandus"),
    ("KEC-KEMUNING", "Kemuning"),
    ("KEC-KALIDONI", "Kalidoni"),
    ("KEC-SAKO", "Sako"),
    ("KEC-SEMATANGBORANG", "Sematang Borang"),
    ("KEC-SUKARAMI", "Sukarami"),
    ("KEC-ALANGALANGLEBAR", "Alang-Alang Lebar"),
)
OPD_SEED: tuple[OpdSeed, ...] = (
    *(OpdSeed(code, name, "opd", sector) for code, name, sector in _OPD),
    *(OpdSeed(code, f"Kecamatan {name}", "kecamatan", "kewilayahan") for code, name in _KECAMATAN),
)
"""[R] The 32 OPD (Dinas Kebudayaan and Dinas Pariwisata counted apart) and 18 kecamatan of
Pemerintah Kota Palembang, each with its sector; loaded once into the master data (``opd``)."""
