"""Kafka subscriptions of the appraisal service."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from appraisal.config import Settings


def register(broker: KafkaBroker, settings: Settings) -> None:
    """Every subscription of this service. The appraisal service consumes no event yet: it is the
    source of ``appraisal.*`` events."""
    del broker, settings
