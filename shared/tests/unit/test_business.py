"""Business counters: what each published event adds, with bounded labels only."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry

from shared.business import COUNTERS, BusinessMetrics, opd_label
from shared.events import Topic


def value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    found = registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


def event(**payload: Any) -> dict[str, Any]:
    return {"event_type": "x", "payload": payload}


def test_a_service_has_the_counters_of_the_topics_it_publishes_only() -> None:
    registry = CollectorRegistry()
    metrics = BusinessMetrics(registry, [Topic.TRAINING_COMPLETED])
    metrics.published("training.completed.v1", event(jp_earned=12.5))
    metrics.published("training.completed.v1", event(jp_earned=8))
    metrics.published("appraisal.completed.v1", event(opd_code="DINKES", predikat="baik"))  # not its topic
    assert value(registry, "training_completions_total") == 2
    assert value(registry, "training_jp_earned_total") == 20.5
    assert registry.get_sample_value("appraisals_finalised_total", {"opd": "DINKES", "predikat": "baik"}) is None


def test_an_appraisal_counts_once_when_finalised_and_a_revision_counts_apart() -> None:
    registry = CollectorRegistry()
    metrics = BusinessMetrics(registry, [Topic.APPRAISAL_COMPLETED])
    metrics.published("appraisal.completed.v1", event(opd_code="DINKES", predikat="baik", revision=1))
    metrics.published("appraisal.completed.v1", event(opd_code="DINKES", predikat="sangat_baik", revision=2))
    assert value(registry, "appraisals_finalised_total", opd="DINKES", predikat="baik") == 1
    assert value(registry, "appraisals_finalised_total", opd="DINKES", predikat="sangat_baik") == 0
    assert value(registry, "appraisals_revised_total", opd="DINKES") == 1


def test_label_values_outside_the_contract_are_counted_as_other() -> None:
    registry = CollectorRegistry()
    metrics = BusinessMetrics(registry, [Topic.APPRAISAL_COMPLETED, Topic.NOTIFICATION_FAILED])
    metrics.published("appraisal.completed.v1", event(opd_code="198609262015051001 <script>", predikat="luar biasa"))
    metrics.published("notification.failed.v1", event(channel="fax", will_retry=False))
    assert value(registry, "appraisals_finalised_total", opd="other", predikat="other") == 1
    assert value(registry, "notifications_failed_total", channel="other", final="true") == 1
    assert opd_label("DINKES") == "DINKES"
    assert opd_label("dinkes") == "other"
    assert opd_label(None) == "other"


def test_notifications_by_channel_and_a_negative_jp_adds_nothing() -> None:
    registry = CollectorRegistry()
    metrics = BusinessMetrics(
        registry, [Topic.NOTIFICATION_DELIVERED, Topic.NOTIFICATION_FAILED, Topic.TRAINING_COMPLETED]
    )
    metrics.published("notification.delivered.v1", event(channel="email"))
    metrics.published("notification.failed.v1", event(channel="webhook", will_retry=True))
    metrics.published("training.completed.v1", event(jp_earned=-5))
    metrics.published("training.completed.v1", {"payload": "not a mapping"})
    assert value(registry, "notifications_sent_total", channel="email") == 1
    assert value(registry, "notifications_failed_total", channel="webhook", final="false") == 1
    assert value(registry, "training_jp_earned_total") == 0
    assert value(registry, "training_completions_total") == 1


def test_every_counter_counts_a_published_topic_and_names_are_unique() -> None:
    assert len({c.name for c in COUNTERS}) == len(COUNTERS)
    assert {c.topic for c in COUNTERS} <= set(Topic)
    for counter in COUNTERS:
        assert counter.name.endswith("_total")
        assert all(name not in ("nip", "name", "text") for name, _ in counter.labels)
