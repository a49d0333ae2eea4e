"""Kafka subscriptions of the appraisal service."""

from __future__ import annotations

from typing import Any

from shared.consumer import Subscription


def subscriptions() -> list[Subscription[Any]]:
    """Every subscription of this service: none yet, it is the source of the ``appraisal.*`` events."""
    return []
