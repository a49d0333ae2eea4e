"""Entrypoint: ``create_app(settings)`` builds the training service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from shared import roster
from shared.app import ServiceDefinition, create_service_app
from shared.events import Topic
from training import api, handlers
from training.config import Settings
from training.wiring import wire

DEFINITION = ServiceDefinition(
    name="training",
    title="Kinerja ASN: training service",
    description="Competency-development catalogue, recommendations, enrolment and the yearly 20 JP obligation.",
    routers=[api.router],
    publishes=[
        Topic.TRAINING_RECOMMENDED,
        Topic.TRAINING_ENROLLED,
        Topic.TRAINING_COMPLETED,
        Topic.TRAINING_RECOMMENDATION_WITHDRAWN,
    ],
    consumes=[*handlers.CONSUMES, *roster.TOPICS],
    wire=wire,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings or Settings())
