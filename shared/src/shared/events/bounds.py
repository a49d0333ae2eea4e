"""The bounds every consumer holds an event to, beyond its JSON Schema.

The schemas (``contracts/schemas``) stay as published: tightening them would be a non-additive change
(``shared.events.schemas``). But an event is hostile input like any other: a producer with a bug, or
anyone who can write to a topic, must not be able to route a message to a group inbox, stop a job with
a date arithmetic cannot hold, or pin a record with a time in the far future. ``problems`` names what
breaks these bounds; ``shared.consumer`` dead-letters such an event at once (reason ``invalid``), before
any handler sees it. The producers' own APIs are stricter than every bound here, so an event they write
always passes.

- ``occurred_at``: from ``EARLIEST`` to ``MAX_CLOCK_SKEW`` after now.
- Every date and time in the payload: from ``EARLIEST`` to ``LATEST``.
- A field ``nip`` or ``*_nip``: a NIP, or ``PPK`` (``APPRAISER_PATTERN``); ``period``: ``PERIOD_PATTERN``;
  ``opd_code``: ``OPD_CODE_PATTERN``; ``year``: ``EARLIEST.year`` to ``LATEST_YEAR``.
- Every string at most ``MAX_TEXT`` characters (the APIs take 2,000), every list at most ``MAX_ITEMS``
  items, every dict key at most ``MAX_KEY`` characters.
- Every number finite; a field whose name holds ``jp`` at most ``MAX_JP``; ``objection_window_days`` at
  most ``MAX_OBJECTION_WINDOW_DAYS`` (the appraisal API's bound).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from shared.events.appraisal import PERIOD_PATTERN
from shared.events.envelope import APPRAISER_PATTERN, Event

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2101, 12, 31)
"""A year up to 2100 (the APIs' bound) has deadlines and windows reaching into the next one."""
LATEST_YEAR = 2100
MAX_CLOCK_SKEW = dt.timedelta(days=1)
MAX_TEXT = 4_000
MAX_ITEMS = 1_000
MAX_KEY = 64
MAX_JP = 1_000.0
MAX_OBJECTION_WINDOW_DAYS = 90
OPD_CODE_PATTERN = r"^[A-Z0-9_-]{2,32}$"

_APPRAISER = re.compile(APPRAISER_PATTERN)
_PERIOD = re.compile(PERIOD_PATTERN)
_OPD_CODE = re.compile(OPD_CODE_PATTERN)
_EARLIEST_TIME = dt.datetime.combine(EARLIEST, dt.time(), dt.UTC)
_LATEST_TIME = dt.datetime.combine(LATEST, dt.time.max, dt.UTC)


class OutOfBounds(ValueError):
    """The event breaks a bound of ``shared.events.bounds``; the message names each."""


def problems(event: Event, now: dt.datetime | None = None) -> list[str]:
    """What in ``event`` breaks the bounds (empty when nothing does), each as ``field: why``."""
    now = now or dt.datetime.now(dt.UTC)
    found = []
    if not _EARLIEST_TIME <= event.occurred_at <= now + MAX_CLOCK_SKEW:
        found.append(f"occurred_at: {event.occurred_at.isoformat()} is before {EARLIEST} or more than a day ahead")
    found += list(_walk("payload", "payload", event.payload))
    return found


def check(event: Event, now: dt.datetime | None = None) -> None:
    """Raise ``OutOfBounds`` naming every problem of ``event``."""
    found = problems(event, now)
    if found:
        raise OutOfBounds("; ".join(found)[:1_000])


def _walk(path: str, name: str, value: Any) -> Iterator[str]:
    if isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from _walk(f"{path}.{field}", field, getattr(value, field))
    elif isinstance(value, list | tuple | set | frozenset):
        if len(value) > MAX_ITEMS:
            yield f"{path}: more than {MAX_ITEMS} items"
            return
        for i, item in enumerate(value):
            yield from _walk(f"{path}[{i}]", name, item)
    elif isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            yield f"{path}: more than {MAX_ITEMS} entries"
            return
        for key, item in value.items():
            if len(str(key)) > MAX_KEY:
                yield f"{path}: a key longer than {MAX_KEY} characters"
            else:
                yield from _walk(f"{path}.{key}", name, item)
    else:
        problem = _scalar(name, value)
        if problem:
            yield f"{path}: {problem}"


def _scalar(name: str, value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return None if _EARLIEST_TIME <= value <= _LATEST_TIME else f"outside {EARLIEST} to {LATEST}"
    if isinstance(value, dt.date):
        return None if EARLIEST <= value <= LATEST else f"outside {EARLIEST} to {LATEST}"
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return f"longer than {MAX_TEXT} characters"
        if (name == "nip" or name.endswith("_nip")) and not _APPRAISER.fullmatch(value):
            return "not a NIP (18 digits) nor PPK"
        if name == "period" and not _PERIOD.fullmatch(value):
            return "not a period (2026, 2026-S1, 2026-Q1, 2026-03)"
        if name == "opd_code" and not _OPD_CODE.fullmatch(value):
            return "not an OPD code"
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return "not a finite number"
        if "jp" in name and value > MAX_JP:
            return f"more than {MAX_JP:g} JP"
        if name == "objection_window_days" and value > MAX_OBJECTION_WINDOW_DAYS:
            return f"more than {MAX_OBJECTION_WINDOW_DAYS} days"
        if name == "year" and not EARLIEST.year <= value <= LATEST_YEAR:
            return f"outside {EARLIEST.year} to {LATEST_YEAR}"
    return None
