"""The views (issue 12, point 2), each read from the active generation and checked by relation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reporting.domain import summaries
from reporting.domain.access import (
    Actor,
    head_of,
    may_read_city,
    may_read_employee,
    may_read_opd,
    may_read_team,
)
from reporting.domain.facts import Model
from reporting.repository.store import Store
from reporting.services.context import Reporting
from shared.errors import ForbiddenError, NotFoundError
from shared.events import PPK
from shared.i18n import Text
from shared.mongo import MongoDocument
from shared.periods import period_order

HISTORY_LIMIT = 200
"""Appraisals shown in an employee's history, newest first (40 years of quarters and annuals)."""
TEAM_LIMIT = 2_000
"""Members listed in a team view."""
STALE_COUNT_LIMIT = 10_000
"""Stale summaries counted for the freshness block (beyond it the figure says "at least")."""

NOT_VISIBLE = Text("Data ini tidak dapat Anda lihat", "You may not see this")


def _not_found(nip: str) -> Text:
    return Text(
        f"Pegawai {nip} tidak ditemukan atau tidak dapat Anda lihat", f"Employee {nip} not found or not visible to you"
    )


async def actor_of(ctx: Reporting, nip: str, roles: frozenset[str], opd_code: str | None) -> Actor:
    """The caller, with the OPD they head according to the registry copy."""
    store = await ctx.generations.active()
    person = await store.get(Model.PEOPLE, nip)
    heads: frozenset[str] = frozenset()
    if person is not None and person.get("pejabat_penilai_nip") not in (None, PPK):
        appraiser = await store.get(Model.PEOPLE, person["pejabat_penilai_nip"])
        opd = head_of(person, appraiser)
        heads = frozenset({opd}) if opd else frozenset()
    elif person is not None:
        opd = head_of(person, None)
        heads = frozenset({opd}) if opd else frozenset()
    return Actor(nip, roles, opd_code, heads)


async def freshness(store: Store, ctx: Reporting) -> MongoDocument:
    """How fresh a view is: the newest event applied (any topic), when, how many summaries wait to
    be recomputed, and the consumers' lag (records not yet read) when it was last probed."""
    rows = await store.freshness()
    lag = ctx.lag
    return {
        "newest_event_at": max((r["newest_event_at"] for r in rows), default=None),
        "applied_at": max((r["applied_at"] for r in rows), default=None),
        "stale_summaries": await store.count_marks(failed=False, limit=STALE_COUNT_LIMIT),
        "failed_summaries": await store.count_marks(failed=True, limit=STALE_COUNT_LIMIT),
        "lag_records": sum(lag.lags.values()) if lag and lag.checked_at else None,
        "lag_checked_at": lag.checked_at if lag else None,
        "generation": store.generation,
    }


async def topics_freshness(ctx: Reporting, actor: Actor) -> MongoDocument:
    if not may_read_city(actor):
        raise ForbiddenError(NOT_VISIBLE, code="forbidden")
    store = await ctx.generations.active()
    lag = ctx.lag.lags if ctx.lag else {}
    rows = {r["_id"]: r for r in await store.freshness()}
    topics = sorted(set(rows) | set(lag))
    return await freshness(store, ctx) | {
        "topics": [
            {
                "topic": topic,
                "newest_event_at": rows.get(topic, {}).get("newest_event_at"),
                "applied_at": rows.get(topic, {}).get("applied_at"),
                "lag_records": lag.get(topic),
            }
            for topic in topics
        ]
    }


async def employee_view(ctx: Reporting, actor: Actor, nip: str, year: int) -> MongoDocument:
    store = await ctx.generations.active()
    person = await store.get(Model.PEOPLE, nip)
    if person is None and actor.nip == nip:
        person = {"_id": nip}  # not in the registry copy yet: their own (empty) view
    if person is None or not may_read_employee(actor, person):
        raise NotFoundError(_not_found(nip), code="not_found")  # whether the NIP exists is not theirs to learn
    history = await store.find(Model.APPRAISALS, {"nip": nip}, limit=HISTORY_LIMIT, sort=[("year", -1)])
    history.sort(key=lambda a: period_order(a["period"]), reverse=True)
    plans = [p for p in await store.find(Model.PLANS, {"nip": nip}) if p.get("status") in ("awaiting_input", "active")]
    recommendations = [r for r in await store.find(Model.RECOMMENDATIONS, {"nip": nip}) if r.get("status") == "open"]
    recent = await store.find(Model.ENROLMENTS, {"nip": nip, "year": {"$in": [year - 1, year]}})
    trainings = [t for t in recent if t.get("year") == year]
    completed = [t for t in recent if t.get("status") == "completed"]  # a contract year may begin last year
    return {
        "nip": nip,
        "name": person.get("name"),
        "opd_code": person.get("opd_code"),
        "unit_code": person.get("unit_code"),
        "position_title": person.get("position_title"),
        "employee_type": person.get("employee_type"),
        "pejabat_penilai_nip": person.get("pejabat_penilai_nip"),
        "year": year,
        "history": [_appraisal_row(a) for a in history],
        "development_plans": [_plan_row(p) for p in sorted(plans, key=lambda p: period_order(p["period"]))],
        "recommendations": [_recommendation_row(r) for r in recommendations],
        "trainings": [_training_row(t) for t in sorted(trainings, key=lambda t: t["_id"])],
        "jp": summaries.jp_standing(person, completed, year, ctx.clock.today()),
        "freshness": await freshness(store, ctx),
    }


