"""Kafka subscriptions of the training service (each idempotent under redelivery and tolerant of any order)."""

from __future__ import annotations

from functools import partial
from typing import Any

from shared.consumer import Subscription
from shared.events import AppraisalCompleted, DevelopmentPlanChanged, LowScoreFlagged, LowScoreWithdrawn, Topic
from training.services import recommendations
from training.services.context import Training

CONSUMES = (
    Topic.APPRAISAL_LOW_SCORE_FLAGGED,
    Topic.APPRAISAL_LOW_SCORE_WITHDRAWN,
    Topic.APPRAISAL_DEVELOPMENT_PLAN_CHANGED,
    Topic.APPRAISAL_COMPLETED,
)


def subscriptions(ctx: Training) -> list[Subscription[Any]]:
    """Every subscription of this service but the roster's (consumer group ``<TRAINING_CONSUMER_GROUP>.<name>``)."""
    return [
        Subscription(
            Topic.APPRAISAL_LOW_SCORE_FLAGGED, LowScoreFlagged, partial(recommendations.on_low_score, ctx=ctx)
        ),
        Subscription(
            Topic.APPRAISAL_LOW_SCORE_WITHDRAWN,
            LowScoreWithdrawn,
            partial(recommendations.on_low_score_withdrawn, ctx=ctx),
        ),
        Subscription(
            Topic.APPRAISAL_DEVELOPMENT_PLAN_CHANGED,
            DevelopmentPlanChanged,
            partial(recommendations.on_development_plan, ctx=ctx),
        ),
        Subscription(
            Topic.APPRAISAL_COMPLETED, AppraisalCompleted, partial(recommendations.on_appraisal_completed, ctx=ctx)
        ),
    ]
