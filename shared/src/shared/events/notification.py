"""Events of message delivery (owned by the notification service)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from shared.events.envelope import Event, Payload, Topic, nip_field

Channel = Literal["inbox", "email", "webhook", "push"]


class NotificationRef(Payload):
    """The fields every delivery event carries."""

    notification_id: str = Field(description="Id of the notification in the notification service.")
    nip: str = nip_field("NIP of the recipient (18 digits); the event's Kafka key.")
    channel: Channel = Field(description="The channel: inbox, email, webhook or push.")
    kind: str = Field(description="Event type that caused it, e.g. 'appraisal.completed'.")
    source_event_id: str = Field(description="event_id of the event that caused it.")


class NotificationDeliveredPayload(NotificationRef):
    """Delivered on ``channel``."""


class NotificationDelivered(Event):
    """A notification reached its channel (stored in the inbox, accepted by the mail server, ...)."""

    topic: ClassVar[Topic] = Topic.NOTIFICATION_DELIVERED
    event_type: Literal["notification.delivered"] = "notification.delivered"
    schema_version: Literal[1] = 1
    payload: NotificationDeliveredPayload


class NotificationFailedPayload(NotificationRef):
    error: str = Field(description="Why it failed, e.g. 'SMTP 550 mailbox unavailable'.")
    attempts: int = Field(ge=1, description="Delivery attempts made so far.")
    will_retry: bool = Field(description="Whether the service will try again.")


class NotificationFailed(Event):
    """A notification could not be delivered on a channel."""

    topic: ClassVar[Topic] = Topic.NOTIFICATION_FAILED
    event_type: Literal["notification.failed"] = "notification.failed"
    schema_version: Literal[1] = 1
    payload: NotificationFailedPayload


class NotificationReadPayload(Payload):
    notification_id: str = Field(description="Id of the inbox message in the notification service.")
    nip: str = nip_field("NIP of the recipient (18 digits); the event's Kafka key.")
    kind: str = Field(description="Event type that caused the message, e.g. 'appraisal.completed'.")
    source_event_id: str = Field(description="event_id of the event that caused the message.")
    read_at: dt.datetime = Field(description="When the recipient first marked it read (UTC).")


class NotificationRead(Event):
    """A recipient read an inbox message (the first time it was marked read; never again for it)."""

    topic: ClassVar[Topic] = Topic.NOTIFICATION_READ
    event_type: Literal["notification.read"] = "notification.read"
    schema_version: Literal[1] = 1
    payload: NotificationReadPayload
