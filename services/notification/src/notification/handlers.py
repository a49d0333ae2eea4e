"""Kafka subscriptions of the notification service."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from notification import services
from notification.config import Settings
from notification.repository import InboxRepository
from shared.events import AppraisalCompleted, Topic


def register(broker: KafkaBroker, settings: Settings, inbox: InboxRepository) -> None:
    """Every subscription of this service."""

    @broker.subscriber(
        Topic.APPRAISAL_COMPLETED,
        group_id=f"{settings.consumer_group}.appraisal-completed",
        auto_offset_reset="earliest",
    )
    async def on_appraisal_completed(event: AppraisalCompleted) -> None:
        await services.notify_appraisal_completed(event, inbox=inbox)
