"""Business counters, counted where the events leave a service: the outbox relay counts each event it
published (``shared.outbox``), so a service's ``/metrics`` shows what it did (appraisals finalised,
low scores flagged, recommendations, enrolments, JP earned, notifications sent and failed), summed
across replicas with ``sum by (...)``. An event published twice (a relay crash between publish and
removal) is counted twice: rare, and the read models (reporting) hold the exact figures.

Label values are bounded by the contracts: an OPD code (``^[A-Z0-9_-]{2,32}$``, one per agency of the
registry), an enum (predikat, reason, channel, employee type) or a plan status. Never a NIP, never text.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, get_args

from prometheus_client import CollectorRegistry, Counter

from shared.events import Predikat, Topic
from shared.events.notification import Channel
from shared.events.training import TrainingRecommendedPayload

logger = logging.getLogger(__name__)

GAUGE_REFRESH_S = 60.0
"""How often a service refreshes the business gauges it reads from its database."""
OPD_LABEL = re.compile(r"^[A-Z0-9_-]{2,32}$")
OTHER = "other"
"""A label value that is not what the contract promises (never expected) is counted under this one."""


def opd_label(value: object) -> str:
    """An OPD code as a label value (``other`` where it is not one)."""
    text = str(value or "")
    return text if OPD_LABEL.fullmatch(text) else OTHER


def _opd(payload: Mapping[str, Any]) -> str:
    return opd_label(payload.get("opd_code"))


def _one_of(field: str, allowed: Iterable[str]) -> Callable[[Mapping[str, Any]], str]:
    known = frozenset(allowed)

    def value_of(payload: Mapping[str, Any]) -> str:
        value = str(payload.get(field) or "")
        return value if value in known else OTHER

    return value_of


@dataclass(frozen=True)
class BusinessCounter:
    name: str
    help: str
    topic: Topic
    labels: tuple[tuple[str, Callable[[Mapping[str, Any]], str]], ...] = ()
    amount: Callable[[Mapping[str, Any]], float] = lambda _: 1.0
    counts: Callable[[Mapping[str, Any]], bool] = lambda _: True
    """Whether an event of ``topic`` counts (e.g. only an appraisal's first finalisation)."""


PREDIKAT = tuple(p.value for p in Predikat)
CHANNELS: tuple[str, ...] = get_args(Channel)
REASONS: tuple[str, ...] = get_args(TrainingRecommendedPayload.model_fields["reason"].annotation)

COUNTERS: tuple[BusinessCounter, ...] = (
    BusinessCounter(
        "appraisals_finalised_total",
        "Appraisals finalised (first finalisation; a revision after an objection is not counted again)",
        Topic.APPRAISAL_COMPLETED,
        (("opd", _opd), ("predikat", _one_of("predikat", PREDIKAT))),
        counts=lambda p: int(p.get("revision") or 1) == 1,
    ),
    BusinessCounter(
        "appraisals_revised_total",
        "Appraisals revised after their finalisation (an objection upheld)",
        Topic.APPRAISAL_COMPLETED,
        (("opd", _opd),),
        counts=lambda p: int(p.get("revision") or 1) > 1,
    ),
    BusinessCounter(
        "low_scores_flagged_total", "Low results flagged", Topic.APPRAISAL_LOW_SCORE_FLAGGED, (("opd", _opd),)
    ),
    BusinessCounter(
        "development_plans_changed_total",
        "Development plan changes, by the status they reached",
        Topic.APPRAISAL_DEVELOPMENT_PLAN_CHANGED,
        (("opd", _opd), ("status", _one_of("status", ("awaiting_input", "active", "withdrawn")))),
    ),
    BusinessCounter("objections_filed_total", "Objections filed", Topic.APPRAISAL_OBJECTION_FILED, (("opd", _opd),)),
    BusinessCounter(
        "training_recommendations_total",
        "Development recommendations made",
        Topic.TRAINING_RECOMMENDED,
        (("reason", _one_of("reason", REASONS)),),
    ),
    BusinessCounter("training_enrolments_total", "Enrolments in a programme", Topic.TRAINING_ENROLLED),
    BusinessCounter("training_completions_total", "Programmes completed", Topic.TRAINING_COMPLETED),
    BusinessCounter(
        "training_jp_earned_total",
        "Jam pelajaran credited by completions",
        Topic.TRAINING_COMPLETED,
        amount=lambda p: max(float(p.get("jp_earned") or 0.0), 0.0),
    ),
    BusinessCounter(
        "notifications_sent_total",
        "Notifications delivered, by channel",
        Topic.NOTIFICATION_DELIVERED,
        (("channel", _one_of("channel", CHANNELS)),),
    ),
    BusinessCounter(
        "notifications_failed_total",
        "Notification delivery attempts that failed, by channel and whether it is tried again",
        Topic.NOTIFICATION_FAILED,
        (("channel", _one_of("channel", CHANNELS)), ("final", lambda p: "false" if p.get("will_retry") else "true")),
    ),
)
"""Every business counter, by the topic whose events it counts (a service has those of the topics it publishes)."""


class BusinessMetrics:
    """The counters of the topics a service publishes, in its registry."""

    def __init__(self, registry: CollectorRegistry, publishes: Iterable[Topic]) -> None:
        topics = {str(t) for t in publishes}
        self._by_topic: dict[str, list[tuple[BusinessCounter, Counter]]] = {}
        for spec in COUNTERS:
            if str(spec.topic) in topics:
                counter = Counter(spec.name, spec.help, [name for name, _ in spec.labels], registry=registry)
                self._by_topic.setdefault(str(spec.topic), []).append((spec, counter))

    def published(self, topic: str, event: Mapping[str, Any]) -> None:
        """Count one published event (its JSON form: ``payload`` holds the fields)."""
        payload = event.get("payload")
        if not isinstance(payload, Mapping):
            return
        for spec, counter in self._by_topic.get(topic, []):
            if not spec.counts(payload):
                continue
            if spec.labels:
                counter.labels(*(value_of(payload) for _, value_of in spec.labels)).inc(spec.amount(payload))
            else:
                counter.inc(spec.amount(payload))


async def refresh_every(interval_s: float, refresh: Callable[[], Awaitable[None]]) -> None:
    """A background job: ``refresh`` (gauges read from the service's database) now and every
    ``interval_s``; a failed refresh is logged, the gauges keep their last values until the next one."""
    while True:
        try:
            await refresh()
        except asyncio.CancelledError:
            raise
        except Exception:  # the database is away: the next refresh tries again
            logger.warning("business gauges could not be refreshed", exc_info=True)
        await asyncio.sleep(interval_s)
