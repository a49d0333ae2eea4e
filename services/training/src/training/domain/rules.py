"""Rule data of competency development (domain.md 2), each with its source.

[S] = found in the cited source; [R] = a recommendation or assumption not verified in a primary source,
kept here as data so that the BKPSDM can change it without a code change (domain.md legend).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from shared.events import Aspect, BerAkhlakValue, PositionType

# ---------------------------------------------------------------------------------------------------
# JP: the PNS yearly minimum and the PPPK cap are in shared.regulation (reporting applies them too)


MINUTES_PER_JP = 45
"""[R] 1 JP = 45 minutes (Peraturan LAN 10/2018 practice; domain.md 2)."""


# ---------------------------------------------------------------------------------------------------
# Forms of competency development and the JP conversion table


class Modality(StrEnum):
    """Classical (klasikal) or non-classical learning (the ``modality`` of training.recommended.v1)."""

    KLASIKAL = "klasikal"
    NON_KLASIKAL = "non_klasikal"


class LearningForm(StrEnum):
    """Forms of competency development (Peraturan LAN 10/2018, domain.md 2 [R])."""

    # klasikal
    PELATIHAN_STRUKTURAL_KEPEMIMPINAN = "pelatihan_struktural_kepemimpinan"
    PELATIHAN_MANAJERIAL = "pelatihan_manajerial"
    PELATIHAN_TEKNIS = "pelatihan_teknis"
    PELATIHAN_FUNGSIONAL = "pelatihan_fungsional"
    PELATIHAN_SOSIAL_KULTURAL = "pelatihan_sosial_kultural"
    SEMINAR = "seminar"
    """Seminar, konferensi or sarasehan."""
    WORKSHOP = "workshop"
    """Workshop or lokakarya."""
    KURSUS = "kursus"
    PENATARAN = "penataran"
    BIMBINGAN_TEKNIS = "bimbingan_teknis"
    SOSIALISASI = "sosialisasi"
    # non-klasikal
    COACHING = "coaching"
    MENTORING = "mentoring"
    E_LEARNING = "e_learning"
    PELATIHAN_JARAK_JAUH = "pelatihan_jarak_jauh"
    DETASERING = "detasering"
    OUTBOUND = "outbound"
    """Pembelajaran alam terbuka."""
    PATOK_BANDING = "patok_banding"
    PERTUKARAN = "pertukaran"
    """Pertukaran antara PNS dengan pegawai swasta/BUMN/BUMD."""
    BELAJAR_MANDIRI = "belajar_mandiri"
    KOMUNITAS_BELAJAR = "komunitas_belajar"
    MAGANG = "magang"
    """Magang / praktik kerja."""


class Conversion(StrEnum):
    """How a form's JP are found."""

    AS_STATED = "as_stated"
    """The JP the organiser states (``jp_stated``)."""
    PER_DAY = "per_day"
    """A fixed number of JP for each day (``days``)."""
    PER_MINUTES = "per_minutes"
    """Learning minutes divided by the minutes of one JP (``minutes``)."""


@dataclass(frozen=True)
class FormRule:
    form: LearningForm
    label: str
    """Name in Bahasa Indonesia."""
    modality: Modality
    conversion: Conversion
    citation: str
    jp_per_day_national: Decimal | None = None
    jp_per_day_international: Decimal | None = None
    international_factor: Decimal = Decimal(1)
    """Multiplier of the stated JP for an international programme."""
    stated_jp_accepted: bool = False
    """For a PER_MINUTES form: whether a JP figure the organiser states may be used instead of minutes."""


_CONVERSION_DECK = '[S] "Konversi Pengembangan Kompetensi Non Klasikal" (scribd 648318168, domain.md 2)'
_FORMS_LAN = "Peraturan LAN 10/2018 (bentuk pengembangan kompetensi; domain.md 2 [R])"
_NON_CLASSICAL_DEFAULT = (
    "[R] the non-classical conversions of the deck were not retrieved: JP = minutes / 45, or the JP the "
    "organiser states; configurable"
)


def _classical(
    form: LearningForm,
    label: str,
    conversion: Conversion,
    citation: str,
    *,
    jp_per_day_national: Decimal | None = None,
    jp_per_day_international: Decimal | None = None,
    international_factor: Decimal = Decimal(1),
) -> FormRule:
    return FormRule(
        form,
        label,
        Modality.KLASIKAL,
        conversion,
        f"{_FORMS_LAN}; {citation}",
        jp_per_day_national=jp_per_day_national,
        jp_per_day_international=jp_per_day_international,
        international_factor=international_factor,
    )


