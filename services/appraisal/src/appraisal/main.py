"""Entrypoint: ``create_app(settings)`` builds the appraisal service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from appraisal import api
from appraisal.api.employees import MAX_CSV_BYTES
from appraisal.config import Settings
from appraisal.wiring import wire
from shared.app import ServiceDefinition, create_service_app
from shared.events import Topic

DEFINITION = ServiceDefinition(
    name="appraisal",
    title="Kinerja ASN: appraisal service",
    description="Employee registry, SKP, periodic and annual evaluation, predikat (PermenPANRB 6/2022).",
    routers=[api.router],
    publishes=[
        Topic.EMPLOYEE_REGISTERED,
        Topic.EMPLOYEE_UPDATED,
        Topic.PERFORMANCE_YEAR_CONFIGURED,
        Topic.SKP_SUBMITTED,
        Topic.SKP_RETURNED,
        Topic.SKP_APPROVED,
        Topic.APPRAISAL_COMPLETED,
        Topic.APPRAISAL_LOW_SCORE_FLAGGED,
        Topic.APPRAISAL_LOW_SCORE_WITHDRAWN,
        Topic.APPRAISAL_DEVELOPMENT_PLAN_CHANGED,
        Topic.APPRAISAL_OBJECTION_FILED,
        Topic.APPRAISAL_OBJECTION_DECIDED,
        Topic.ORGANISATION_YEAR_UPDATED,
    ],
    consumes=[],
    wire=wire,
    body_limits={
        r"/api/v1/employee-imports": MAX_CSV_BYTES,
        r"/api/v1/skp(/[^/]+(/revisions)?)?": 2 * 1024 * 1024,  # up to 50 RHK of 20 indicators each
    },
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings or Settings())
