"""JSON Schema snapshots of the event contracts, and the rule that keeps a major version additive.

    python -m shared.events.schemas write contracts/schemas   # after an additive change
    python -m shared.events.schemas check contracts/schemas   # fails on a non-additive change

A change is additive when every consumer written against the old schema still accepts what a
producer writes under the new one: no property removed, no property's schema changed, no property
made required or newly required, no enum value added or removed (consumers validate enums). Adding
an optional property (or a new definition) is additive. Text (``description``, ``title``,
``examples``) may change freely. Anything else needs a new topic ``.v2``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shared.events import EVENT_TYPES
from shared.events.envelope import Event

TEXT_KEYS = frozenset({"description", "title", "examples"})


def event_schema(event: type[Event]) -> dict[str, Any]:
    return event.model_json_schema(mode="validation")


def current_schemas() -> dict[str, dict[str, Any]]:
    return {topic.value: event_schema(event) for topic, event in EVENT_TYPES.items()}


def _strip_text(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _strip_text(v) for k, v in schema.items() if k not in TEXT_KEYS}
    if isinstance(schema, list):
        return [_strip_text(v) for v in schema]
    return schema


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What in ``new`` would break a consumer of ``old``; empty when the change is additive."""
    problems = _compare_object("", old, new)
    old_defs, new_defs = old.get("$defs", {}), new.get("$defs", {})
    for name, old_def in old_defs.items():
        if name not in new_defs:
            problems.append(f"$defs/{name}: definition removed")
        else:
            problems.extend(_compare_object(f"$defs/{name}", old_def, new_defs[name]))
    return problems


def _compare_object(where: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        path = f"{where}/{name}" if where else name
        if name not in new_props:
            problems.append(f"{path}: property removed")
        elif _strip_text(old_prop) != _strip_text(new_props[name]):
            problems.append(f"{path}: schema changed")
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted(new_required - old_required):
        problems.append(f"{where}/{name}: newly required" if where else f"{name}: newly required")
    for name in sorted(old_required - new_required):
        if name in new_props:
            problems.append(f"{where}/{name}: no longer required" if where else f"{name}: no longer required")
    if "properties" not in old and _strip_text(old) != _strip_text(new):
        problems.append(f"{where or '(root)'}: schema changed")
    return problems


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for topic, schema in current_schemas().items():
        path = directory / f"{topic}.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        written.append(path)
    return written


def check(directory: Path) -> list[str]:
    """Breaking changes against the snapshots, plus topics that have no snapshot yet."""
    problems = []
    for topic, schema in current_schemas().items():
        path = directory / f"{topic}.json"
        if not path.exists():
            problems.append(f"{topic}: no snapshot (run: python -m shared.events.schemas write {directory})")
            continue
        snapshot = json.loads(path.read_text())
        problems.extend(f"{topic}: {problem}" for problem in breaking_changes(snapshot, schema))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Event schema snapshots.")
    parser.add_argument("command", choices=["write", "check"])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    if args.command == "write":
        for path in write(args.directory):
            print(path)
        return 0
    problems = check(args.directory)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
