"""Kafka subscriptions of the notification service."""

from __future__ import annotations

from functools import partial
from typing import Any

from notification import services
from notification.repository import InboxRepository
from shared.consumer import Subscription
from shared.events import AppraisalCompleted, Topic


def subscriptions(inbox: InboxRepository) -> list[Subscription[Any]]:
    """Every subscription of this service (consumer group ``<NOTIFICATION_CONSUMER_GROUP>.<name>``)."""
    return [
        Subscription(
            Topic.APPRAISAL_COMPLETED,
            AppraisalCompleted,
            partial(services.notify_appraisals_completed, inbox=inbox),
        ),
    ]
