"""Pure notification rules: which message, in Bahasa Indonesia, for which event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from shared.events import AppraisalCompletedPayload, Predikat

PREDIKAT_LABELS = MappingProxyType(
    {
        Predikat.SANGAT_BAIK: "Sangat Baik",
        Predikat.BAIK: "Baik",
        Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
        Predikat.KURANG_MISCONDUCT: "Kurang/Misconduct",
        Predikat.SANGAT_KURANG: "Sangat Kurang",
    }
)


@dataclass(frozen=True)
class Message:
    title: str
    body: str


@dataclass(frozen=True)
class InboxItem:
    """A message in one employee's inbox, keyed by the event that caused it (so it is stored once)."""

    item_id: str
    nip: str
    kind: str
    title: str
    body: str
    ref: str
    created_at: datetime


MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}


def describe_period(period: str) -> str:
    """'2026' -> 'tahun 2026'; '2026-S1' -> 'Semester I 2026'; '2026-Q1' -> 'Triwulan I 2026';
    '2026-03' -> 'Maret 2026'."""
    year, _, part = period.partition("-")
    if not part:
        return f"tahun {year}"
    if part.startswith("S"):
        return f"Semester {ROMAN[part[1:]]} {year}"
    if part.startswith("Q"):
        return f"Triwulan {ROMAN[part[1:]]} {year}"
    return f"{MONTHS[int(part) - 1]} {year}"


def appraisal_completed_message(payload: AppraisalCompletedPayload) -> Message:
    label = PREDIKAT_LABELS[payload.predikat]
    period = describe_period(payload.period)
    if payload.revision > 1:
        return Message(
            title=f"Hasil penilaian kinerja {period} direvisi",
            body=f"Hasil penilaian kinerja Anda untuk {period} telah direvisi; predikat Anda sekarang {label}.",
        )
    return Message(
        title=f"Penilaian kinerja {period} telah selesai",
        body=(f"Penilaian kinerja Anda untuk {period} telah ditetapkan oleh pejabat penilai dengan predikat {label}."),
    )
