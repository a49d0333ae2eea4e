"""Kafka subscriptions of the reporting service."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from reporting import services
from reporting.config import Settings
from reporting.repository import AppraisalFacts
from shared.events import AppraisalCompleted, Topic


def register(broker: KafkaBroker, settings: Settings, facts: AppraisalFacts) -> None:
    """Every subscription of this service."""

    @broker.subscriber(
        Topic.APPRAISAL_COMPLETED,
        group_id=f"{settings.consumer_group}.appraisal-completed",
        auto_offset_reset="earliest",
    )
    async def on_appraisal_completed(event: AppraisalCompleted) -> None:
        await services.record_appraisal_completed(event, facts=facts)
