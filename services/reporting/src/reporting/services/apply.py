"""Applying a batch of events to the read models (every subscription of the service, and the replay)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from reporting.domain.facts import NEEDS_OPD, Fact, InvalidEvent, Model, facts_of, marks_of, newest
from reporting.repository.store import Store
from reporting.services.context import Reporting
from shared.consumer import PermanentError
from shared.events import EmployeeRegistered, EmployeeUpdated, Event


async def apply(events: Sequence[Event], *, ctx: Reporting) -> int:
    """Apply a batch to every generation being written (the active one, and one a replay builds);
    returns how many documents changed in the active one. Idempotent and order-tolerant."""
    try:
        facts, newest_at = prepared(events)
    except InvalidEvent as exc:
        raise PermanentError(str(exc)) from exc  # the consumer applies the others and dead-letters it
    changed: int | None = None
    for store in await ctx.generations.targets():
        count = await write(store, facts, newest_at, ctx)
        changed = count if changed is None else changed
    return changed or 0


async def apply_people(events: Sequence[EmployeeRegistered | EmployeeUpdated], *, ctx: Reporting) -> int:
    """``employee.*``: the roster the platform asks who is active, and the people model."""
    await ctx.roster.apply(events)
    return await apply(events, ctx=ctx)


def prepared(events: Sequence[Event]) -> tuple[list[Fact], dict[str, datetime]]:
    """A batch's facts (the newest of each thing) and the newest ``occurred_at`` per topic;
    ``InvalidEvent`` if one of the events is."""
    newest_at: dict[str, datetime] = {}
    for event in events:
        topic = str(event.topic)
        if topic not in newest_at or event.occurred_at > newest_at[topic]:
            newest_at[topic] = event.occurred_at
    return newest(fact for event in events for fact in facts_of(event)), newest_at


async def write(
    store: Store,
    facts: Sequence[Fact],
    newest_at: dict[str, datetime],
    ctx: Reporting,
    *,
    sink: set[str] | None = None,
) -> int:
    """Store ``facts`` in ``store``, then mark the summaries they touch (into ``sink`` instead, for a
    replay that recomputes them all at its end), then record the freshness. A crash in between redoes
    the whole batch on redelivery: nothing is lost, nothing counted twice.

    Which summaries exist does not depend on the order events arrive in: an employee marks their OPD
    (and the one they left) for every configured year, and a year's configuration marks every OPD
    that has employees for that year. A fact that names only the employee (a message, a training, a
    recommendation) is stored with the OPD the employee is in; one that arrives before the employee
    gets it when the employee's event is applied."""
    now = ctx.clock.now()
    by_model: dict[Model, list[Fact]] = defaultdict(list)
    for fact in facts:
        by_model[fact.model].append(fact)
    moved: set[str] = set()
    if Model.PEOPLE in by_model:
        ids = [f.document["_id"] for f in by_model[Model.PEOPLE]]
        moved = {p["opd_code"] for p in await store.by_ids(Model.PEOPLE, ids, {"opd_code": 1}) if p.get("opd_code")}
    needing = [fact for model in NEEDS_OPD for fact in by_model.get(model, [])]
    await _place(store, needing)
    changed = 0
    for model, group in by_model.items():
        changed += await store.store(model, [fact.document for fact in group])
    # Looked up again after the write: the employee's event, if stored meanwhile, placed it already or
    # is seen now (and then this batch places it); so no fact is left without its OPD.
    late = [fact for fact in needing if fact.document["opd_code"] is None]
    if late and await _place(store, late):
        for model in NEEDS_OPD:
            placed = [f for f in late if f.model is model and f.document["opd_code"] is not None]
            await store.place(model, {f.document["nip"]: f.document["opd_code"] for f in placed})
    if Model.PEOPLE in by_model:
        joined = {f.document["_id"]: f.document["opd_code"] for f in by_model[Model.PEOPLE]}
        for model in NEEDS_OPD:
            await store.place(model, joined)
    years = (
        {int(y["_id"]) for y in await store.find(Model.YEARS, {}, {"_id": 1})} if Model.PEOPLE in by_model else set()
    )
    marks = {f"year:{opd}:{year}" for opd in moved for year in years}
    for fact in facts:
        marks |= marks_of(fact, years)
    if Model.YEARS in by_model:
        opds = await store.distinct(Model.PEOPLE, "opd_code")
        marks |= {f"year:{opd}:{fact.document['year']}" for fact in by_model[Model.YEARS] for opd in opds if opd}
    if sink is None:
        await store.mark(marks, now)
    else:
        sink |= marks
    await store.touch(newest_at, now)
    return changed


async def _place(store: Store, facts: Sequence[Fact]) -> bool:
    """Set each fact's ``opd_code`` to the OPD its employee is in (None: not known yet); whether any was."""
    if not facts:
        return False
    known = await store.by_ids(Model.PEOPLE, [f.document["nip"] for f in facts], {"opd_code": 1})
    opd_of = {p["_id"]: p.get("opd_code") for p in known}
    for fact in facts:
        fact.document["opd_code"] = opd_of.get(fact.document["nip"])
    return bool(opd_of)
