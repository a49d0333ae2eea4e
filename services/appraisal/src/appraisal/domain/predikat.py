"""Pure appraisal rules: no I/O, no framework imports.

Rules that come from regulation are data with their citation, so a new regulation is a data change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from shared.events import Predikat, RatingLevel

_B, _S, _A = RatingLevel.DI_BAWAH_EKSPEKTASI, RatingLevel.SESUAI_EKSPEKTASI, RatingLevel.DI_ATAS_EKSPEKTASI


@dataclass(frozen=True)
class PredikatMatrix:
    """Predikat kinerja pegawai from (Perilaku Kerja, Hasil Kerja): the 3x3 quadrant."""

    version: str
    citation: str
    cells: Mapping[tuple[RatingLevel, RatingLevel], Predikat]

    def __post_init__(self) -> None:
        missing = [(p, h) for p in RatingLevel for h in RatingLevel if (p, h) not in self.cells]
        if missing:
            raise ValueError(f"predikat matrix {self.version} lacks cells {missing}")

    def predikat(self, *, hasil_kerja: RatingLevel, perilaku_kerja: RatingLevel) -> Predikat:
        return self.cells[(perilaku_kerja, hasil_kerja)]


# Keys are (perilaku_kerja, hasil_kerja).
PREDIKAT_MATRIX_2022 = PredikatMatrix(
    version="permenpanrb-6-2022",
    citation=(
        "PermenPANRB No. 6 Tahun 2022 tentang Pengelolaan Kinerja Pegawai ASN, Lampiran: "
        "kuadran predikat kinerja pegawai (Hasil Kerja x Perilaku Kerja)"
    ),
    cells=MappingProxyType(
        {
            (_A, _B): Predikat.BUTUH_PERBAIKAN,
            (_A, _S): Predikat.BAIK,
            (_A, _A): Predikat.SANGAT_BAIK,
            (_S, _B): Predikat.BUTUH_PERBAIKAN,
            (_S, _S): Predikat.BAIK,
            (_S, _A): Predikat.BAIK,
            (_B, _B): Predikat.SANGAT_KURANG,
            (_B, _S): Predikat.KURANG_MISCONDUCT,
            (_B, _A): Predikat.KURANG_MISCONDUCT,
        }
    ),
)
