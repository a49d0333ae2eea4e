from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class InboxItemOut(BaseModel):
    id: str
    kind: str
    title: str
    body: str
    ref: str
    created_at: datetime
    read: bool


class InboxPage(BaseModel):
    items: list[InboxItemOut]
    total: int
    limit: int
    offset: int
