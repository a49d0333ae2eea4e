"""HTTP routes of the reporting service: parse, call one use case, answer."""

from fastapi import APIRouter

from reporting.api import exports, views

router = APIRouter()
for module in (views, exports):
    router.include_router(module.router)
