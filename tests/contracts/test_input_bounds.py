"""Every input has a documented bound: in each service's OpenAPI document, every string a client
sends (path, query, header, body) has a maximum length, a bounded pattern or an enumeration, every
list a maximum number of items, and every number a maximum. A new unbounded input fails here."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

SERVICES = ("appraisal", "training", "notification", "reporting")
UNBOUNDED_PATTERN = re.compile(r"[+*]|\{\d*,\}")


def bounded_pattern(pattern: str | None) -> bool:
    if not pattern:
        return False
    return pattern.startswith("^") and pattern.endswith("$") and not UNBOUNDED_PATTERN.search(pattern)


def unbounded(schema: dict[str, Any], spec: dict[str, Any], where: str, seen: frozenset[str]) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return unbounded(spec["components"]["schemas"][name], spec, f"{where}<{name}>", seen | {name})
    found = [
        f
        for key in ("anyOf", "oneOf", "allOf")
        for sub in schema.get(key, [])
        for f in unbounded(sub, spec, where, seen)
    ]
    kind = schema.get("type")
    if kind == "string" and not (
        "maxLength" in schema
        or "enum" in schema
        or "const" in schema
        or schema.get("format") in ("date", "date-time")
        or bounded_pattern(schema.get("pattern"))
    ):
        found.append(f"{where}: string without maxLength")
    if kind == "array":
        if "maxItems" not in schema:
            found.append(f"{where}: array without maxItems")
        found += unbounded(schema.get("items", {}), spec, f"{where}[]", seen)
    if kind in ("integer", "number") and "maximum" not in schema and "exclusiveMaximum" not in schema:
        found.append(f"{where}: number without maximum")
    for name, sub in schema.get("properties", {}).items():
        found += unbounded(sub, spec, f"{where}.{name}", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += unbounded(schema["additionalProperties"], spec, f"{where}.*", seen)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_input_has_a_bound(service: str) -> None:
    spec = importlib.import_module(f"{service}.main").create_app().openapi()
    problems = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                problems += unbounded(parameter.get("schema", {}), spec, f"{where} {parameter['name']}", frozenset())
            for media in operation.get("requestBody", {}).get("content", {}).values():
                problems += unbounded(media.get("schema", {}), spec, f"{where} body", frozenset())
    assert problems == []


def input_models() -> set[str]:
    from shared.inputs import InputModel

    found: set[str] = set()
    pending: list[type] = [InputModel]
    while pending:
        cls = pending.pop()
        found.add(cls.__name__)
        pending += cls.__subclasses__()
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_json_body_refuses_control_characters(service: str) -> None:
    """Every JSON request body is a ``shared.inputs.InputModel``, which refuses control characters."""
    spec = importlib.import_module(f"{service}.main").create_app().openapi()
    models = input_models()
    bodies = [
        (f"{method.upper()} {path}", media["schema"].get("$ref", "").rsplit("/", 1)[-1])
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        for kind, media in operation.get("requestBody", {}).get("content", {}).items()
        if kind == "application/json"
    ]
    assert [(where, name) for where, name in bodies if name not in models] == []
