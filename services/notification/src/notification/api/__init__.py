"""HTTP routes of the notification service: parse, call one use case, answer."""

from fastapi import APIRouter

from notification.api import inbox, preferences, stream, webhooks

router = APIRouter(prefix="/api/v1")
for module in (inbox, preferences, stream, webhooks):
    router.include_router(module.router)
