"""Kafka subscriptions of the training service."""

from __future__ import annotations

from typing import Any

from shared.consumer import Subscription


def subscriptions() -> list[Subscription[Any]]:
    """Every subscription of this service: none yet (the training issue consumes
    ``appraisal.low_score_flagged.v1``)."""
    return []
