"""Kafka subscriptions of the reporting service."""

from __future__ import annotations

from functools import partial
from typing import Any

from reporting import services
from reporting.repository import AppraisalFacts
from shared.consumer import Subscription
from shared.events import AppraisalCompleted, Topic


def subscriptions(facts: AppraisalFacts) -> list[Subscription[Any]]:
    """Every subscription of this service (consumer group ``<REPORTING_CONSUMER_GROUP>.<name>``)."""
    return [
        Subscription(
            Topic.APPRAISAL_COMPLETED,
            AppraisalCompleted,
            partial(services.record_appraisals_completed, facts=facts),
        ),
    ]
