"""Applying a batch of events to the read models (every subscription of the service, and the replay)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from reporting.domain.facts import NEEDS_OPD, Fact, Model, facts_of, marks_of, newest
from reporting.repository.store import Store
from reporting.services.context import Reporting
from shared.events import EmployeeRegistered, EmployeeUpdated, Event


async def apply(events: Sequence[Event], *, ctx: Reporting) -> int:
    """Apply a batch to every generation being written (the active one, and one a replay builds);
    returns how many documents changed in the active one. Idempotent and order-tolerant."""
    changed: int | None = None
    for store in await ctx.generations.targets():
        count = await apply_to(store, events, ctx)
        changed = count if changed is None else changed
    return changed or 0


async def apply_people(events: Sequence[EmployeeRegistered | EmployeeUpdated], *, ctx: Reporting) -> int:
    """``employee.*``: the roster the platform asks who is active, and the people model."""
    await ctx.roster.apply(events)
    return await apply(events, ctx=ctx)


async def apply_to(store: Store, events: Sequence[Event], ctx: Reporting) -> int:
    """Apply a batch to one generation; returns how many documents changed."""
    newest_at: dict[str, datetime] = {}
    for event in events:
        topic = str(event.topic)
        if topic not in newest_at or event.occurred_at > newest_at[topic]:
            newest_at[topic] = event.occurred_at
    return await write(store, newest(fact for event in events for fact in facts_of(event)), newest_at, ctx)


async def write(store: Store, facts: Sequence[Fact], newest_at: dict[str, datetime], ctx: Reporting) -> int:
    """Store ``facts`` in ``store``, then mark the summaries they touch, then record the freshness.
    A crash in between redoes the whole batch on redelivery: nothing is lost, nothing counted twice.

    Which summaries exist does not depend on the order events arrive in: an employee marks their OPD
    (and the one they left) for every configured year, and a year's configuration marks every OPD
    that has employees for that year."""
    now = ctx.clock.now()
    by_model: dict[Model, list[Fact]] = defaultdict(list)
    for fact in facts:
        by_model[fact.model].append(fact)
    moved: set[str] = set()
    if Model.PEOPLE in by_model:
        ids = [f.document["_id"] for f in by_model[Model.PEOPLE]]
        moved = {p["opd_code"] for p in await store.by_ids(Model.PEOPLE, ids, {"opd_code": 1}) if p.get("opd_code")}
    changed = 0
    for model, group in by_model.items():
        changed += await store.store(model, [fact.document for fact in group])
    # Looked up after the write, like the employees' OPD below: a year configured meanwhile marks them.
    years = (
        {int(y["_id"]) for y in await store.find(Model.YEARS, {}, {"_id": 1})} if Model.PEOPLE in by_model else set()
    )
    marks = {f"year:{opd}:{year}" for opd in moved for year in years}
    for fact in facts:
        marks |= marks_of(fact, years)
    if Model.YEARS in by_model:
        opds = await store.distinct(Model.PEOPLE, "opd_code")
        marks |= {f"year:{opd}:{fact.document['year']}" for fact in by_model[Model.YEARS] for opd in opds if opd}
    # Facts that name only the employee count in the OPD the employee is in. Looked up after they are
    # stored: an employee.* batch stored meanwhile marks that OPD itself, after this write.
    needing = [fact for model in NEEDS_OPD for fact in by_model.get(model, [])]
    if needing:
        known = await store.by_ids(Model.PEOPLE, [f.document["nip"] for f in needing], {"opd_code": 1})
        opd_of = {p["_id"]: p.get("opd_code") for p in known}
        for fact in needing:
            marks |= marks_of(fact, opd=opd_of.get(fact.document["nip"]))
    await store.mark(marks, now)
    await store.touch(newest_at, now)
    return changed
