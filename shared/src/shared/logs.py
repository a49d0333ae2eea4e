"""JSON logging with a correlation id carried through HTTP requests and Kafka messages.

One JSON object per line: ``time``, ``level``, ``logger``, ``message``, ``service``, the
``correlation_id`` in scope, the ``event_id`` of the event being handled alone (a consumer trying the
events of a failed batch one by one, a dead letter), the ``trace_id`` and ``span_id`` when tracing is
on, and the extras of the call. NIPs (18 digits) are written ``[NIP]`` and e-mail addresses (an SMTP
error names the recipient) ``[email]`` unless ``LOG_PERSONAL_DATA`` is true (a debugging setting,
never for production): a log is read by more people than the data."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

# The correlation id of the request or message being handled; set by the HTTP middleware and the
# Kafka consumer middleware, read by the log formatter and by event factories.
correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
event_id_var: ContextVar[str | None] = ContextVar("event_id", default=None)
"""The event a consumer is handling on its own (set around it), for the log lines it causes."""
trace_ids_var: ContextVar[tuple[str, str] | None] = ContextVar("trace_ids", default=None)
"""(trace id, span id) of the span in scope, hex, when tracing is on."""
_GAP = r"(?:[ ._-]|%20|\+)?"
NIP = re.compile(rf"(?<![0-9])[0-9]{{8}}{_GAP}[0-9]{{6}}{_GAP}[0-9]{_GAP}[0-9]{{3}}(?![0-9])")
"""An 18-digit NIP, also written in its groups (``19860926 201505 1 001``) or URL-encoded in a query."""
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def redacted(line: str) -> str:
    """``line`` with NIPs written ``[NIP]`` and e-mail addresses ``[email]``."""
    return EMAIL.sub("[email]", NIP.sub("[NIP]", line))


def current_correlation_id() -> str:
    """The correlation id in scope, or a new one when nothing set it."""
    return correlation_id_var.get() or str(uuid.uuid4())


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, service, correlation_id, extras."""

    _reserved = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}

    def __init__(self, service: str, personal_data: bool = False) -> None:
        super().__init__()
        self.service = service
        self.personal_data = personal_data

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
        }
        correlation_id = correlation_id_var.get()
        if correlation_id:
            entry["correlation_id"] = correlation_id
        event_id = event_id_var.get()
        if event_id:
            entry["event_id"] = event_id
        trace = trace_ids_var.get()
        if trace:
            entry["trace_id"], entry["span_id"] = trace
        for key, value in vars(record).items():
            if key not in self._reserved and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        line = json.dumps(entry, default=str, ensure_ascii=False)
        return line if self.personal_data else redacted(line)


class PlainFormatter(logging.Formatter):
    """A line of text (``LOG_JSON=false``, for reading in a terminal), NIPs redacted as in JSON."""

    def __init__(self, fmt: str, personal_data: bool = False) -> None:
        super().__init__(fmt)
        self.personal_data = personal_data

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        return line if self.personal_data else redacted(line)


def configure_logging(service: str, level: str = "INFO", as_json: bool = True, personal_data: bool = False) -> None:
    """Route every logger (uvicorn, faststream, aiokafka, ours) through one stderr handler."""
    handler = logging.StreamHandler(sys.stderr)
    if as_json:
        handler.setFormatter(JsonFormatter(service, personal_data))
    else:
        handler.setFormatter(
            PlainFormatter(f"%(asctime)s %(levelname)s {service} %(name)s: %(message)s", personal_data)
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "faststream", "aiokafka"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
