"""HTTP routes of the appraisal service: parse, call one use case, map errors."""

from fastapi import APIRouter

from appraisal.api import appraisals, employees, evaluations, organisation, planning

router = APIRouter(prefix="/api/v1")
for module in (employees, planning, evaluations, appraisals, organisation):
    router.include_router(module.router)
