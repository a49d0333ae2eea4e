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


def describe_period(period: str) -> str:
    """'2026' -> 'tahun 2026'; '2026-Q1' -> 'triwulan I 2026'; '2026-03' -> 'bulan 03/2026'."""
    year, _, part = period.partition("-")
    if not part:
        return f"tahun {year}"
    if part.startswith("Q"):
        roman = {"1": "I", "2": "II", "3": "III", "4": "IV"}[part[1:]]
        return f"triwulan {roman} {year}"
    return f"bulan {part}/{year}"


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
