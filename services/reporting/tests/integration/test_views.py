"""The views, fed by real events through the real broker into the real database: every level, its
access rules, and events that arrive twice, out of order, revised or withdrawn."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from kinerja_testing import Infra, eventually, publish_events, wait_for_event
from kinerja_testing import events as ev
from kinerja_testing.reports import ReportReader
from shared.events import Event, Predikat

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
YEAR = 2026
T0 = dt.datetime(2026, 4, 20, 8, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


async def send(infra: Infra, *events: Event) -> None:
    await publish_events(infra, events)


def period_of(view: dict[str, Any], period: str) -> dict[str, Any]:
    return next(p for p in view["periods"] if p["period"] == period)


async def test_employee_view_history_plan_recommendations_trainings_and_access(
    reader: ReportReader, infra: Infra, opd: str, new_nip: Callable[[], str]
) -> None:
    nip, appraiser, peer = new_nip(), new_nip(), new_nip()
    indicators = [
        {
            "rhk_id": "r1",
            "rhk_text": "Cakupan layanan",
            "indicator_id": "i1",
            "indicator_text": "Cakupan imunisasi dasar lengkap",
            "target": "95",
            "realisation": "62",
            "unit": "%",
            "achievement_pct": 65.3,
        }
    ]
    await send(
        infra,
        ev.person(appraiser, opd, position_type="PENGAWAS"),
        ev.person(nip, opd, pejabat_penilai_nip=appraiser),
        ev.person(peer, opd, pejabat_penilai_nip=appraiser),
        ev.completed("a1-" + nip, nip, "2026-Q1", Predikat.BUTUH_PERBAIKAN, opd_code=opd, indicators=indicators),
        ev.completed("a0-" + nip, nip, "2025", Predikat.BAIK, opd_code=opd),
        ev.plan("a1-" + nip, nip, "2026-Q1", "active", opd_code=opd, cause="kompetensi", actions=["pelatihan"]),
        ev.recommended("r1-" + nip, nip, source_appraisal_id="a1-" + nip),
        ev.recommended("r2-" + nip, nip),
        ev.recommendation_withdrawn("r2-" + nip, nip),
        ev.enrolled("e1-" + nip, nip),
        ev.training_completed("e2-" + nip, nip, 12),
        ev.training_completed("e3-" + nip, nip, 9, completed_on=dt.date(2025, 6, 1)),
    )

    def complete(view: dict[str, Any]) -> bool:
        return len(view["history"]) == 2 and len(view["trainings"]) == 2 and len(view["recommendations"]) == 1

    view = await reader.until(f"/employees/{nip}?year={YEAR}", complete)
    assert [h["period"] for h in view["history"]] == ["2026-Q1", "2025"]
    first = view["history"][0]
    assert first["predikat"] == "butuh_perbaikan"
    assert first["indicators"][0]["target"] == "95"
    assert first["indicators"][0]["realisation"] == "62"
    assert view["development_plans"][0]["cause"] == "kompetensi"
    assert view["recommendations"][0]["recommendation_id"] == "r1-" + nip
    assert view["jp"] == {
        "year": YEAR,
        "earned": 12.0,
        "minimum": 20,
        "cap": None,
        "met": False,
        "counted_from": f"{YEAR}-01-01",
        "counted_to": f"{YEAR}-12-31",
    }
    assert view["freshness"]["newest_event_at"] is not None

    path = f"/employees/{nip}?year={YEAR}"
    assert (await reader.get(path, nip, "pegawai")).status_code == 200
    assert (await reader.get(path, appraiser, "pejabat_penilai")).status_code == 200
    assert (await reader.get(f"/employees/{peer[:-1]}9?year={YEAR}", nip, "pegawai")).status_code == 404  # unknown
    assert (await reader.get(path, peer, "pegawai")).status_code == 404  # the same answer: existence not revealed
    assert (await reader.get(path, peer, "pejabat_penilai")).status_code == 404
    assert (await reader.get(path, peer, "admin_opd", opd=opd)).status_code == 200
    assert (await reader.get(path, peer, "admin_opd", opd="DISDIK")).status_code == 404
    assert (await reader.get(path, peer, "pimpinan")).status_code == 404


async def test_opd_view_counts_each_appraisal_once_newest_revision_in_any_order(
    reader: ReportReader, infra: Infra, opd: str, new_nip: Callable[[], str]
) -> None:
    a, b, c = new_nip(), new_nip(), new_nip()
    period = "2026-Q1"
    await send(
        infra,
        ev.year_configured(YEAR),
        ev.person(a, opd),
        ev.person(b, opd),
        ev.person(c, opd),
        ev.org_year(opd, YEAR, "baik", version=2),
        ev.org_year(opd, YEAR, "istimewa", version=1),  # an older version arrives late
        ev.completed("a-" + a, a, period, Predikat.SANGAT_BAIK, opd_code=opd, revision=2),  # objection upheld
        ev.completed("a-" + a, a, period, Predikat.BUTUH_PERBAIKAN, opd_code=opd, revision=1),  # arrives late
        ev.completed("a-" + b, b, period, Predikat.BAIK, opd_code=opd, due=dt.date(2026, 4, 15), late=True),
        ev.completed("a-" + b, b, period, Predikat.BAIK, opd_code=opd, due=dt.date(2026, 4, 15), late=True),  # again
        ev.completed("a-" + c, c, period, Predikat.BAIK, opd_code=opd, due=dt.date(2026, 4, 15)),
        # a low score flagged, then withdrawn (objection upheld): it leaves the hotspots
        ev.flagged("a-" + a, a, period, opd_code=opd, revision=1, unit_code="PKM-1", weak=("Cakupan imunisasi",)),
        ev.withdrawn("a-" + a, a, period, opd_code=opd, revision=2),
        # another low score stands
        ev.flagged("x-" + c, c, "2026-Q2", opd_code=opd, unit_code="PKM-2", weak=("Cakupan imunisasi",)),
    )

    def settled(view: dict[str, Any]) -> bool:
        return any(p["period"] == period and p["total"] == 3 for p in view["periods"]) and any(
            p["period"] == "2026-Q2" for p in view["periods"]
        )

    view = await reader.until(f"/opd/{opd}?year={YEAR}", settled)
    q1 = period_of(view, period)
    assert q1["counts"] == {
        "sangat_baik": 1,
        "baik": 2,
        "butuh_perbaikan": 0,
        "kurang_misconduct": 0,
        "sangat_kurang": 0,
    }
    assert (q1["with_due"], q1["on_time"], q1["late"]) == (2, 1, 1)
    assert q1["low"] == 0  # withdrawn
    assert q1["low_by_indicator"] == []
    assert view["organisation_predikat"] == "baik"
    assert any("harus ada" in v["rule"] for v in q1["curve"]["violations"])  # nobody below Baik
    q2 = period_of(view, "2026-Q2")
    assert q2["low_by_unit"] == [{"unit_code": "PKM-2", "low": 1}]
    assert q2["low_by_indicator"][0]["indicator"] == "Cakupan imunisasi"
    assert view["people"]["employees"] == 3

    # the withdrawn one came back: a later revision is low again
    await send(infra, ev.flagged("a-" + a, a, period, opd_code=opd, revision=3, unit_code="PKM-1"))
    view = await reader.until(f"/opd/{opd}?year={YEAR}", lambda v: period_of(v, period)["low"] == 1)
    assert period_of(view, period)["low_by_unit"] == [{"unit_code": "PKM-1", "low": 1}]

    summary = await reader.get(f"/appraisals/summary?period={period}&opd_code={opd}")
    assert summary.json()["total"] == 3
    assert summary.json()["by_predikat"]["baik"] == 2

    path = f"/opd/{opd}?year={YEAR}"
    assert (await reader.get(path, a, "admin_opd", opd=opd)).status_code == 200
    assert (await reader.get(path, a, "admin_opd", opd="DISDIK")).status_code == 403
    assert (await reader.get(path, a, "pegawai", opd=opd)).status_code == 403
    assert (await reader.get(path, a, "pimpinan")).status_code == 200


async def test_opd_view_jp_compliance_skp_adoption_and_inbox_read(
    reader: ReportReader, infra: Infra, opd: str, new_nip: Callable[[], str]
) -> None:
    pns_ok, pns_short, pppk = new_nip(), new_nip(), new_nip()
    await send(
        infra,
        ev.person(pns_ok, opd),
        ev.person(pns_short, opd),
        ev.person(pppk, opd, employee_type="PPPK", contract_start=dt.date(2025, 1, 1)),
        ev.training_completed("j1-" + pns_ok, pns_ok, 20),
        ev.training_completed("j2-" + pns_short, pns_short, 8),
        ev.training_completed("j3-" + pppk, pppk, 30),
        ev.skp("submitted", "s1-" + pns_ok, pns_ok, opd_code=opd, at=at(1)),
        ev.skp("approved", "s1-" + pns_ok, pns_ok, opd_code=opd, at=at(2)),
        ev.skp("approved", "s2-" + pns_short, pns_short, opd_code=opd, at=at(3), late=True),
        ev.skp("submitted", "s2-" + pns_short, pns_short, opd_code=opd, at=at(1)),  # the older step arrives late
        ev.skp("returned", "s3-" + pppk, pppk, opd_code=opd, at=at(2)),
        ev.message("delivered", "n1-" + pns_ok, pns_ok),
        ev.message("read", "n1-" + pns_ok, pns_ok),
        ev.message("read", "n2-" + pns_ok, pns_ok),  # read before its delivery arrives
        ev.message("delivered", "n2-" + pns_ok, pns_ok),
        ev.message("delivered", "n3-" + pppk, pppk),
        ev.message("delivered", "n4-" + pppk, pppk),
        ev.message("delivered", "n4-" + pppk, pppk, channel="email"),  # not an inbox message
        ev.message("failed", "n5-" + pppk, pppk, channel="email"),
    )

    def settled(view: dict[str, Any]) -> bool:
        return bool(
            view["jp"]
            and view["jp"]["pns_met"] == 1
            and view["inbox"]["delivered"] == 4
            and view["skp"]["approved"] == 2
        )

    view = await reader.until(f"/opd/{opd}?year={YEAR}", settled)
    assert view["jp"]["pns"] == 2
    assert view["jp"]["pppk"] == 1
    assert view["jp"]["pppk_within_cap"] == 0  # 30 JP in the contract year
    assert view["skp"] == {
        "employees": 3,
        "approved": 2,
        "approved_on_time": 1,
        "approved_on_time_share": 0.3333,
        "waiting": 0,
        "returned": 1,
        "not_submitted": 0,
    }
    assert view["inbox"] == {"delivered": 4, "read": 2, "read_share": 0.5, "failed": 1}
    assert view["adoption"]["inbox_read_share"] == 0.5

    city = await reader.until(f"/city?year={YEAR}", lambda v: any(r["opd_code"] == opd for r in v["adoption"]))
    row = next(r for r in city["adoption"] if r["opd_code"] == opd)
    assert row["skp_on_time_share"] == 0.3333
    assert row["rank"] >= 1
    assert [r["rank"] for r in city["adoption"]] == list(range(1, len(city["adoption"]) + 1))


async def test_team_view_skp_status_evaluations_due_plans_and_objections(
    reader: ReportReader, infra: Infra, opd: str, new_nip: Callable[[], str]
) -> None:
    appraiser, a, b, outsider = new_nip(), new_nip(), new_nip(), new_nip()
    await send(
        infra,
        ev.year_configured(YEAR),
        ev.person(appraiser, opd, position_type="PENGAWAS"),
        ev.person(a, opd, pejabat_penilai_nip=appraiser),
        ev.person(b, opd, pejabat_penilai_nip=appraiser),
        ev.person(outsider, opd),
        ev.skp("approved", "s-" + a, a, opd_code=opd, pejabat_penilai_nip=appraiser, at=at(2)),
        ev.skp("submitted", "s-" + b, b, opd_code=opd, pejabat_penilai_nip=appraiser, at=at(2)),
        ev.completed("q1-" + a, a, "2026-Q1", Predikat.BUTUH_PERBAIKAN, opd_code=opd),
        ev.plan("q1-" + a, a, "2026-Q1", "awaiting_input", opd_code=opd),
        ev.objection("filed", "q1-" + a, a, "2026-Q1", opd_code=opd),
    )

    def settled(view: dict[str, Any]) -> bool:
        return bool(view["size"] == 2 and view["pending_objections"] == 1 and view["skp"]["approved"] == 1)

    view = await reader.until(f"/teams/{appraiser}?year={YEAR}", settled)
    members = {m["nip"]: m for m in view["members"]}
    assert members[a]["skp_status"] == "approved"
    assert members[b]["skp_status"] == "submitted"
    assert members[a]["evaluations"] == {"2026-Q1": "butuh_perbaikan"}
    assert members[a]["predikat_so_far"] == "butuh_perbaikan"
    assert members[a]["open_plans"] == 1
    assert members[a]["pending_objections"] == 1
    q1 = next(p for p in view["periods"] if p["period"] == "2026-Q1")
    assert (q1["done"], q1["total"], q1["due"]) == (1, 2, "2026-04-15")
    assert [p["period"] for p in view["periods"]][-1] == "2026"

    await send(infra, ev.objection("rejected", "q1-" + a, a, "2026-Q1", opd_code=opd))
    view = await reader.until(f"/teams/{appraiser}?year={YEAR}", lambda v: v["pending_objections"] == 0)

    path = f"/teams/{appraiser}?year={YEAR}"
    assert (await reader.get(path, appraiser, "pejabat_penilai")).status_code == 200
    assert (await reader.get(path, a, "pegawai")).status_code == 404
    assert (await reader.get(path, outsider, "admin_opd", opd=opd)).status_code == 200
    assert (await reader.get(path, outsider, "admin_opd", opd="DISDIK")).status_code == 404


async def test_city_view_trend_escalations_and_training_effectiveness(
    reader: ReportReader, infra: Infra, opd: str, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    program = f"P-{opd}"
    await send(
        infra,
        ev.person(nip, opd),
        ev.completed("q1-" + nip, nip, "2026-Q1", Predikat.BUTUH_PERBAIKAN, opd_code=opd),
        ev.flagged("q1-" + nip, nip, "2026-Q1", opd_code=opd, escalated_to_bkpsdm=True),
        ev.recommended("r-" + nip, nip, programs=(program,), source_appraisal_id="q1-" + nip),
        ev.training_completed(
            "e-" + nip, nip, 8, program_code=program, recommendation_id="r-" + nip, completed_on=dt.date(2026, 4, 10)
        ),
        ev.completed("q2-" + nip, nip, "2026-Q2", Predikat.BAIK, opd_code=opd),
    )

    def settled(view: dict[str, Any]) -> bool:
        return any(e["key"] == program for e in view["effectiveness"]["by_programme"]) and any(
            e["opd_code"] == opd for e in view["escalations"]["by_opd"]
        )

    view = await reader.until(f"/city?year={YEAR}", settled)
    effect = next(e for e in view["effectiveness"]["by_programme"] if e["key"] == program)
    assert (effect["completed"], effect["improved"], effect["improvement_rate"]) == (1, 1, 1.0)
    assert next(e for e in view["escalations"]["by_opd"] if e["opd_code"] == opd)["low_escalated"] == 1
    row = next(o for o in view["opds"] if o["opd_code"] == opd)
    assert row["latest_period"] == "2026-Q2"
    assert row["low"] == 1
    assert [t["period"] for t in view["trend"]] == sorted(
        [t["period"] for t in view["trend"]], key=lambda p: (p[:4], len(p) == 4, p)
    )

    assert (await reader.get(f"/city?year={YEAR}", nip, "pimpinan")).status_code == 200
    assert (await reader.get(f"/city?year={YEAR}", "PPK", "ppk")).status_code == 200
    assert (await reader.get(f"/city?year={YEAR}", nip, "admin_opd", opd=opd)).status_code == 403
    assert (await reader.get(f"/city?year={YEAR}", nip, "pegawai")).status_code == 403


async def test_freshness_names_the_newest_event_and_the_lag(
    reader: ReportReader, infra: Infra, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    # newer than any other event of the topic (the bounds refuse more than a day ahead: shared.events.bounds)
    newest = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=20)
    await send(infra, ev.person(nip, "DINKES", at=newest))

    async def probe() -> dict[str, Any] | None:
        body: dict[str, Any] = (await reader.get("/freshness")).json()
        topic = next((t for t in body["topics"] if t["topic"] == "employee.registered.v1"), None)
        done = topic and topic["newest_event_at"] and body["lag_records"] is not None
        return body if done else None

    body = await eventually(probe, within=45)
    assert dt.datetime.fromisoformat(body["newest_event_at"]) >= newest
    assert body["generation"] >= 1
    assert (await reader.get("/freshness", nip, "pegawai")).status_code == 403


async def test_an_event_naming_an_opd_no_view_can_name_is_dead_lettered_and_the_rest_applied(
    reader: ReportReader, infra: Infra, opd: str, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    bad = ev.completed("bad-" + nip, nip, "2026-Q1", opd_code="X<svg>")
    await send(infra, ev.person(nip, opd), bad, ev.completed("good-" + nip, nip, "2026-Q1", opd_code=opd))
    view = await reader.until(f"/opd/{opd}?year={YEAR}", lambda v: bool(v["periods"]) and v["periods"][0]["total"] == 1)
    assert view["freshness"]["stale_summaries"] == 0
    _, letter = await wait_for_event(
        infra, "appraisal.completed.v1.dlq", lambda v: v["event_id"] == str(bad.event_id), within=30
    )
    assert letter["payload"]["opd_code"] == "X<svg>"
    city = await reader.until(f"/city?year={YEAR}", lambda v: True)
    assert all(row["opd_code"] != "X<svg>" for row in city["opds"])
