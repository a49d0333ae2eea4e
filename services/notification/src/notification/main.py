"""Entrypoint: ``create_app(settings)`` builds the notification service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from notification import api, handlers
from notification.config import Settings
from notification.wiring import wire
from shared import roster
from shared.app import ServiceDefinition, create_service_app
from shared.events import Topic

DEFINITION = ServiceDefinition(
    name="notification",
    title="Kinerja ASN: notification service",
    description="Tells the right people at the right time: inbox and tasks, email, webhooks (Standard Webhooks), "
    "live push (Server-Sent Events), in Bahasa Indonesia.",
    routers=[api.router],
    publishes=[Topic.NOTIFICATION_DELIVERED, Topic.NOTIFICATION_FAILED, Topic.NOTIFICATION_READ],
    consumes=[*handlers.CONSUMES, *roster.TOPICS],
    wire=wire,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings or Settings())
