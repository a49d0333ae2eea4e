"""AsyncAPI 3.0 documents built from the event contracts: what a service publishes and consumes.

Served by every service at ``GET /asyncapi.json``; generated from the same models the code uses,
so the document cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.events import EVENT_TYPES, Topic


def _message_name(topic: Topic) -> str:
    return EVENT_TYPES[topic].__name__


def asyncapi_document(
    *, service: str, title: str, version: str, description: str, publishes: Iterable[Topic], consumes: Iterable[Topic]
) -> dict[str, Any]:
    publishes, consumes = list(publishes), list(consumes)
    topics = sorted(set(publishes) | set(consumes))
    models: list[tuple[type[BaseModel], Literal["validation"]]] = [
        (EVENT_TYPES[topic], "validation") for topic in topics
    ]
    keys, schema = models_json_schema(models, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = dict(schema.get("$defs", {}))
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in topics:
        event = EVENT_TYPES[topic]
        name = _message_name(topic)
        channels[name] = {
            "address": topic.value,
            "description": (event.__doc__ or "").strip(),
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        messages[name] = {
            "name": event.model_fields["event_type"].default,
            "title": name,
            "summary": (event.__doc__ or "").strip().splitlines()[0],
            "contentType": "application/json",
            "payload": keys[(event, "validation")],
            "bindings": {
                "kafka": {
                    "key": {"type": "string", "pattern": r"^[0-9]{18}$", "description": "NIP of the employee"},
                    "bindingVersion": "0.5.0",
                }
            },
        }
    operations: dict[str, Any] = {}
    for topic in publishes:
        name = _message_name(topic)
        operations[f"publish{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": f"{service} publishes {topic.value} (transactional outbox, idempotent producer)",
        }
    for topic in consumes:
        name = _message_name(topic)
        operations[f"consume{name}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": f"{service} consumes {topic.value} (at-least-once, idempotent; failures to {topic.dlq})",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": version, "description": description},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
