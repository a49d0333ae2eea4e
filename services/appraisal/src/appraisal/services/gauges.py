"""Business gauges read from the appraisal database (``shared.business`` counts the events): the open
development plans per OPD and status, and how many of them are past their due date."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge

from appraisal.domain.followup import plan_figures
from appraisal.repository.evaluations import EvaluationRepository
from shared.business import opd_label
from shared.clock import Clock


class PlanGauges:
    def __init__(self, registry: CollectorRegistry, evaluations: EvaluationRepository, clock: Clock) -> None:
        self.evaluations = evaluations
        self.clock = clock
        labels = ["opd", "status"]
        self.open = Gauge("development_plans_open", "Development plans still open", labels, registry=registry)
        self.overdue = Gauge(
            "development_plans_overdue", "Open development plans past their due date", labels, registry=registry
        )

    async def refresh(self) -> None:
        figures = plan_figures(await self.evaluations.open_plans(), self.clock.today())
        self.open.clear()
        self.overdue.clear()
        for (opd, status), (count, late) in figures.items():
            self.open.labels(opd_label(opd), status).inc(count)
            self.overdue.labels(opd_label(opd), status).inc(late)