def _appraisal_row(a: MongoDocument) -> MongoDocument:
    keep = ("period", "annual", "revision", "predikat", "hasil_kerja", "perilaku_kerja", "due", "late")
    return {"appraisal_id": a["_id"], **{k: a.get(k) for k in keep}, "indicators": a.get("indicators", [])}


def _plan_row(p: MongoDocument) -> MongoDocument:
    keep = ("period", "status", "cause", "actions", "due_on", "escalated")
    return {"appraisal_id": p["_id"], **{k: p.get(k) for k in keep}}


def _recommendation_row(r: MongoDocument) -> MongoDocument:
    keep = ("reason", "source_appraisal_id", "due_by", "programs")
    return {"recommendation_id": r["_id"], **{k: r.get(k) for k in keep}}


def _training_row(t: MongoDocument) -> MongoDocument:
    keep = ("program_code", "title", "status", "jp", "starts_on", "ends_on", "completed_on", "external_learning")
    return {"enrolment_id": t["_id"], **{k: t.get(k) for k in keep}}


async def team_view(ctx: Reporting, actor: Actor, appraiser_nip: str, year: int) -> MongoDocument:
    store = await ctx.generations.active()
    appraiser = None if appraiser_nip == PPK else await store.get(Model.PEOPLE, appraiser_nip)
    if not may_read_team(actor, appraiser_nip, appraiser):
        raise NotFoundError(_not_found(appraiser_nip), code="not_found")
    members = await store.find(
        Model.PEOPLE,
        {"pejabat_penilai_nip": appraiser_nip, "active": True},
        {"name": 1, "unit_code": 1, "opd_code": 1, "employee_type": 1, "position_title": 1},
        limit=TEAM_LIMIT,
        sort=[("_id", 1)],
    )
    nips = [m["_id"] for m in members]
    skps = await store.of_people(Model.SKPS, nips, {"year": year})
    approvals = {a["nip"]: a for a in await store.of_people(Model.SKP_APPROVALS, nips, {"year": year})}
    appraisals = await store.of_people(
        Model.APPRAISALS, nips, {"year": year}, {"nip": 1, "period": 1, "predikat": 1, "late": 1}
    )
    plans = await store.of_people(Model.PLANS, nips, {"status": {"$in": ["awaiting_input", "active"]}})
    objections = await store.of_people(Model.OBJECTIONS, nips, {"status": "filed"})
    config = await store.get(Model.YEARS, str(year))
    periods = list(config["periods"]) if config else sorted({a["period"] for a in appraisals}, key=period_order)
    dues = config.get("evaluation_due", {}) if config else {}
    by_nip: dict[str, list[MongoDocument]] = {}
    for appraisal in appraisals:
        by_nip.setdefault(appraisal["nip"], []).append(appraisal)
    rows = []
    for member in members:
        own = sorted(by_nip.get(member["_id"], []), key=lambda a: period_order(a["period"]))
        own_skps = sorted((s for s in skps if s["nip"] == member["_id"]), key=lambda s: s.get("valid_from") or "")
        approval = approvals.get(member["_id"])
        rows.append(
            {
                "nip": member["_id"],
                "name": member.get("name"),
                "unit_code": member.get("unit_code"),
                "position_title": member.get("position_title"),
                "skp_status": own_skps[-1]["status"] if own_skps else "not_submitted",
                "skp_approved": approval is not None,
                "skp_approved_late": bool(approval and approval.get("late")),
                "evaluations": {a["period"]: a["predikat"] for a in own},
                "predikat_so_far": own[-1]["predikat"] if own else None,
                "open_plans": sum(1 for p in plans if p["nip"] == member["_id"]),
                "pending_objections": sum(1 for o in objections if o["nip"] == member["_id"]),
            }
        )
    done = {p: sum(1 for a in appraisals if a["period"] == p) for p in periods}
    return {
        "pejabat_penilai_nip": appraiser_nip,
        "year": year,
        "size": len(members),
        "periods": [{"period": p, "due": dues.get(p), "done": done.get(p, 0), "total": len(members)} for p in periods],
        "skp": {
            "approved": sum(1 for r in rows if r["skp_approved"]),
            "submitted": sum(1 for r in rows if r["skp_status"] == "submitted"),
            "returned": sum(1 for r in rows if r["skp_status"] == "returned"),
            "not_submitted": sum(1 for r in rows if r["skp_status"] == "not_submitted"),
        },
        "open_plans": len(plans),
        "pending_objections": len(objections),
        "members": rows,
        "freshness": await freshness(store, ctx),
    }


