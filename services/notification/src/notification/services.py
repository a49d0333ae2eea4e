"""Notification use cases."""

from __future__ import annotations

from collections.abc import Sequence

from notification.domain import InboxItem, appraisal_completed_message
from notification.repository import InboxRepository
from shared.events import AppraisalCompleted


def inbox_item(event: AppraisalCompleted) -> InboxItem:
    message = appraisal_completed_message(event.payload)
    return InboxItem(
        item_id=str(event.event_id),
        nip=event.payload.nip,
        kind=event.event_type,
        title=message.title,
        body=message.body,
        ref=event.payload.appraisal_id,
        created_at=event.occurred_at,
    )


async def notify_appraisals_completed(events: Sequence[AppraisalCompleted], *, inbox: InboxRepository) -> int:
    """Put a message in each employee's inbox; idempotent by ``event_id``. Returns how many were new."""
    return await inbox.add_many([inbox_item(event) for event in events])
