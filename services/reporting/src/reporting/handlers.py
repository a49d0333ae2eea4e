"""Kafka subscriptions of the reporting service: every published event feeds the read models."""

from __future__ import annotations

from functools import partial
from typing import Any

from reporting.domain.facts import FACTS
from reporting.services.apply import apply, apply_people
from reporting.services.context import Reporting
from shared.consumer import Subscription
from shared.events import EmployeeRegistered, EmployeeUpdated

TOPICS = sorted({event.topic for event in FACTS})
"""Every topic the service consumes (the events of ``domain.facts.FACTS``)."""


def subscriptions(ctx: Reporting) -> list[Subscription[Any]]:
    """Every subscription of this service (consumer group ``<REPORTING_CONSUMER_GROUP>.<name>``)."""
    subs: list[Subscription[Any]] = []
    for event_type in sorted(FACTS, key=lambda e: str(e.topic)):
        handler = apply_people if event_type in (EmployeeRegistered, EmployeeUpdated) else apply
        subs.append(Subscription(event_type.topic, event_type, partial(handler, ctx=ctx)))
    return subs