def _non_classical(form: LearningForm, label: str) -> FormRule:
    return FormRule(
        form,
        label,
        Modality.NON_KLASIKAL,
        Conversion.PER_MINUTES,
        f"{_FORMS_LAN}; {_NON_CLASSICAL_DEFAULT}",
        stated_jp_accepted=True,
    )


_F = LearningForm
_UPLIFT = Decimal("1.2")
_AS_STATED_20 = f"{_CONVERSION_DECK}: sesuai JP yang tercantum, +20% bila internasional"
_AS_STATED_R = "[R] not in the conversion deck: counted as the JP the organiser states"
FORM_RULES: MappingProxyType[LearningForm, FormRule] = MappingProxyType(
    {
        rule.form: rule
        for rule in (
            _classical(
                _F.PELATIHAN_STRUKTURAL_KEPEMIMPINAN,
                "Pelatihan Struktural Kepemimpinan",
                Conversion.AS_STATED,
                f"{_CONVERSION_DECK}: sesuai JP yang tercantum",
            ),
            _classical(
                _F.PELATIHAN_MANAJERIAL,
                "Pelatihan Manajerial",
                Conversion.AS_STATED,
                _AS_STATED_20,
                international_factor=_UPLIFT,
            ),
            _classical(
                _F.PELATIHAN_TEKNIS,
                "Pelatihan Teknis",
                Conversion.AS_STATED,
                _AS_STATED_20,
                international_factor=_UPLIFT,
            ),
            _classical(
                _F.PELATIHAN_FUNGSIONAL,
                "Pelatihan Fungsional",
                Conversion.AS_STATED,
                _AS_STATED_20,
                international_factor=_UPLIFT,
            ),
            _classical(
                _F.PELATIHAN_SOSIAL_KULTURAL,
                "Pelatihan Sosial Kultural",
                Conversion.AS_STATED,
                _AS_STATED_20,
                international_factor=_UPLIFT,
            ),
            _classical(
                _F.SEMINAR,
                "Seminar/Konferensi/Sarasehan",
                Conversion.PER_DAY,
                f"{_CONVERSION_DECK}: 1 hari = 4 JP (nasional), 6 JP (internasional)",
                jp_per_day_national=Decimal(4),
                jp_per_day_international=Decimal(6),
            ),
            _classical(
                _F.WORKSHOP,
                "Workshop/Lokakarya",
                Conversion.PER_DAY,
                f"{_CONVERSION_DECK}: 1 hari = 5 JP (nasional), 7 JP (internasional)",
                jp_per_day_national=Decimal(5),
                jp_per_day_international=Decimal(7),
            ),
            _classical(_F.KURSUS, "Kursus", Conversion.AS_STATED, _AS_STATED_R),
            _classical(_F.PENATARAN, "Penataran", Conversion.AS_STATED, _AS_STATED_R),
            _classical(_F.BIMBINGAN_TEKNIS, "Bimbingan Teknis", Conversion.AS_STATED, _AS_STATED_R),
            _classical(_F.SOSIALISASI, "Sosialisasi", Conversion.AS_STATED, _AS_STATED_R),
            _non_classical(_F.COACHING, "Coaching"),
            _non_classical(_F.MENTORING, "Mentoring"),
            _non_classical(_F.E_LEARNING, "E-Learning"),
            _non_classical(_F.PELATIHAN_JARAK_JAUH, "Pelatihan Jarak Jauh"),
            _non_classical(_F.DETASERING, "Detasering (Secondment)"),
            _non_classical(_F.OUTBOUND, "Pembelajaran Alam Terbuka (Outbound)"),
            _non_classical(_F.PATOK_BANDING, "Patok Banding (Benchmarking)"),
            _non_classical(_F.PERTUKARAN, "Pertukaran PNS dengan Pegawai Swasta/BUMN/BUMD"),
            _non_classical(_F.BELAJAR_MANDIRI, "Belajar Mandiri"),
            _non_classical(_F.KOMUNITAS_BELAJAR, "Komunitas Belajar"),
            _non_classical(_F.MAGANG, "Magang/Praktik Kerja"),
        )
    }
)


