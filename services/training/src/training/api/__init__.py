"""HTTP routes of the training service: parse, call one use case, answer."""

from fastapi import APIRouter

from training.api import catalogue, ledger, recommendations, rules

router = APIRouter(prefix="/api/v1")
for module in (rules, catalogue, recommendations, ledger):
    router.include_router(module.router)
