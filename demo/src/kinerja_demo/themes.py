"""What people of each sector work on: the RHK and indicators of an SKP, per level of the hierarchy.

A theme is one line of the cascade (domain.md 1.3): the head's outcome, the administrator's programme,
the pengawas's activity and the staff's output, each with one countable indicator (kuantitas) and a
target range. A subordinate's RHK intervenes an RHK of their pejabat penilai and keeps its theme.
Percentage targets stay below 90 so that a result above expectation (capaian >= 110 %) stays <= 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("head", "administrator", "pengawas", "staff")


@dataclass(frozen=True)
class Step:
    """One level of a theme: the RHK's text, its indicator's text and unit, and the target range."""

    rhk: str
    indicator: str
    unit: str
    low: int
    high: int


@dataclass(frozen=True)
class Theme:
    head: Step
    administrator: Step
    pengawas: Step
    staff: Step

    def step(self, level: str) -> Step:
        step: Step = getattr(self, level)
        return step


def _t(*steps: tuple[str, str, str, int, int]) -> Theme:
    head, admin, pengawas, staff = (Step(*s) for s in steps)
    return Theme(head, admin, pengawas, staff)


KESEHATAN = (
    _t(
        ("Meningkatnya cakupan imunisasi dasar lengkap", "Persentase cakupan imunisasi dasar lengkap", "%", 80, 90),
        (
            "Terlaksananya program imunisasi di seluruh puskesmas",
            "Puskesmas yang melaksanakan imunisasi rutin",
            "puskesmas",
            20,
            41,
        ),
        (
            "Terlaksananya pelayanan imunisasi di wilayah kerja",
            "Bayi yang mendapat imunisasi dasar lengkap",
            "bayi",
            150,
            800,
        ),
        ("Terlayaninya imunisasi bayi sesuai jadwal posyandu", "Sesi posyandu imunisasi yang dilayani", "sesi", 24, 60),
    ),
    _t(
        (
            "Meningkatnya akses pelayanan kesehatan dasar",
            "Kunjungan rawat jalan puskesmas per 1.000 penduduk",
            "kunjungan",
            60,
            85,
        ),
        (
            "Terselenggaranya pelayanan kesehatan primer yang bermutu",
            "Puskesmas terakreditasi paripurna",
            "puskesmas",
            10,
            30,
        ),
        ("Meningkatnya kunjungan pasien ke puskesmas", "Kunjungan pasien rawat jalan", "kunjungan", 3000, 12000),
        ("Terlayaninya pasien rawat jalan sesuai standar", "Pasien yang dilayani", "pasien", 600, 2400),
    ),
    _t(
        ("Menurunnya prevalensi stunting", "Persentase balita yang ditimbang di posyandu", "%", 75, 88),
        ("Terlaksananya intervensi gizi spesifik", "Kelurahan dengan intervensi gizi spesifik", "kelurahan", 40, 107),
        (
            "Terpantaunya pertumbuhan balita di wilayah kerja",
            "Balita yang dipantau pertumbuhannya",
            "balita",
            300,
            1500,
        ),
        ("Terlaksananya penyuluhan gizi keluarga", "Kegiatan penyuluhan gizi yang dilaksanakan", "kegiatan", 12, 48),
    ),
)
PENDIDIKAN = (
    _t(
        ("Meningkatnya mutu lulusan pendidikan dasar", "Persentase kelulusan peserta didik SD dan SMP", "%", 85, 89),
        (
            "Terlaksananya peningkatan mutu pembelajaran",
            "Sekolah yang menerapkan kurikulum merdeka",
            "sekolah",
            150,
            400,
        ),
        (
            "Terselenggaranya pembelajaran yang bermutu di satuan pendidikan",
            "Peserta didik yang tuntas belajar",
            "siswa",
            200,
            900,
        ),
        ("Terlaksananya pembelajaran sesuai rencana", "Jam pelajaran tatap muka yang dilaksanakan", "JP", 600, 960),
    ),
    _t(
        ("Meningkatnya kualifikasi dan sertifikasi pendidik", "Persentase guru bersertifikat pendidik", "%", 70, 88),
        ("Terfasilitasinya sertifikasi dan pengembangan guru", "Guru yang mengikuti PPG", "guru", 100, 600),
        (
            "Terlaksananya pengembangan keprofesian guru di sekolah",
            "Guru yang mengikuti pengembangan keprofesian",
            "guru",
            10,
            40,
        ),
        ("Meningkatnya kompetensi pedagogik", "Perangkat pembelajaran yang disusun", "dokumen", 8, 24),
    ),
)
INFRASTRUKTUR = (
    _t(
        ("Meningkatnya kemantapan jalan kota", "Persentase panjang jalan kota dalam kondisi mantap", "%", 70, 85),
        ("Terlaksananya pemeliharaan jalan dan jembatan", "Panjang jalan yang dipelihara", "km", 40, 120),
        ("Terlaksananya pemeliharaan rutin jalan di wilayah seksi", "Panjang jalan yang dipelihara rutin", "km", 8, 30),
        ("Tersusunnya laporan pengawasan pekerjaan jalan", "Laporan pengawasan lapangan", "laporan", 24, 52),
    ),
    _t(
        ("Berkurangnya kawasan tergenang", "Persentase kawasan bebas genangan", "%", 70, 88),
        ("Terlaksananya normalisasi saluran drainase", "Panjang saluran drainase yang dinormalisasi", "km", 10, 40),
        ("Terlaksananya pembersihan saluran di wilayah seksi", "Panjang saluran yang dibersihkan", "km", 2, 10),
        ("Terdokumentasinya kondisi saluran drainase", "Titik saluran yang disurvei", "titik", 40, 150),
    ),
)
KEUANGAN = (
    _t(
        ("Meningkatnya realisasi Pendapatan Asli Daerah", "Persentase realisasi PAD terhadap target", "%", 80, 90),
        ("Terlaksananya intensifikasi pajak daerah", "Wajib pajak yang didata ulang", "wajib pajak", 2000, 8000),
        ("Terlaksananya penagihan pajak daerah", "Surat ketetapan pajak yang diterbitkan", "SKPD", 500, 3000),
        ("Terverifikasinya berkas wajib pajak", "Berkas wajib pajak yang diverifikasi", "berkas", 300, 1200),
    ),
    _t(
        (
            "Terwujudnya pengelolaan keuangan daerah yang akuntabel",
            "Persentase rekomendasi BPK yang ditindaklanjuti",
            "%",
            75,
            90,
        ),
        ("Tersusunnya laporan keuangan tepat waktu", "Laporan keuangan yang disusun", "laporan", 4, 12),
        ("Terlaksananya rekonsiliasi aset dan kas", "Rekonsiliasi yang diselesaikan", "rekonsiliasi", 12, 24),
        ("Terverifikasinya dokumen pencairan", "SPM yang diverifikasi", "dokumen", 500, 2000),
    ),
)
KEWILAYAHAN = (
    _t(
        (
            "Meningkatnya kualitas pelayanan publik di kecamatan",
            "Persentase permohonan layanan selesai tepat waktu",
            "%",
            80,
            90,
        ),
        (
            "Terselenggaranya pelayanan administrasi terpadu kecamatan",
            "Permohonan layanan yang diselesaikan",
            "permohonan",
            1500,
            5000,
        ),
        (
            "Terlayaninya permohonan administrasi kependudukan dan perizinan",
            "Permohonan yang diproses",
            "permohonan",
            400,
            1500,
        ),
        ("Terlayaninya warga di loket pelayanan", "Warga yang dilayani", "warga", 300, 1200),
    ),
    _t(
        ("Meningkatnya ketenteraman dan kebersihan wilayah", "Persentase kelurahan bersih dan tertib", "%", 70, 88),
        (
            "Terkoordinasinya kegiatan kebersihan dan ketertiban",
            "Kegiatan gotong royong yang dikoordinasikan",
            "kegiatan",
            24,
            60,
        ),
        ("Terlaksananya pemantauan kebersihan kelurahan", "Kelurahan yang dipantau", "kelurahan", 5, 12),
        ("Tersusunnya laporan pemantauan lingkungan", "Laporan pemantauan", "laporan", 24, 52),
    ),
)
ADMINISTRASI = (
    _t(
        ("Meningkatnya akuntabilitas kinerja perangkat daerah", "Nilai SAKIP perangkat daerah", "nilai", 65, 80),
        (
            "Tersusunnya dokumen perencanaan dan pelaporan kinerja",
            "Dokumen perencanaan dan laporan kinerja",
            "dokumen",
            4,
            10,
        ),
        ("Terlaksananya evaluasi kinerja program", "Program yang dievaluasi", "program", 6, 20),
        ("Terkompilasinya data capaian kinerja", "Laporan capaian yang dikompilasi", "laporan", 12, 24),
    ),
    _t(
        (
            "Meningkatnya kualitas layanan administrasi perkantoran",
            "Persentase layanan administrasi tepat waktu",
            "%",
            80,
            90,
        ),
        (
            "Terselenggaranya layanan umum dan kepegawaian",
            "Layanan administrasi yang diselesaikan",
            "layanan",
            300,
            1200,
        ),
        ("Terkelolanya persuratan dan kearsipan", "Naskah dinas yang diproses", "naskah", 400, 1500),
        ("Terproses naskah dinas dan arsip", "Naskah dinas yang diagendakan", "naskah", 300, 1200),
    ),
)
KEPEGAWAIAN = (
    _t(
        ("Meningkatnya kualitas manajemen ASN", "Persentase ASN dengan nilai SKP minimal Baik", "%", 80, 90),
        (
            "Terlaksananya pengembangan kompetensi ASN",
            "Persentase ASN yang telah mengikuti pengembangan kompetensi",
            "%",
            60,
            85,
        ),
        ("Terlaksananya penilaian kinerja ASN tepat waktu", "Evaluasi kinerja yang difinalkan", "dokumen", 2000, 8000),
        ("Terverifikasinya data kepegawaian", "Berkas kepegawaian yang diverifikasi", "berkas", 300, 1500),
    ),
    *ADMINISTRASI[1:],
)
SECTOR_THEMES: dict[str, tuple[Theme, ...]] = {
    "kesehatan": KESEHATAN,
    "pendidikan": PENDIDIKAN,
    "infrastruktur": INFRASTRUKTUR,
    "keuangan": KEUANGAN,
    "kewilayahan": KEWILAYAHAN,
    "kepegawaian": KEPEGAWAIAN,
}
"""Sectors with their own themes; every other sector (pemerintahan, pengawasan, perencanaan, ...) works
on the administration themes, with the OPD's name in the head's text."""


def themes_of(sector: str) -> tuple[Theme, ...]:
    return SECTOR_THEMES.get(sector, ADMINISTRASI)


QUALITY = Step("", "Persentase pekerjaan yang sesuai standar operasional prosedur", "%", 80, 90)
"""The second indicator of every RHK: the quality aspect (kualitas), as SKP samples write it."""