@dataclass(frozen=True)
class JpRules:
    """The JP conversion table and the bounds of its inputs."""

    forms: MappingProxyType[LearningForm, FormRule] = field(default_factory=lambda: FORM_RULES)
    minutes_per_jp: int = MINUTES_PER_JP
    max_days: Decimal = Decimal(60)
    """[R] Longest seminar or workshop counted per activity, in days (half days allowed)."""
    max_jp_stated: Decimal = Decimal(1000)
    """[R] Largest JP figure accepted for one programme (long leadership training stays well below)."""
    max_minutes: int = 1000 * MINUTES_PER_JP
    """[R] Most learning minutes accepted for one non-classical activity."""
    max_jp_per_entry: Decimal = Decimal(1000)
    """[R] Largest JP one ledger entry (a completion or an approved external learning) may carry."""
    decimals: int = 2
    """JP are rounded half-up to this many decimals."""


JP_RULES = JpRules()


# ---------------------------------------------------------------------------------------------------
# "Who is behind" (PNS) and the cap (PPPK)


@dataclass(frozen=True)
class ProgressRules:
    not_started_after: Decimal = Decimal("0.25")
    """[R] A PNS with 0 JP once this share of the year has passed is 'not started'."""
    source: str = (
        "[R] project assumption: behind = fewer JP than the pro-rata share of the yearly minimum "
        "(minimum x days elapsed / days of the year); no source sets a schedule within the year"
    )


PROGRESS_RULES = ProgressRules()


# ---------------------------------------------------------------------------------------------------
# Sectors (the master data's sectors of the OPD; they arrive in events as ``sector``)

SECTORS = frozenset(
    {
        "pemerintahan",
        "pengawasan",
        "perencanaan",
        "kepegawaian",
        "keuangan",
        "kebencanaan",
        "pendidikan",
        "kesehatan",
        "infrastruktur",
        "lingkungan",
        "perhubungan",
        "sosial",
        "kependudukan",
        "komunikasi",
        "perizinan",
        "kebudayaan",
        "pariwisata",
        "kepemudaan",
        "perdagangan",
        "ekonomi",
        "ketenagakerjaan",
        "pangan",
        "perpustakaan",
        "ketertiban",
        "kewilayahan",
    }
)
"""[R] The sectors the appraisal service's OPD master data gives the 32 OPD and 18 kecamatan of Kota Palembang
(Perda Kota Palembang 6/2016 for the structure [S]; names and sectors [R], domain.md 3)."""


# ---------------------------------------------------------------------------------------------------
# Competencies and the matching rules


class Competency(StrEnum):
    """What a programme develops: the vocabulary matching speaks in (domain.md 2 typical topics [R], extended
    with the technical areas of the city's sectors)."""

    PELAYANAN_PRIMA = "pelayanan_prima"
    MANAJEMEN_WAKTU = "manajemen_waktu"
    KOMUNIKASI_EFEKTIF = "komunikasi_efektif"
    KOMUNIKASI_ORANG_TUA = "komunikasi_orang_tua_siswa"
    PENYUSUNAN_SKP = "penyusunan_skp_iki"
    MANAJEMEN_KINERJA = "manajemen_kinerja"
    KEPEMIMPINAN = "kepemimpinan_coaching"
    ETIKA_INTEGRITAS = "etika_integritas"
    NILAI_BERAKHLAK = "nilai_berakhlak"
    LITERASI_DIGITAL = "literasi_digital_spbe"
    KOLABORASI_TIM = "kolaborasi_tim"
    INOVASI_ADAPTASI = "inovasi_adaptasi"
    WAWASAN_KEBANGSAAN = "wawasan_kebangsaan"
    MOTIVASI_KERJA = "motivasi_kerja"
    TEKNIS_BIDANG = "teknis_bidang"
    """Technical competence of one's own field (the technical programmes of every sector carry it)."""
    PENGELOLAAN_DATA = "pengelolaan_data_pelaporan"
    PENGELOLAAN_KEUANGAN = "pengelolaan_keuangan"
    PERENCANAAN = "perencanaan_penganggaran"
    PENGADAAN = "pengadaan_barang_jasa"
    KEARSIPAN = "kearsipan"
    IMUNISASI = "imunisasi"
    PELAYANAN_KESEHATAN = "pelayanan_kesehatan"
    KURIKULUM_MERDEKA = "kurikulum_merdeka"
    METODE_PEMBELAJARAN = "metode_pembelajaran"
    ADMINDUK = "pelayanan_adminduk"
    PERIZINAN = "perizinan"
    PENANGGULANGAN_BENCANA = "penanggulangan_bencana"
    PERSAMPAHAN = "pengelolaan_persampahan"


