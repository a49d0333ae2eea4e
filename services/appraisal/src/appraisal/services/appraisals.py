"""Appraisal use cases."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from appraisal.domain import PREDIKAT_MATRIX_2022, PredikatMatrix
from appraisal.repository.appraisals import AppraisalRepository
from appraisal.schemas.appraisals import CompletedAppraisalIn
from shared.events import AppraisalCompleted, AppraisalCompletedPayload
from shared.events.outbox import OUTBOX_FIELDS, with_events
from shared.mongo import MongoDocument

# Ids of appraisals created with an Idempotency-Key are derived from it, so a retried request
# finds the first one instead of creating a second.
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1c3c55-6d0e-4f7a-9a54-2f0a8f6b9a10")


class IdempotencyKeyReusedError(Exception):
    """The Idempotency-Key was already used for a different request."""


@dataclass
class RecordResult:
    document: MongoDocument
    created: bool


async def record_completed_appraisal(
    command: CompletedAppraisalIn,
    *,
    appraiser_nip: str,
    idempotency_key: str | None,
    repository: AppraisalRepository,
    wake_relay: Callable[[], None],
    producer: str,
    matrix: PredikatMatrix = PREDIKAT_MATRIX_2022,
) -> RecordResult:
    """Store a finalised appraisal with its ``appraisal.completed.v1`` event in one write."""
    if idempotency_key:
        appraisal_id = str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{appraiser_nip}:{idempotency_key}"))
    else:
        appraisal_id = str(uuid.uuid4())
    predikat = matrix.predikat(hasil_kerja=command.hasil_kerja, perilaku_kerja=command.perilaku_kerja)
    now = datetime.now(UTC)
    completed_at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # BSON dates hold milliseconds
    event = AppraisalCompleted.create(
        AppraisalCompletedPayload(
            appraisal_id=appraisal_id,
            revision=1,
            nip=command.nip,
            opd_code=command.opd_code,
            period=command.period,
            hasil_kerja=command.hasil_kerja,
            perilaku_kerja=command.perilaku_kerja,
            predikat=predikat,
            pejabat_penilai_nip=appraiser_nip,
        ),
        producer=producer,
        occurred_at=completed_at,
    )
    document: MongoDocument = with_events(
        {
            "_id": appraisal_id,
            "revision": 1,
            "nip": command.nip,
            "opd_code": command.opd_code,
            "period": command.period,
            "hasil_kerja": command.hasil_kerja.value,
            "perilaku_kerja": command.perilaku_kerja.value,
            "predikat": predikat.value,
            "predikat_rule": matrix.version,
            "pejabat_penilai_nip": appraiser_nip,
            "completed_at": completed_at,
        },
        event,
        now=completed_at,
    )
    created = await repository.insert(document)
    if created:
        wake_relay()
        return RecordResult({k: v for k, v in document.items() if k not in OUTBOX_FIELDS}, created=True)
    existing = await repository.get(appraisal_id)
    if existing is None or any(
        existing[field] != document[field] for field in ("nip", "period", "hasil_kerja", "perilaku_kerja")
    ):
        raise IdempotencyKeyReusedError(idempotency_key or "")
    return RecordResult(existing, created=False)
