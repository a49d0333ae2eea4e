"""How an event waits in its producing document until the outbox relay publishes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from shared.events.envelope import Event
from shared.tracing import current_traceparent

OUTBOX_FIELDS = ("outbox", "outbox_since", "outbox_failed")
"""Fields the outbox adds to a producing document; project them out when reading the state."""


@dataclass(frozen=True)
class OutboxRecord:
    """An event in a document's ``outbox`` array."""

    event_id: str
    topic: str
    key: str
    value: dict[str, Any]
    traceparent: str | None = None
    """The span in scope when the event was written (``shared.tracing``): the relay publishes under it."""

    @classmethod
    def of(cls, event: Event) -> Self:
        return cls(
            event_id=str(event.event_id),
            topic=event.topic.value,
            key=event.key().decode(),
            value=event.model_dump(mode="json"),
            traceparent=current_traceparent(),
        )

    def to_document(self) -> dict[str, Any]:
        document = {"event_id": self.event_id, "topic": self.topic, "key": self.key, "value": self.value}
        if self.traceparent:
            document["traceparent"] = self.traceparent
        return document


def with_events(document: dict[str, Any], *events: Event, now: datetime | None = None) -> dict[str, Any]:
    """A new document carrying ``events`` in its outbox: insert it and the events go out with it."""
    return {
        **document,
        "outbox": [OutboxRecord.of(event).to_document() for event in events],
        "outbox_since": now or datetime.now(UTC),
    }


def push_events(*events: Event, now: datetime | None = None) -> dict[str, Any]:
    """Update operators that add ``events`` to an existing document's outbox; merge them into the
    update of the state change so both happen in one write."""
    return {
        "$push": {"outbox": {"$each": [OutboxRecord.of(event).to_document() for event in events]}},
        "$min": {"outbox_since": now or datetime.now(UTC)},
    }