C = Competency

BERAKHLAK_LABELS = MappingProxyType(
    {
        BerAkhlakValue.BERORIENTASI_PELAYANAN: "Berorientasi Pelayanan",
        BerAkhlakValue.AKUNTABEL: "Akuntabel",
        BerAkhlakValue.KOMPETEN: "Kompeten",
        BerAkhlakValue.HARMONIS: "Harmonis",
        BerAkhlakValue.LOYAL: "Loyal",
        BerAkhlakValue.ADAPTIF: "Adaptif",
        BerAkhlakValue.KOLABORATIF: "Kolaboratif",
    }
)
"""[S] SE MenPANRB 20/2021 (domain.md 1.7)."""


@dataclass(frozen=True)
class BehaviourRule:
    value: BerAkhlakValue
    competencies: frozenset[Competency]
    citation: str


_PANDUAN = "SE MenPANRB 20/2021 panduan perilaku (domain.md 1.7)"
BEHAVIOUR_RULES = MappingProxyType(
    {
        r.value: r
        for r in (
            BehaviourRule(
                BerAkhlakValue.BERORIENTASI_PELAYANAN,
                frozenset({C.PELAYANAN_PRIMA, C.KOMUNIKASI_EFEKTIF}),
                f"[S] {_PANDUAN}: memahami dan memenuhi kebutuhan masyarakat; ramah, cekatan, solutif; "
                "[R] mapping to pelayanan prima and komunikasi efektif",
            ),
            BehaviourRule(
                BerAkhlakValue.AKUNTABEL,
                frozenset({C.ETIKA_INTEGRITAS, C.MANAJEMEN_WAKTU, C.NILAI_BERAKHLAK}),
                f"[S] {_PANDUAN}: jujur, bertanggung jawab, cermat, disiplin, berintegritas; "
                "[R] mapping to etika & integritas and manajemen waktu",
            ),
            BehaviourRule(
                BerAkhlakValue.KOMPETEN,
                frozenset({C.TEKNIS_BIDANG, C.LITERASI_DIGITAL}),
                f"[R] {_PANDUAN}: meningkatkan kompetensi diri; [R] mapping to technical training and literasi digital",
            ),
            BehaviourRule(
                BerAkhlakValue.HARMONIS,
                frozenset({C.KOMUNIKASI_EFEKTIF, C.NILAI_BERAKHLAK}),
                f"[R] {_PANDUAN}: menghargai setiap orang, membangun lingkungan kerja yang kondusif; [R] mapping",
            ),
            BehaviourRule(
                BerAkhlakValue.LOYAL,
                frozenset({C.WAWASAN_KEBANGSAAN, C.ETIKA_INTEGRITAS}),
                f"[S] {_PANDUAN}: memegang teguh ideologi Pancasila, menjaga nama baik dan rahasia jabatan; "
                "[R] mapping",
            ),
            BehaviourRule(
                BerAkhlakValue.ADAPTIF,
                frozenset({C.INOVASI_ADAPTASI, C.LITERASI_DIGITAL}),
                f"[R] {_PANDUAN}: cepat menyesuaikan diri, berinovasi, proaktif; [R] mapping",
            ),
            BehaviourRule(
                BerAkhlakValue.KOLABORATIF,
                frozenset({C.KOLABORASI_TIM, C.KOMUNIKASI_EFEKTIF}),
                f"[R] {_PANDUAN}: terbuka dalam bekerja sama untuk menghasilkan nilai tambah; [R] mapping",
            ),
        )
    }
)

ASPECT_LABELS = MappingProxyType(
    {Aspect.KUANTITAS: "kuantitas", Aspect.KUALITAS: "kualitas", Aspect.WAKTU: "waktu", Aspect.BIAYA: "biaya"}
)

ASPECT_COMPETENCIES = MappingProxyType(
    {
        Aspect.WAKTU: frozenset({C.MANAJEMEN_WAKTU}),
        Aspect.KUANTITAS: frozenset({C.MANAJEMEN_KINERJA, C.MANAJEMEN_WAKTU}),
        Aspect.KUALITAS: frozenset({C.TEKNIS_BIDANG, C.PELAYANAN_PRIMA}),
        Aspect.BIAYA: frozenset({C.PENGELOLAAN_KEUANGAN, C.PERENCANAAN}),
    }
)
"""[R] The aspect of a weak indicator (PermenPANRB 6/2022: kuantitas, kualitas, waktu, biaya) points to these
competencies; domain.md 2 maps weak results to technical and time-management training."""


