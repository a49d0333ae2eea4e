"""Keeping the summaries current: the summariser recomputes each summary a batch marked stale, from the
read models, and clears the mark unless it was set again meanwhile (then the next pass recomputes it).

A burst of events marks the same few keys over and over. The live summariser waits until a summary's
events have stopped coming for ``QUIET_S`` (or it has waited ``MAX_WAIT_S``) and then recomputes it
once: recomputing it after every batch would take the database from the consumer that is still
writing the burst, and each recomputation but the last is thrown away (bench/README.md, "Reporting")."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from reporting.domain import summaries
from reporting.domain.facts import Model
from reporting.repository.store import Store
from reporting.services.context import Reporting
from shared.clock import LOCAL_TIME, Clock
from shared.mongo import MongoDocument, is_transient

logger = logging.getLogger(__name__)

PASS_SIZE = 200
"""Marks taken per pass (oldest first)."""
RETRY_FAILED_S = 60.0
"""How long a summary whose recomputation failed waits before it is tried again."""
QUIET_S = 1.0
"""The live summariser recomputes a summary once no batch has marked it for this long..."""
MAX_WAIT_S = 15.0
"""...or once it was first marked this long ago, so a steady stream of events never starves it."""


def parse(key: str) -> tuple[str, str, str]:
    """``dist:<opd>:<period>``, ``year:<opd>:<year>`` or ``city:<year>`` -> (kind, opd or "", period or year)."""
    kind, _, rest = key.partition(":")
    if kind == "city":
        return kind, "", rest
    opd, _, when = rest.rpartition(":")
    return kind, opd, when


async def recompute(store: Store, key: str, today: dt.date) -> MongoDocument:
    kind, opd, when = parse(key)
    document: MongoDocument
    if kind in ("dist", "year") and not opd:
        raise ValueError(f"summary {key!r} names no OPD")
    if kind == "dist":
        appraisals = await store.find(
            Model.APPRAISALS, {"opd_code": opd, "period": when}, {"predikat": 1, "due": 1, "late": 1}
        )
        flags = await store.find(Model.FLAGS, {"opd_code": opd, "period": when})
        figures = summaries.distribution(appraisals, flags)
        document = {"kind": kind, "opd_code": opd, "period": when, "year": int(when[:4])} | figures
    elif kind == "year":
        document = {"kind": kind, "opd_code": opd, "year": int(when)} | await _year(store, opd, int(when), today)
    elif kind == "city":
        document = {"kind": kind, "opd_code": None, "year": int(when)} | await _city(store, int(when))
    else:
        raise ValueError(f"unknown summary {key!r}")
    if summaries.is_empty(document):
        await store.delete_summary(key)  # nothing to show: no summary, whatever order the events came in
    else:
        await store.save_summary(key, document)
    return document


async def _year(store: Store, opd: str, year: int, today: dt.date) -> MongoDocument:
    people = await store.find(
        Model.PEOPLE, {"opd_code": opd, "active": True}, {"employee_type": 1, "contract_start": 1}
    )
    nips = [p["_id"] for p in people]
    completions = await store.of_people(
        Model.ENROLMENTS,
        nips,
        {"year": {"$in": [year - 1, year]}, "status": "completed"},
        {"nip": 1, "jp": 1, "year": 1, "completed_on": 1},
    )
    # One pass over the OPD's messages of the year (index opd_year_status), not one count per figure:
    # at city size an OPD holds tens of thousands of them (bench/README.md, "The city, second attempt").
    by = await store.count_by(Model.MESSAGES, {"opd_code": opd, "year": year}, ("channel", "status"))
    messages = {
        "delivered": by.get(("inbox", "delivered"), 0),
        "read": by.get(("inbox", "read"), 0),
        "failed": sum(n for (_, status), n in by.items() if status == "failed"),
    }
    return summaries.year_summary(
        people,
        await store.find(Model.SKP_APPROVALS, {"opd_code": opd, "year": year}, {"nip": 1, "late": 1}),
        await store.find(Model.SKPS, {"opd_code": opd, "year": year}, {"nip": 1, "status": 1}),
        completions,
        await store.find(Model.PLANS, {"opd_code": opd, "year": year}, {"status": 1, "escalated": 1}),
        await store.find(Model.OBJECTIONS, {"opd_code": opd, "year": year}, {"status": 1}),
        messages,
        year=year,
        today=today,
    )


async def _city(store: Store, year: int) -> MongoDocument:
    completions = [
        c
        for c in await store.find(
            Model.ENROLMENTS,
            {"year": year, "status": "completed"},
            {"nip": 1, "program_code": 1, "completed_on": 1, "recommendation_id": 1},
        )
        if c.get("recommendation_id")
    ]
    recommendations = {
        r["_id"]: r
        for r in await store.by_ids(
            Model.RECOMMENDATIONS,
            [c["recommendation_id"] for c in completions],
            {"reason": 1, "source_appraisal_id": 1},
        )
    }
    sources = [r["source_appraisal_id"] for r in recommendations.values() if r.get("source_appraisal_id")]
    baselines = {a["_id"]: a["predikat"] for a in await store.by_ids(Model.APPRAISALS, sources, {"predikat": 1})}
    results = await store.of_people(
        Model.APPRAISALS, sorted({c["nip"] for c in completions}), {}, {"nip": 1, "period": 1, "predikat": 1}
    )
    return summaries.effectiveness(completions, recommendations, baselines, results)


async def summarise_once(
    store: Store, now: dt.datetime, limit: int = PASS_SIZE, *, quiet_s: float = 0.0, max_wait_s: float = 0.0
) -> int:
    """Recompute the stale summaries of one generation (up to ``limit``) not marked in the last
    ``quiet_s`` or first marked ``max_wait_s`` ago; returns how many were. One that fails is logged and
    parked (``failed_summaries`` in the views' freshness, tried again after ``RETRY_FAILED_S``); it does
    not hold up the others."""
    done = 0
    today = now.astimezone(LOCAL_TIME).date()
    marks = await store.marks(
        limit,
        now - dt.timedelta(seconds=RETRY_FAILED_S),
        quiet_before=now - dt.timedelta(seconds=quiet_s),
        waited_before=now - dt.timedelta(seconds=max_wait_s),
    )
    for mark in marks:
        try:
            await recompute(store, mark["_id"], today)
        except Exception as exc:
            if is_transient(exc):
                raise  # the database is away: the whole pass waits
            logger.exception("summary %s could not be recomputed; parked", mark["_id"])
            await store.park_mark(mark["_id"], mark["token"], repr(exc), now)
            continue
        await store.clear_mark(mark["_id"], mark["token"])
        done += 1
    return done


async def settle(store: Store, clock: Clock) -> None:
    """Recompute until no summary of ``store`` is stale but the parked ones (a replay, before it swaps:
    nothing else marks its generation's summaries any more, so no waiting for quiet)."""
    while await summarise_once(store, clock.now()):
        pass


async def run_summariser(
    ctx: Reporting, idle_s: float = 0.2, quiet_s: float = QUIET_S, max_wait_s: float = MAX_WAIT_S
) -> None:
    """The background job: a pass over the active generation (summaries quiet for ``quiet_s`` or waiting
    ``max_wait_s``), again at once while work was found, else after ``idle_s``. A failing pass is logged
    and tried again. A generation being built is the replay's to settle (``settle``); what live batches
    mark in it after that is recomputed here once it is swapped in."""
    while True:
        done = 0
        try:
            store = await ctx.generations.active()
            done = await summarise_once(store, ctx.clock.now(), quiet_s=quiet_s, max_wait_s=max_wait_s)
        except asyncio.CancelledError:
            raise
        except Exception:  # a database hiccup must not stop the summaries
            logger.warning("summariser pass failed; trying again", exc_info=True)
            await asyncio.sleep(1.0)
        if not done:
            await asyncio.sleep(idle_s)
