"""Entrypoint: ``create_app(settings)`` builds the reporting service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from reporting import api, handlers
from reporting.config import Settings
from reporting.wiring import wire
from shared.app import ServiceDefinition, create_service_app

DEFINITION = ServiceDefinition(
    name="reporting",
    title="Kinerja ASN: reporting service",
    description="Real-time read models for employees, supervisors, OPD heads and the BKPSDM.",
    routers=[api.router],
    publishes=[],
    consumes=handlers.TOPICS,
    wire=wire,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings or Settings())
