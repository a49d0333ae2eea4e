"""Request and response bodies (every input bounded: ``shared.inputs.InputModel``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import InputModel

Kind = str
KIND_PATTERN = r"^(\*|[a-z_]{1,40}(\.[a-z_]{1,40}){0,2})$"


class InboxItemOut(BaseModel):
    id: str
    kind: str = Field(description="What it is about (README: notification kinds).")
    title: str
    body: str
    link: str = Field(description="The record in the web application.")
    ref: str = Field(description="The record's id (SKP, appraisal, enrolment ...).")
    task: str | None = Field(None, description="The task this message opened, if any (GET /tasks).")
    due: str | None = Field(None, description="The date by which to act, for a task or a reminder.")
    created_at: datetime
    read: bool
    read_at: datetime | None = None


class InboxPage(BaseModel):
    items: list[InboxItemOut]
    total: int
    unread: int
    limit: int
    offset: int


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int
    """Messages this call marked read."""
    remaining: int = 0
    """Messages still unread (a call marks at most 1,000): call again while above 0."""


class TaskOut(BaseModel):
    id: str
    kind: str
    title: str
    body: str
    link: str
    status: Literal["open", "closed"]
    due: str | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    notification_id: str | None = None


class TaskPage(BaseModel):
    items: list[TaskOut]
    total: int
    limit: int
    offset: int


Channel = Literal["email", "push"]


class PreferencesIn(InputModel):
    channels: dict[str, Annotated[list[Channel], Field(max_length=2)]] = Field(
        max_length=50,
        description="Kind -> the channels besides the inbox (email, push); a kind left out keeps its default.",
        json_schema_extra={"propertyNames": {"maxLength": 60}},
    )


class PreferencesOut(BaseModel):
    channels: dict[str, list[str]] = Field(description="Every kind with its channels (inbox always).")


class StreamTicketOut(BaseModel):
    ticket: str
    expires_at: datetime
    url: str = Field(description="Open it with EventSource: GET /api/v1/stream?ticket=...")


class WebhookIn(InputModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="https URL of the receiver.")
    event_types: list[Annotated[str, Field(max_length=60)]] = Field(
        min_length=1, max_length=40, description="Notification kinds to receive ('*': every kind)."
    )
    description: str | None = Field(None, max_length=300)


class WebhookPatch(InputModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=2000)
    event_types: list[Annotated[str, Field(max_length=60)]] | None = Field(None, min_length=1, max_length=40)
    enabled: bool | None = Field(None, description="true re-enables a subscription disabled after failures.")
    description: str | None = Field(None, max_length=300)


class WebhookOut(BaseModel):
    id: str
    owner: str
    url: str
    event_types: list[str]
    description: str | None = None
    enabled: bool
    disabled_reason: str | None = None
    consecutive_failures: int
    secret_rotating_until: datetime | None = Field(
        None, description="Until when the previous secret still signs (both signatures are sent)."
    )
    created_at: datetime
    version: int


class WebhookWithSecret(WebhookOut):
    secret: str = Field(description="whsec_...: shown only in this answer; keep it to verify signatures.")


class WebhookPage(BaseModel):
    items: list[WebhookOut]
    total: int
    limit: int
    offset: int


class DeliveryOut(BaseModel):
    id: str
    notification_id: str
    kind: str
    status: Literal["pending", "sending", "delivered", "failed"]
    attempts: int
    last_error: str | None = None
    next_at: datetime | None = None
    created_at: datetime
    delivered_at: datetime | None = None
    failed_at: datetime | None = None


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    total: int
    limit: int
    offset: int
