"""What every use case of the notification service works with."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment

from notification.config import Settings
from notification.repository.deliveries import Deliveries
from notification.repository.inbox import Inbox
from notification.repository.people import People
from notification.repository.tracking import Tracking
from notification.repository.webhooks import Webhooks

PRODUCER = "notification"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Pulse:
    """Wakes whoever waits (the delivery worker, open live streams) when something new was stored."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout_s: float) -> None:
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout=timeout_s)
        except TimeoutError:
            return


@dataclass
class Notifier:
    settings: Settings
    people: People
    inbox: Inbox
    deliveries: Deliveries
    webhooks: Webhooks
    tracking: Tracking
    templates: Environment
    wake_relay: Callable[[str, Any], None] = lambda collection, document_id: None
    new_messages: Pulse = field(default_factory=Pulse)
    new_deliveries: Pulse = field(default_factory=Pulse)

    @property
    def email_enabled(self) -> bool:
        return bool(self.settings.smtp_host)
