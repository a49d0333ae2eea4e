"""Kafka subscriptions of the training service."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from training.config import Settings


def register(broker: KafkaBroker, settings: Settings) -> None:
    """Every subscription of this service. None yet: the training issue subscribes to
    ``appraisal.low_score_flagged.v1``."""
    del broker, settings