@dataclass(frozen=True)
class KeywordRule:
    """Words of a weak indicator or RHK (matched whole, case-insensitive) that point to competencies."""

    keywords: tuple[str, ...]
    competencies: frozenset[Competency]
    area: str
    """The work area in Bahasa Indonesia, for the explanation."""


KEYWORD_RULES: tuple[KeywordRule, ...] = (
    KeywordRule(
        ("imunisasi", "vaksin", "vaksinasi", "posyandu", "balita", "bayi"),
        frozenset({C.IMUNISASI, C.PELAYANAN_KESEHATAN}),
        "imunisasi dan kesehatan anak",
    ),
    KeywordRule(
        ("puskesmas", "pasien", "kesehatan", "gizi", "stunting", "rekam medis"),
        frozenset({C.PELAYANAN_KESEHATAN}),
        "pelayanan kesehatan",
    ),
    KeywordRule(
        ("kurikulum", "modul ajar", "pembelajaran", "siswa", "murid", "asesmen", "rapor"),
        frozenset({C.KURIKULUM_MERDEKA, C.METODE_PEMBELAJARAN}),
        "pembelajaran dan kurikulum",
    ),
    KeywordRule(
        ("orang tua", "wali murid", "komite sekolah"),
        frozenset({C.KOMUNIKASI_ORANG_TUA}),
        "komunikasi dengan orang tua siswa",
    ),
    KeywordRule(
        ("layanan", "pelayanan", "pengaduan", "keluhan", "kepuasan", "antrean"),
        frozenset({C.PELAYANAN_PRIMA}),
        "pelayanan publik",
    ),
    KeywordRule(
        ("laporan", "pelaporan", "data", "rekapitulasi", "statistik"),
        frozenset({C.PENGELOLAAN_DATA}),
        "data dan pelaporan",
    ),
    KeywordRule(
        ("skp", "iki", "indikator kinerja", "rencana hasil kerja", "kinerja"),
        frozenset({C.PENYUSUNAN_SKP, C.MANAJEMEN_KINERJA}),
        "perencanaan kinerja",
    ),
    KeywordRule(
        ("aplikasi", "digital", "spbe", "sistem informasi", "daring", "online", "website", "e-kinerja"),
        frozenset({C.LITERASI_DIGITAL}),
        "layanan digital",
    ),
    KeywordRule(
        ("anggaran", "belanja", "keuangan", "spj", "pajak", "retribusi", "pendapatan"),
        frozenset({C.PENGELOLAAN_KEUANGAN, C.PERENCANAAN}),
        "keuangan dan anggaran",
    ),
    KeywordRule(("pengadaan", "lelang", "e-katalog", "tender"), frozenset({C.PENGADAAN}), "pengadaan barang/jasa"),
    KeywordRule(
        ("ktp", "kk", "akta", "kependudukan", "dukcapil", "ktp-el"),
        frozenset({C.ADMINDUK}),
        "administrasi kependudukan",
    ),
    KeywordRule(("izin", "perizinan", "nib", "pbg"), frozenset({C.PERIZINAN}), "perizinan"),
    KeywordRule(("arsip", "kearsipan", "naskah dinas", "persuratan", "surat"), frozenset({C.KEARSIPAN}), "kearsipan"),
    KeywordRule(
        ("bencana", "banjir", "kebakaran", "evakuasi", "kedaruratan"),
        frozenset({C.PENANGGULANGAN_BENCANA}),
        "penanggulangan bencana",
    ),
    KeywordRule(("sampah", "persampahan", "kebersihan", "tps"), frozenset({C.PERSAMPAHAN}), "persampahan"),
    KeywordRule(
        ("tepat waktu", "tenggat", "jadwal", "keterlambatan"), frozenset({C.MANAJEMEN_WAKTU}), "ketepatan waktu"
    ),
    KeywordRule(("koordinasi", "rapat", "tim", "lintas"), frozenset({C.KOLABORASI_TIM}), "kerja sama tim"),
)
"""[R] Project rule data: words of a weak indicator that point to a competency. Extend per OPD."""


class Dimension(StrEnum):
    HASIL_KERJA = "hasil_kerja"
    PERILAKU_KERJA = "perilaku_kerja"


DIMENSION_LABELS = MappingProxyType({Dimension.HASIL_KERJA: "hasil kerja", Dimension.PERILAKU_KERJA: "perilaku kerja"})

