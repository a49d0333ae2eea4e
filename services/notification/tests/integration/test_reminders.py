"""The reminder job on the real Mongo-wire server: a reminder goes to whoever must act, a few days before
the deadline, once per person and deadline however often the job runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from pymongo import AsyncMongoClient

from notification.config import Settings
from notification.domain.messages import environment
from notification.repository.deliveries import Deliveries
from notification.repository.inbox import Inbox
from notification.repository.people import People
from notification.repository.tracking import Tracking
from notification.repository.webhooks import Webhooks
from notification.services import notify
from notification.services.context import Notifier
from notification.services.reminders import remind
from shared.events import (
    AppraisalCompleted,
    AppraisalCompletedPayload,
    EmployeeRegistered,
    EmployeeSnapshot,
    EmployeeType,
    PerformanceYearConfigured,
    PerformanceYearConfiguredPayload,
    PositionType,
    SkpSubmitted,
    SkpSubmittedPayload,
)
from shared.mongo import MongoDocument

pytestmark = pytest.mark.infra


@pytest.fixture
async def ctx(mongo_client: AsyncMongoClient[MongoDocument], unique: str) -> Notifier:
    """The service's context on a database of its own (no consumer, no HTTP: the job's functions are called)."""
    db = mongo_client[f"test_{unique}"]
    made = Notifier(
        settings=Settings(reminder_lead_days=3),
        people=People(db),
        inbox=Inbox(db),
        deliveries=Deliveries(db),
        webhooks=Webhooks(db),
        tracking=Tracking(db),
        templates=environment(),
    )
    for repository in (made.people, made.inbox, made.deliveries, made.webhooks, made.tracking):
        await repository.ensure_indexes()
    return made


async def register(ctx: Notifier, *people: tuple[str, str, str | None]) -> None:
    """(NIP, name, pejabat penilai's NIP) of DINKES employees, into the service's copy of the registry."""
    await ctx.people.apply(
        [
            EmployeeRegistered.create(
                EmployeeSnapshot(
                    nip=nip,
                    name=name,
                    employee_type=EmployeeType.PNS,
                    position_type=PositionType.JF,
                    opd_code="DINKES",
                    pejabat_penilai_nip=boss,
                    version=1,
                ),
                producer="test",
            )
            for nip, name, boss in people
        ]
    )


async def test_reminders_go_once_to_whoever_must_act(ctx: Notifier, new_nip: Callable[[], str]) -> None:
    appraiser, waiting, late = new_nip(), new_nip(), new_nip()
    await register(ctx, (appraiser, "Budi", "PPK"), (waiting, "Ani", appraiser), (late, "Cici", appraiser))
    year = PerformanceYearConfiguredPayload(
        year=2035,
        frequency="quarterly",
        periods=["2035-Q1", "2035"],
        skp_due=dt.date(2035, 3, 5),
        evaluation_due={"2035-Q1": dt.date(2035, 4, 10)},
        objection_window_days=14,
        distribution_enforcement="warning",
        version=1,
    )
    await notify.on_years([PerformanceYearConfigured.create(year, producer="test")], ctx=ctx)
    submitted = SkpSubmitted.create(
        SkpSubmittedPayload(skp_id="s-1", nip=waiting, year=2035, opd_code="DINKES", pejabat_penilai_nip=appraiser),
        producer="test",
    )
    await notify.on_events([submitted], ctx=ctx)  # the appraiser's task; Cici has no SKP yet

    # A stored year the rules cannot read (written before a bound, or by hand) is logged and skipped: the
    # other years' reminders, the plans' and the JP's still go out.
    await ctx.tracking.years.insert_one({"_id": 2036, "skp_due": "31 Januari", "version": 1})
    assert await remind(ctx, dt.date(2035, 3, 1)) == 0  # too early
    assert await remind(ctx, dt.date(2035, 3, 3)) == 3  # Cici and Budi must submit, Budi must approve Ani's
    assert await remind(ctx, dt.date(2035, 3, 4)) == 0  # once per person and deadline
    mine, _ = await ctx.inbox.page([late], unread_only=False, limit=10, offset=0)
    assert [(m["kind"], m["due"]) for m in mine] == [("reminder.skp_due", "2035-03-05")]
    assert "paling lambat 5 Maret 2035" in mine[0]["body"]
    theirs, _ = await ctx.inbox.page([appraiser], unread_only=False, limit=10, offset=0)
    kinds = sorted(m["kind"] for m in theirs)
    assert kinds == ["reminder.skp_approval_due", "reminder.skp_due", "skp.awaiting_approval"]
    reminder = next(m for m in theirs if m["kind"] == "reminder.skp_approval_due")
    assert "Ani" in reminder["body"]


async def test_the_last_day_to_object_is_the_day_in_palembang(ctx: Notifier, new_nip: Callable[[], str]) -> None:
    """Finalised at 18:00 UTC, 01:00 the next morning in Palembang: the 14 days of the objection window end
    on Palembang's calendar, one day later than UTC's."""
    employee, appraiser = new_nip(), new_nip()
    await register(ctx, (appraiser, "Budi", None), (employee, "Ani", appraiser))
    year = PerformanceYearConfiguredPayload(
        year=2035,
        frequency="quarterly",
        periods=["2035-Q1", "2035"],
        skp_due=dt.date(2035, 3, 5),
        objection_window_days=14,
        distribution_enforcement="warning",
        version=1,
    )
    await notify.on_years([PerformanceYearConfigured.create(year, producer="test")], ctx=ctx)
    finalised = AppraisalCompleted.create(
        AppraisalCompletedPayload.model_validate(
            {
                "appraisal_id": f"{employee}-2035-Q1",
                "nip": employee,
                "opd_code": "DINKES",
                "period": "2035-Q1",
                "hasil_kerja": "sesuai_ekspektasi",
                "perilaku_kerja": "sesuai_ekspektasi",
                "predikat": "baik",
                "pejabat_penilai_nip": appraiser,
            }
        ),
        producer="test",
        occurred_at=dt.datetime(2035, 4, 1, 18, 0, tzinfo=dt.UTC),  # 2 April, 01:00 WIB
    )
    await notify.on_events([finalised], ctx=ctx)
    mine, _ = await ctx.inbox.page([employee], unread_only=False, limit=10, offset=0)
    assert [m["kind"] for m in mine] == ["appraisal.final"]
    assert "paling lambat 16 April 2035" in mine[0]["body"]  # 2 April + 14 days; UTC's day would say 15 April
