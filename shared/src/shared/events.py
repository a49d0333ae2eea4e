"""Event contracts: the common envelope, topic names and the payload of each event.

Rules (see the README's event catalogue):
- topic ``<aggregate>.<event>.v<major>``; dead letters on ``<topic>.dlq``;
- key: the NIP of the employee concerned, so one employee's events keep their order;
- value: JSON with ``event_id``, ``event_type``, ``schema_version``, ``occurred_at`` (UTC),
  ``producer``, ``correlation_id`` and ``payload``;
- within a major version a change is additive only (new optional fields).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.logs import current_correlation_id

NIP_PATTERN = r"^\d{18}$"


class Topic(StrEnum):
    APPRAISAL_COMPLETED = "appraisal.completed.v1"

    @property
    def dlq(self) -> str:
        return f"{self.value}.dlq"


class RatingLevel(StrEnum):
    """Rating of Hasil Kerja or Perilaku Kerja (PermenPANRB 6/2022)."""

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


class Event(BaseModel):
    """The envelope every event carries; subclasses fix ``event_type`` and the payload type."""

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


class AppraisalCompletedPayload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    appraisal_id: str = Field(description="Id of the appraisal in the appraisal service.")
    revision: int = Field(1, ge=1, description="1 when first completed; higher when an objection changed the result.")
    nip: str = Field(pattern=NIP_PATTERN, description="NIP of the employee appraised (18 digits).")
    opd_code: str = Field(description="Code of the employee's OPD (agency).")
    period: str = Field(description="Evaluation period, e.g. '2026-Q1', '2026-03' or '2026' (annual).")
    hasil_kerja: RatingLevel = Field(description="Rating of work results.")
    perilaku_kerja: RatingLevel = Field(description="Rating of work behaviour (BerAKHLAK).")
    predikat: Predikat = Field(description="Predikat from the 3x3 matrix of PermenPANRB 6/2022.")
    pejabat_penilai_nip: str | None = Field(None, description="NIP of the appraiser.")


class AppraisalCompleted(Event):
    """An appraisal (periodic or annual) was finalised by the pejabat penilai."""

    topic: ClassVar[Topic] = Topic.APPRAISAL_COMPLETED
    event_type: Literal["appraisal.completed"] = "appraisal.completed"
    schema_version: Literal[1] = 1
    payload: AppraisalCompletedPayload


EVENT_TYPES: dict[Topic, type[Event]] = {Topic.APPRAISAL_COMPLETED: AppraisalCompleted}


@dataclass(frozen=True)
class OutboxRecord:
    """An event waiting in its producing document's ``outbox`` array until the relay publishes it."""

    event_id: str
    topic: str
    key: str
    value: dict[str, Any]

    @classmethod
    def of(cls, event: Event) -> Self:
        return cls(
            event_id=str(event.event_id),
            topic=event.topic.value,
            key=event.key().decode(),
            value=event.model_dump(mode="json"),
        )

    def to_document(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "topic": self.topic, "key": self.key, "value": self.value}