DIMENSION_COMPETENCIES = MappingProxyType(
    {
        Dimension.HASIL_KERJA: frozenset({C.TEKNIS_BIDANG, C.MANAJEMEN_WAKTU}),
        Dimension.PERILAKU_KERJA: frozenset({C.NILAI_BERAKHLAK, C.ETIKA_INTEGRITAS}),
    }
)
"""[R] domain.md 2: results low => technical and time-management training; behaviour low => BerAKHLAK-value or
ethics modules plus counselling."""

CAUSE_LABELS = MappingProxyType(
    {
        "kompetensi": "kompetensi",
        "beban_kerja": "beban kerja",
        "sumber_daya": "sumber daya",
        "motivasi_personal": "motivasi/personal",
        "lainnya": "lainnya",
    }
)

CAUSE_COMPETENCIES = MappingProxyType(
    {
        "kompetensi": frozenset({C.TEKNIS_BIDANG, C.LITERASI_DIGITAL}),
        "beban_kerja": frozenset({C.MANAJEMEN_WAKTU, C.MANAJEMEN_KINERJA}),
        "sumber_daya": frozenset[Competency](),
        "motivasi_personal": frozenset({C.MOTIVASI_KERJA, C.NILAI_BERAKHLAK}),
        "lainnya": frozenset[Competency](),
    }
)
"""[R] The cause the pejabat penilai records in a development plan (the appraisal service's ``Cause``) points to
these competencies. A lack of resources (sumber daya) is not answered by training."""

_TRAINING_FORMS = frozenset(
    {
        _F.PELATIHAN_MANAJERIAL,
        _F.PELATIHAN_TEKNIS,
        _F.PELATIHAN_FUNGSIONAL,
        _F.PELATIHAN_SOSIAL_KULTURAL,
        _F.BIMBINGAN_TEKNIS,
        _F.KURSUS,
        _F.WORKSHOP,
        _F.E_LEARNING,
        _F.PELATIHAN_JARAK_JAUH,
    }
)
ACTION_FORMS = MappingProxyType(
    {
        "coaching": frozenset({_F.COACHING}),
        "mentoring": frozenset({_F.MENTORING}),
        "pelatihan": _TRAINING_FORMS,
        "konseling": frozenset[LearningForm](),
    }
)
"""[R] The actions of a development plan (domain.md 1.8 recommended rule engine: coaching, mentoring or training)
point to these forms. Counselling (konseling) is given by the atasan or a counsellor, not by a programme."""

ACTION_LABELS = MappingProxyType(
    {"coaching": "coaching", "mentoring": "mentoring", "pelatihan": "pelatihan", "konseling": "konseling"}
)

SUPERVISOR_POSITIONS = frozenset({PositionType.JPT, PositionType.ADMINISTRATOR, PositionType.PENGAWAS})
"""[R] Positions that supervise others: kepemimpinan/coaching programmes for supervisors suit them (domain.md 2)."""


@dataclass(frozen=True)
class MatchWeights:
    """Points each matched criterion gives a programme. [R] project assumption; ranking is by these points, then
    by the bonus points, then by code."""

    programme_keyword: int = 5
    """A word of the programme's work areas appears in a weak indicator or RHK."""
    behaviour_direct: int = 3
    """The programme develops the weak BerAKHLAK value itself."""
    behaviour_related: int = 2
    """The programme develops a competency the weak value points to."""
    indicator_keyword: int = 3
    indicator_aspect: int = 1
    low_dimension: int = 1
    plan_cause: int = 2
    plan_action_form: int = 2
    sector: int = 2
    """Bonus: the programme is meant for the employee's sector (never a reason on its own; ranks only programmes
    with the same score)."""
    position: int = 1
    """Bonus: the programme is meant for the employee's position type (never a reason on its own)."""


@dataclass(frozen=True)
class MatchRules:
    weights: MatchWeights = field(default_factory=MatchWeights)
    default_limit: int = 5
    max_limit: int = 20
    pppk_cap_policy: Literal["exclude", "mark"] = "exclude"
    """``exclude`` programmes whose JP exceed what is left of a PPPK's cap, or ``mark`` them
    (``exceeds_pppk_cap``). [R]"""


MATCH_RULES = MatchRules()

MATCH_SOURCE = (
    "[R] domain.md 2: typical topics for low performers aligned with BerAKHLAK; results low => technical and "
    "time-management training; behaviour low => BerAKHLAK or ethics modules"
)
