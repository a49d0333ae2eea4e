import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.events import AppraisalCompleted, AppraisalCompletedPayload, OutboxRecord, Predikat, RatingLevel, Topic
from shared.logs import correlation_id_var

NIP = "198609262015051001"


def payload(**overrides: object) -> AppraisalCompletedPayload:
    values: dict[str, object] = {
        "appraisal_id": "a-1",
        "nip": NIP,
        "opd_code": "DINKES",
        "period": "2026-Q1",
        "hasil_kerja": RatingLevel.SESUAI_EKSPEKTASI,
        "perilaku_kerja": RatingLevel.SESUAI_EKSPEKTASI,
        "predikat": Predikat.BAIK,
    }
    values.update(overrides)
    return AppraisalCompletedPayload.model_validate(values)


def test_create_fills_the_envelope() -> None:
    token = correlation_id_var.set("corr-1")
    try:
        event = AppraisalCompleted.create(payload(), producer="appraisal")
    finally:
        correlation_id_var.reset(token)
    assert isinstance(event.event_id, uuid.UUID)
    assert event.event_type == "appraisal.completed"
    assert event.schema_version == 1
    assert event.producer == "appraisal"
    assert event.correlation_id == "corr-1"
    assert event.occurred_at.tzinfo is not None
    assert event.key() == NIP.encode()
    assert event.topic is Topic.APPRAISAL_COMPLETED


def test_json_round_trip_and_rfc3339_time() -> None:
    event = AppraisalCompleted.create(payload(), producer="appraisal", occurred_at=datetime(2026, 4, 1, tzinfo=UTC))
    data = event.model_dump(mode="json")
    assert data["occurred_at"] == "2026-04-01T00:00:00Z"
    assert AppraisalCompleted.model_validate(data) == event


def test_unknown_fields_from_a_newer_producer_are_ignored() -> None:
    data = AppraisalCompleted.create(payload(), producer="appraisal").model_dump(mode="json")
    data["payload"]["added_later"] = "x"
    data["added_later"] = 1
    assert AppraisalCompleted.model_validate(data).payload.nip == NIP


def test_payload_rejects_a_bad_nip() -> None:
    with pytest.raises(ValidationError, match="nip"):
        payload(nip="12345")


def test_dlq_topic_name() -> None:
    assert Topic.APPRAISAL_COMPLETED.dlq == "appraisal.completed.v1.dlq"


def test_outbox_record_keeps_topic_key_and_json_value() -> None:
    event = AppraisalCompleted.create(payload(), producer="appraisal")
    record = OutboxRecord.of(event).to_document()
    assert record["topic"] == "appraisal.completed.v1"
    assert record["key"] == NIP
    assert record["event_id"] == str(event.event_id)
    assert AppraisalCompleted.model_validate(record["value"]) == event
