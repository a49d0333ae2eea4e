"""The envelope every event carries, topic names, and the shared vocabulary of the payloads.

Rules (see docs/integration.md):
- topic ``<aggregate>.<event>.v<major>``; dead letters on ``<topic>.dlq``;
- key: the NIP of the employee concerned, so one employee's events keep their order;
- value: JSON with ``event_id``, ``event_type``, ``schema_version``, ``occurred_at`` (UTC),
  ``producer``, ``correlation_id`` and ``payload``;
- within a major version a change is additive only (new optional fields); consumers ignore fields
  they do not know.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.logs import current_correlation_id

NIP_PATTERN = r"^[0-9]{18}$"
PPK = "PPK"
"""Names the PPK (Pejabat Pembina Kepegawaian: the Wali Kota, an elected official with no NIP) where a
NIP of an appraiser would be: the registry's appraiser links, the events' ``pejabat_penilai_nip`` /
``atasan_pejabat_penilai_nip``, and the subject of the PPK's token (``shared.auth``)."""
APPRAISER_PATTERN = r"^([0-9]{18}|PPK)$"
"""An appraiser: a NIP, or the PPK."""


class Topic(StrEnum):
    EMPLOYEE_REGISTERED = "employee.registered.v1"
    EMPLOYEE_UPDATED = "employee.updated.v1"
    PERFORMANCE_YEAR_CONFIGURED = "performance_year.configured.v1"
    SKP_SUBMITTED = "skp.submitted.v1"
    SKP_RETURNED = "skp.returned.v1"
    SKP_APPROVED = "skp.approved.v1"
    APPRAISAL_COMPLETED = "appraisal.completed.v1"
    APPRAISAL_LOW_SCORE_FLAGGED = "appraisal.low_score_flagged.v1"
    APPRAISAL_LOW_SCORE_WITHDRAWN = "appraisal.low_score_withdrawn.v1"
    APPRAISAL_DEVELOPMENT_PLAN_CHANGED = "appraisal.development_plan_changed.v1"
    APPRAISAL_OBJECTION_FILED = "appraisal.objection_filed.v1"
    APPRAISAL_OBJECTION_DECIDED = "appraisal.objection_decided.v1"
    TRAINING_RECOMMENDED = "training.recommended.v1"
    TRAINING_ENROLLED = "training.enrolled.v1"
    TRAINING_COMPLETED = "training.completed.v1"
    TRAINING_RECOMMENDATION_WITHDRAWN = "training.recommendation_withdrawn.v1"
    NOTIFICATION_DELIVERED = "notification.delivered.v1"
    NOTIFICATION_FAILED = "notification.failed.v1"
    NOTIFICATION_READ = "notification.read.v1"
    ORGANISATION_YEAR_UPDATED = "organisation.year_updated.v1"

    @property
    def dlq(self) -> str:
        return f"{self.value}.dlq"


class Payload(BaseModel):
    """Base of every payload: unknown fields (added by a newer producer) are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Event(BaseModel):
    """The envelope; each event subclass fixes ``event_type``, ``schema_version`` and the payload type."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    topic: ClassVar[Topic]

    event_id: uuid.UUID = Field(description="Unique id of this event; consumers deduplicate on it.")
    event_type: str = Field(description="Past-tense name of what happened, e.g. 'appraisal.completed'.")
    schema_version: int = Field(description="Major version of the payload schema (the topic's vN).")
    occurred_at: AwareDatetime = Field(description="When it happened, UTC, RFC 3339.")
    producer: str = Field(description="Name of the service that produced the event.")
    correlation_id: str = Field(description="Id of the request or message that caused the event.")
    payload: Any

    @classmethod
    def create(cls, payload: BaseModel, *, producer: str, occurred_at: datetime | None = None) -> Self:
        return cls(
            event_id=uuid.uuid4(),
            event_type=cls.model_fields["event_type"].default,
            schema_version=cls.model_fields["schema_version"].default,
            occurred_at=occurred_at or datetime.now(UTC),
            producer=producer,
            correlation_id=current_correlation_id(),
            payload=payload,
        )

    def key(self) -> bytes:
        """The Kafka key: the NIP of the employee concerned."""
        nip: str = self.payload.nip
        return nip.encode()


# ---------------------------------------------------------------- shared vocabulary


class RatingLevel(StrEnum):
    """Rating of Hasil Kerja, Perilaku Kerja, an RHK or a BerAKHLAK value (PermenPANRB 6/2022)."""

    DI_BAWAH_EKSPEKTASI = "di_bawah_ekspektasi"
    SESUAI_EKSPEKTASI = "sesuai_ekspektasi"
    DI_ATAS_EKSPEKTASI = "di_atas_ekspektasi"


class Predikat(StrEnum):
    """Predikat kinerja pegawai (PermenPANRB 6/2022)."""

    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG_MISCONDUCT = "kurang_misconduct"
    SANGAT_KURANG = "sangat_kurang"


class OrgPredikat(StrEnum):
    """Predikat kinerja organisasi (PermenPANRB 6/2022): the OPD's own result, which sets the curve its
    employees' predikat are held against."""

    ISTIMEWA = "istimewa"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"


class EmployeeType(StrEnum):
    PNS = "PNS"
    PPPK = "PPPK"


class PositionType(StrEnum):
    """Jenis jabatan."""

    JPT = "JPT"
    ADMINISTRATOR = "ADMINISTRATOR"
    PENGAWAS = "PENGAWAS"
    PELAKSANA = "PELAKSANA"
    JF = "JF"


class Aspect(StrEnum):
    """Aspect of an individual performance indicator (IKI)."""

    KUANTITAS = "kuantitas"
    KUALITAS = "kualitas"
    WAKTU = "waktu"
    BIAYA = "biaya"


class BerAkhlakValue(StrEnum):
    """The seven ASN core values (SE MenPANRB 20/2021)."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan"
    AKUNTABEL = "akuntabel"
    KOMPETEN = "kompeten"
    HARMONIS = "harmonis"
    LOYAL = "loyal"
    ADAPTIF = "adaptif"
    KOLABORATIF = "kolaboratif"


def nip_field(description: str = "NIP of the employee concerned (18 digits); the event's Kafka key.") -> Any:
    return Field(pattern=NIP_PATTERN, description=description)