async def opd_view(ctx: Reporting, actor: Actor, opd_code: str, year: int) -> MongoDocument:
    if not may_read_opd(actor, opd_code):
        raise ForbiddenError(NOT_VISIBLE, code="forbidden")
    store = await ctx.generations.active()
    found = await store.find("summaries", {"kind": {"$in": ["dist", "year"]}, "year": year, "opd_code": opd_code})
    org = await store.get(Model.ORG_YEARS, f"{opd_code}:{year}")
    return _opd(opd_code, found, org) | {"year": year, "freshness": await freshness(store, ctx)}


def _opd(opd_code: str, found: Sequence[MongoDocument], org: MongoDocument | None) -> MongoDocument:
    dists = sorted((d for d in found if d["kind"] == "dist"), key=lambda d: period_order(d["period"]))
    year_doc = next((d for d in found if d["kind"] == "year"), None)
    org_predikat = org.get("predikat") if org else None
    periods = []
    for d in dists:
        row = {k: v for k, v in d.items() if k not in ("_id", "kind", "opd_code", "year")}
        periods.append(row | {"curve": summaries.curve(org_predikat, d["counts"])})
    return {
        "opd_code": opd_code,
        "organisation_predikat": org_predikat,
        "year_closed": bool(org and org.get("closed")),
        "periods": periods,
        "people": {k: (year_doc or {}).get(k, 0) for k in ("employees", "pns", "pppk")},
        "skp": (year_doc or {}).get("skp"),
        "jp": (year_doc or {}).get("jp"),
        "inbox": (year_doc or {}).get("inbox"),
        "cases": {
            k: (year_doc or {}).get(k, 0)
            for k in ("plans_open", "plans_awaiting_input", "plans_escalated", "objections_pending")
        },
        "adoption": summaries.adoption_row(opd_code, year_doc, dists),
    }


async def city_view(ctx: Reporting, actor: Actor, year: int) -> MongoDocument:
    if not may_read_city(actor):
        raise ForbiddenError(NOT_VISIBLE, code="forbidden")
    store = await ctx.generations.active()
    found = await store.find("summaries", {"kind": {"$in": ["dist", "year"]}, "year": year})
    orgs = {o["opd_code"]: o for o in await store.find(Model.ORG_YEARS, {"year": year})}
    by_opd: dict[str, list[MongoDocument]] = {}
    for doc in found:
        by_opd.setdefault(doc["opd_code"], []).append(doc)
    opds = [_opd(code, docs, orgs.get(code)) for code, docs in sorted(by_opd.items())]
    periods: dict[str, list[MongoDocument]] = {}
    for doc in found:
        if doc["kind"] == "dist":
            periods.setdefault(doc["period"], []).append(doc)
    trend = [
        {
            "period": period,
            "total": sum(d["total"] for d in docs),
            "counts": summaries.add_counts(d["counts"] for d in docs),
            "low": sum(d["low"] for d in docs),
            "escalated": sum(d["escalated"] for d in docs),
        }
        for period, docs in sorted(periods.items(), key=lambda item: period_order(item[0]))
    ]
    city = await store.get("summaries", f"city:{year}")
    return {
        "year": year,
        "opds": [_opd_row(o) for o in opds],
        "trend": trend,
        "escalations": {
            "low_escalated": sum(t["escalated"] for t in trend),
            "plans_escalated": sum(o["cases"]["plans_escalated"] for o in opds),
            "by_opd": [
                {
                    "opd_code": o["opd_code"],
                    "low_escalated": sum(p["escalated"] for p in o["periods"]),
                    "plans_escalated": o["cases"]["plans_escalated"],
                }
                for o in opds
                if sum(p["escalated"] for p in o["periods"]) or o["cases"]["plans_escalated"]
            ],
        },
        "effectiveness": {k: (city or {}).get(k, []) for k in ("by_programme", "by_need_kind")},
        "adoption": summaries.ranked(o["adoption"] for o in opds),
        "freshness": await freshness(store, ctx),
    }


def _opd_row(o: MongoDocument) -> MongoDocument:
    latest = o["periods"][-1] if o["periods"] else None
    return {
        "opd_code": o["opd_code"],
        "organisation_predikat": o["organisation_predikat"],
        "employees": o["people"]["employees"],
        "latest_period": latest["period"] if latest else None,
        "latest_counts": latest["counts"] if latest else summaries.predikat_counts(()),
        "latest_total": latest["total"] if latest else 0,
        "curve_violations": len(latest["curve"]["violations"]) if latest else 0,
        "low": sum(p["low"] for p in o["periods"]),
        "jp_pns_met_share": (o["jp"] or {}).get("pns_met_share"),
        "objections_pending": o["cases"]["objections_pending"],
        "plans_open": o["cases"]["plans_open"],
    }


async def predikat_summary(ctx: Reporting, period: str | None, opd_code: str | None) -> tuple[int, dict[str, int]]:
    """Completed appraisals per predikat (one period and/or OPD, or all), from the distribution summaries."""
    store = await ctx.generations.active()
    query: dict[str, Any] = {"kind": "dist"}
    if period:
        query |= {"year": int(period[:4]), "period": period}
    if opd_code:
        query["opd_code"] = opd_code
    docs = await store.find("summaries", query, {"counts": 1, "total": 1})
    counts = summaries.add_counts(d["counts"] for d in docs)
    return sum(counts.values()), counts
