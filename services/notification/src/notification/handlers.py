"""Kafka subscriptions of the notification service (each idempotent under redelivery, tolerant of any order)."""

from __future__ import annotations

from functools import partial
from typing import Any

from notification.services import notify
from notification.services.context import Notifier
from shared.consumer import Subscription
from shared.events import EVENT_TYPES, Topic

MESSAGE_TOPICS = (
    Topic.SKP_SUBMITTED,
    Topic.SKP_RETURNED,
    Topic.SKP_APPROVED,
    Topic.APPRAISAL_COMPLETED,
    Topic.APPRAISAL_LOW_SCORE_FLAGGED,
    Topic.APPRAISAL_DEVELOPMENT_PLAN_CHANGED,
    Topic.APPRAISAL_OBJECTION_FILED,
    Topic.APPRAISAL_OBJECTION_DECIDED,
    Topic.TRAINING_RECOMMENDED,
    Topic.TRAINING_ENROLLED,
    Topic.TRAINING_COMPLETED,
)
CONSUMES = (*MESSAGE_TOPICS, Topic.PERFORMANCE_YEAR_CONFIGURED)


def subscriptions(ctx: Notifier) -> list[Subscription[Any]]:
    """Every subscription but the roster's (consumer group ``<NOTIFICATION_CONSUMER_GROUP>.<name>``)."""
    return [
        *(Subscription(topic, EVENT_TYPES[topic], partial(notify.on_events, ctx=ctx)) for topic in MESSAGE_TOPICS),
        Subscription(
            Topic.PERFORMANCE_YEAR_CONFIGURED,
            EVENT_TYPES[Topic.PERFORMANCE_YEAR_CONFIGURED],
            partial(notify.on_years, ctx=ctx),
        ),
    ]
