"""Notification use cases."""

from __future__ import annotations

from notification.domain import appraisal_completed_message
from notification.repository import InboxRepository
from shared.events import AppraisalCompleted


async def notify_appraisal_completed(event: AppraisalCompleted, *, inbox: InboxRepository) -> bool:
    """Put a message in the employee's inbox; idempotent by ``event_id``."""
    message = appraisal_completed_message(event.payload)
    return await inbox.add(
        item_id=str(event.event_id),
        nip=event.payload.nip,
        kind=event.event_type,
        title=message.title,
        body=message.body,
        created_at=event.occurred_at,
        ref=event.payload.appraisal_id,
    )
