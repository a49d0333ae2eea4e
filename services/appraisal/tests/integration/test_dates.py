"""Dates of the evaluation cycle and the annual roll-up through the HTTP API, with the service's clock
set (``clocked``): a period is finalised once it has ended (or within the year's grace days), the
deadlines mark late steps (warning) or refuse them (blocking, unless the BKPSDM extended them), the
annual evaluation opens once the periodic ones are final and pre-fills their roll-up; the development
plan of a year's low periods survives the withdrawal of the plan they joined, and concurrent low
results open one plan (real Mongo-wire server and Kafka)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kinerja_testing import Infra, Keys, eventually, read_topic, wait_for_event
from shared.clock import Clock

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
SEKDA = "196801011990031001"
VALUES = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]
RATED = {
    "rhk_ratings": [{"rhk_id": "k1", "rating": "sesuai_ekspektasi"}],
    "behaviour_ratings": [{"value": v, "rating": "sesuai_ekspektasi"} for v in VALUES],
    "hasil_kerja": "sesuai_ekspektasi",
    "perilaku_kerja": "sesuai_ekspektasi",
}
LOW = {
    **RATED,
    "rhk_ratings": [{"rhk_id": "k1", "rating": "di_bawah_ekspektasi"}],
    "hasil_kerja": "di_bawah_ekspektasi",
}

VERY_LOW = {
    **LOW,
    "behaviour_ratings": [{"value": v, "rating": "di_bawah_ekspektasi"} for v in VALUES],
    "perilaku_kerja": "di_bawah_ekspektasi",
}


def indicator(indicator_id: str, target: str = "95", **extra: str) -> dict[str, Any]:
    return {
        "indicator_id": indicator_id,
        "aspect": "kuantitas",
        "text": "Cakupan",
        "target": target,
        "unit": "%",
    } | extra


class World:
    """A head of DINKES (appraised by the Sekda, their atasan registered) acting at the clock's day."""

    def __init__(self, client: httpx.AsyncClient, clock: Clock, keys: Keys, nip: str, atasan: str) -> None:
        self.client, self.clock, self.keys, self.nip, self.atasan = client, clock, keys, nip, atasan
        self.admin = keys.headers(BKPSDM, "admin_bkpsdm")
        self.me = keys.headers(nip, "pegawai")
        self.sekda = keys.headers(SEKDA, "pejabat_penilai")
        self.superior = keys.headers(atasan, "atasan_pejabat_penilai")

    def at(self, day: str) -> None:
        """Act on ``day`` at 10:00 in Palembang (03:00 UTC)."""
        self.clock.fixed = dt.datetime.fromisoformat(f"{day}T03:00:00+00:00")

    async def call(self, method: str, path: str, headers: dict[str, str], body: Any = None, status: int = 200) -> Any:
        response = await self.client.request(method, f"/api/v1{path}", json=body, headers=headers)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def year(self, year: int, **config: Any) -> Any:
        body = {"frequency": "quarterly", "skp_due": f"{year}-01-31", **config}
        current = await self.client.get(f"/api/v1/performance-years/{year}", headers=self.admin)
        headers = self.admin | ({"If-Match": current.headers["etag"]} if current.status_code == 200 else {})
        return await self.call("PUT", f"/performance-years/{year}", headers, body)

    async def skp(self, year: int, indicators: list[dict[str, Any]] | None = None) -> Any:
        body = {"year": year, "rhk": [{"rhk_id": "k1", "kind": "utama", "text": "Cakupan imunisasi",
                                        "indicators": indicators or [indicator("k1-i1")]}]}  # fmt: skip
        return await self.call("POST", "/skp", self.me, body, status=201)

    async def act(self, skp: Any, action: str, headers: dict[str, str], status: int = 200) -> Any:
        return await self.call(
            "POST", f"/skp/{skp['id']}/{action}", headers | {"If-Match": f'"{skp["version"]}"'}, status=status
        )

    async def approved_skp(self, year: int, indicators: list[dict[str, Any]] | None = None) -> Any:
        skp = await self.act(await self.skp(year, indicators), "submit", self.me)
        return await self.act(skp, "approve", self.sekda)

    async def open(self, period: str, status: int = 201) -> Any:
        return await self.call("POST", "/evaluations", self.sekda, {"nip": self.nip, "period": period}, status=status)

    async def rated(self, period: str, ratings: dict[str, Any] = RATED, **realised: str) -> Any:
        evaluation = await self.open(period)
        for indicator_id, value in realised.items():
            path = f"/evaluations/{evaluation['id']}/realisations/{indicator_id.replace('_', '-')}"
            await self.call("PUT", path, self.me, {"realisation": value})
        return await self.call("PATCH", f"/evaluations/{evaluation['id']}/ratings", self.sekda, ratings)

    async def finalise(self, evaluation_id: str, status: int = 200) -> Any:
        return await self.call("POST", f"/evaluations/{evaluation_id}/finalise", self.sekda, status=status)


@pytest.fixture
async def world(clocked: tuple[httpx.AsyncClient, Clock], keys: Keys, new_nip: Callable[[], str]) -> World:
    client, clock = clocked
    kadis, atasan = new_nip(), new_nip()
    made = World(client, clock, keys, kadis, atasan)
    made.at("2025-01-06")
    for nip, opd, appraiser, superior in ((SEKDA, "SETDA", None, None), (atasan, "SETDA", None, None),
                                          (kadis, "DINKES", SEKDA, atasan)):  # fmt: skip
        body = {"nip": nip, "name": f"Pegawai {nip[-3:]}", "employee_type": "PNS", "position_type": "JPT",
                "opd_code": opd, "pejabat_penilai_nip": appraiser, "atasan_pejabat_penilai_nip": superior}  # fmt: skip
        await made.call("POST", "/employees", made.admin, body, status=201)
    return made


async def test_a_period_is_finalised_once_it_has_ended_or_within_the_years_grace_days(
    world: World, infra: Infra
) -> None:
    await world.year(2025)
    await world.approved_skp(2025)
    q1 = await world.rated("2025-Q1")
    world.at("2025-03-31")  # the period's last day: it has not ended
    early = await world.finalise(q1["id"], status=409)
    assert early["code"] == "period_not_ended"
    assert "2025-04-01" in early["detail"]
    # The BKPSDM allows finalising the last days of a period; the setting is bounded.
    too_long = await world.client.put(
        "/api/v1/performance-years/2025",
        json={"frequency": "quarterly", "skp_due": "2025-01-31", "finalise_grace_days": 32},
        headers=world.admin | {"If-Match": '"1"'},
    )
    assert too_long.status_code == 422
    configured = await world.year(2025, finalise_grace_days=5, deadline_enforcement="warning")
    assert (configured["finalise_grace_days"], configured["deadline_enforcement"]) == (5, "warning")
    assert configured["period_labels"]["2025-Q4"] == "Triwulan IV 2025"
    _, event = await wait_for_event(
        infra,
        "performance_year.configured.v1",
        lambda v: v["payload"]["year"] == 2025 and v["payload"]["finalise_grace_days"] == 5,
    )
    assert event["payload"]["deadline_enforcement"] == "warning"
    world.at("2025-03-26")
    assert (await world.finalise(q1["id"], status=409))["code"] == "period_not_ended"
    world.at("2025-03-27")  # 5 days before 1 April
    finalised = await world.finalise(q1["id"])
    assert (finalised["status"], finalised["late"], finalised["due"]) == ("finalised", False, None)
    assert (finalised["period"], finalised["period_label"]) == ("2025-Q1", "Triwulan I 2025")
    # The annual evaluation waits for every period of the year.
    refused = await world.open("2025", status=409)
    assert refused["code"] == "periods_not_final"
    assert [e["message"] for e in refused["errors"]] == [
        f"Triwulan {r} 2025 (2025-Q{q}) belum final" for q, r in ((2, "II"), (3, "III"), (4, "IV"))
    ]


async def test_late_steps_are_accepted_and_marked_late_with_warning_enforcement(world: World, infra: Infra) -> None:
    await world.year(2025, evaluation_due={"2025-Q1": "2025-04-15"})
    skp = await world.skp(2025)
    world.at("2025-01-31")  # the deadline itself is on time
    submitted = await world.act(skp, "submit", world.me)
    assert (submitted["late"], submitted["due"]) == (False, "2025-01-31")
    world.at("2025-02-03")
    approved = await world.act(submitted, "approve", world.sekda)
    assert (approved["status"], approved["late"], approved["due"]) == ("approved", True, "2025-01-31")
    _, event = await wait_for_event(infra, "skp.submitted.v1", lambda v: v["payload"]["skp_id"] == skp["id"])
    assert (event["payload"]["due"], event["payload"]["late"]) == ("2025-01-31", False)
    _, event = await wait_for_event(infra, "skp.approved.v1", lambda v: v["payload"]["skp_id"] == skp["id"])
    assert (event["payload"]["due"], event["payload"]["late"]) == ("2025-01-31", True)

    q1 = await world.rated("2025-Q1")
    world.at("2025-04-20")
    finalised = await world.finalise(q1["id"])
    assert (finalised["late"], finalised["due"]) == (True, "2025-04-15")
    _, completed = await wait_for_event(
        infra, "appraisal.completed.v1", lambda v: v["payload"]["appraisal_id"] == q1["id"]
    )
    assert (completed["payload"]["due"], completed["payload"]["late"]) == ("2025-04-15", True)


async def test_blocking_enforcement_refuses_late_steps_unless_the_bkpsdm_extends_the_deadline(world: World) -> None:
    await world.year(2025, evaluation_due={"2025-Q1": "2025-04-15"}, deadline_enforcement="blocking")
    skp = await world.skp(2025)
    world.at("2025-02-03")
    refused = await world.act(skp, "submit", world.me, status=409)
    assert refused["code"] == "deadline_passed"
    extension = {"until": "2025-02-10", "reason": "Cuti sakit sampai awal Februari"}
    await world.call("POST", f"/skp/{skp['id']}/deadline-extension", world.sekda, extension, status=403)
    extended = await world.call("POST", f"/skp/{skp['id']}/deadline-extension", world.admin, extension)
    assert extended["deadline_extended_to"] == "2025-02-10"
    submitted = await world.act(extended, "submit", world.me)
    approved = await world.act(submitted, "approve", world.sekda)
    assert (submitted["late"], approved["late"], approved["status"]) == (True, True, "approved")

    q1 = await world.rated("2025-Q1")
    world.at("2025-04-15")  # on its deadline: on time
    q2 = await world.rated("2025-Q2")
    world.at("2025-04-16")
    assert (await world.finalise(q1["id"], status=409))["code"] == "deadline_passed"
    assert (await world.finalise(q2["id"], status=409))["code"] == "period_not_ended"
    until = {"until": "2025-04-30", "reason": "Pejabat penilai dinas luar"}
    await world.call("POST", f"/evaluations/{q1['id']}/deadline-extension", world.admin, until)
    finalised = await world.finalise(q1["id"])
    assert (finalised["status"], finalised["late"], finalised["deadline_extended_to"]) == (
        "finalised",
        True,
        "2025-04-30",
    )


async def test_the_annual_evaluation_rolls_up_each_indicator_by_its_kind(world: World) -> None:
    await world.year(2025, frequency="semester")
    await world.approved_skp(
        2025,
        [
            indicator("k1-sum", "24", rollup="sum"),
            indicator("k1-avg", "90", rollup="average"),
            indicator("k1-last"),  # default: last
            indicator("k1-text", "Selesai", rollup="sum"),
            indicator("k1-none", "90", rollup="average"),
        ],
    )
    world.at("2025-07-01")
    s1 = await world.rated("2025-S1", k1_sum="10", k1_avg="80", k1_last="50", k1_text="draf")
    await world.finalise(s1["id"])
    world.at("2026-01-02")
    s2 = await world.rated("2025-S2", k1_sum="14", k1_avg="100%", k1_last="95", k1_text="final")
    await world.finalise(s2["id"])
    annual = await world.open("2025")
    prefilled = {r["indicator_id"]: (r["realisation"], r["rollup"]) for r in annual["realisations"]}
    # A non-numeric realisation gives no sum; an indicator never realised gives nothing.
    assert prefilled == {"k1-sum": ("24", "sum"), "k1-avg": ("90", "average"), "k1-last": ("95", "last")}
    suggestion = await world.call("GET", f"/evaluations/{annual['id']}/suggestion", world.sekda)
    found = {i["indicator_id"]: (i["rollup"], i["rolled_up"], i["capaian"]) for i in suggestion["indicators"]}
    assert found == {
        "k1-sum": ("sum", "24", 100.0),
        "k1-avg": ("average", "90", 100.0),
        "k1-last": ("last", "95", 100.0),
        "k1-text": ("sum", None, None),
        "k1-none": ("average", None, None),
    }
    assert suggestion["rhk_ratings"] == {"k1": "sesuai_ekspektasi"}
    # The employee adjusts the pre-fill; the pejabat penilai rates and finalises.
    path = f"/evaluations/{annual['id']}"
    adjusted = await world.call("PUT", f"{path}/realisations/k1-text", world.me, {"realisation": "Selesai"})
    assert {r["indicator_id"]: r["rollup"] for r in adjusted["realisations"]}["k1-text"] is None
    await world.call("PATCH", f"{path}/ratings", world.sekda, RATED)
    assert (await world.finalise(annual["id"]))["predikat"] == "baik"


async def test_an_employee_evaluated_from_mid_year_needs_only_their_own_periods(world: World) -> None:
    """Appointed or moved in mid-year (domain.md 1.9): their periods start at their first evaluation."""
    await world.year(2025)
    await world.approved_skp(2025)
    world.at("2025-10-02")
    q3 = await world.rated("2025-Q3")
    await world.finalise(q3["id"])
    refused = await world.open("2025", status=409)
    assert (refused["code"], [e["message"] for e in refused["errors"]]) == (
        "periods_not_final",
        ["Triwulan IV 2025 (2025-Q4) belum final"],
    )
    world.at("2026-01-05")
    q4 = await world.rated("2025-Q4")
    await world.finalise(q4["id"])
    assert (await world.open("2025"))["status"] == "open"


async def test_the_improvement_window_and_the_objection_decision_count_from_the_day_in_palembang(
    world: World,
) -> None:
    """A low annual result finalised at 18:00 UTC on 5 January is finalised on 6 January in Palembang: its
    6-month improvement window and the 14 days to decide an objection filed at that moment count from the
    6th."""
    await world.year(2025)
    await world.approved_skp(2025)
    world.at("2025-10-02")
    q3 = await world.rated("2025-Q3")
    await world.finalise(q3["id"])
    world.at("2026-01-05")
    q4 = await world.rated("2025-Q4")
    await world.finalise(q4["id"])
    world.clock.fixed = dt.datetime(2026, 1, 5, 18, 0, tzinfo=dt.UTC)  # 6 January, 01:00 WIB
    annual = await world.rated("2025", VERY_LOW)
    finalised = await world.finalise(annual["id"])
    assert finalised["predikat"] == "sangat_kurang"
    assert finalised["development_plan"]["due_on"] == "2026-07-06"
    objected = await world.call(
        "POST", f"/evaluations/{annual['id']}/objection", world.me, {"reason": "Data cakupan belum lengkap"}
    )
    assert objected["objection"]["decision_due"] == "2026-01-20"


async def test_withdrawing_a_shared_plan_hands_it_over_to_the_low_periods_that_joined_it(
    world: World, infra: Infra
) -> None:
    await world.year(2025)
    await world.approved_skp(2025)
    world.at("2025-10-02")
    low = {}
    for quarter in ("Q1", "Q2", "Q3"):
        rated = await world.rated(f"2025-{quarter}", LOW)
        low[quarter] = await world.finalise(rated["id"])
    q1, q2, q3 = low["Q1"]["id"], low["Q2"]["id"], low["Q3"]["id"]
    assert low["Q1"]["development_plan"]["status"] == "awaiting_input"
    assert (low["Q2"]["joined_plan_id"], low["Q3"]["joined_plan_id"]) == (q1, q1)
    await world.call("PUT", f"/evaluations/{q1}/development-plan", world.sekda,
                     {"cause": "beban_kerja", "actions": ["coaching"]})  # fmt: skip

    # Q1's objection is upheld: its result is no longer low and its plan is withdrawn.
    await world.call("POST", f"/evaluations/{q1}/objection", world.me, {"reason": "Data cakupan belum lengkap"})
    decided = await world.call(
        "POST", f"/evaluations/{q1}/objection/decision", world.superior, {"decision": "upheld", **RATED}
    )
    assert (decided["predikat"], decided["development_plan"]["status"]) == ("baik", "withdrawn")
    # Q2, the earliest low period that joined it, takes the plan over (cause and actions carry over); Q3 follows.
    heir = await world.call("GET", f"/evaluations/{q2}", world.sekda)
    assert heir["development_plan"]["status"] == "active"
    assert (heir["development_plan"]["cause"], heir["development_plan"]["continues_appraisal_id"]) == (
        "beban_kerja",
        q1,
    )
    assert heir["joined_plan_id"] is None
    assert (await world.call("GET", f"/evaluations/{q3}", world.sekda))["joined_plan_id"] == q2
    listed = await world.call("GET", "/development-plans?opd_code=DINKES&limit=200", world.sekda)
    assert [e["id"] for e in listed["items"] if e["nip"] == world.nip] == [q2]
    _, event = await wait_for_event(
        infra,
        "appraisal.development_plan_changed.v1",
        lambda v: v["payload"]["appraisal_id"] == q2,
    )
    assert (event["payload"]["status"], event["payload"]["continues_appraisal_id"]) == ("active", q1)
    assert event["payload"]["followed_up_appraisal_ids"] == [q3]
    # A fourth low period joins the new holder.
    q4 = await world.rated("2025-Q4", LOW)
    world.at("2026-01-05")
    assert (await world.finalise(q4["id"]))["joined_plan_id"] == q2


async def test_low_periods_finalised_at_once_open_one_plan(world: World, infra: Infra) -> None:
    await world.year(2025, frequency="monthly")
    await world.approved_skp(2025)
    world.at("2026-01-05")
    months = [f"2025-{m:02d}" for m in range(1, 9)]
    opened = [await world.rated(month, LOW) for month in months]
    results = await asyncio.gather(
        *(world.client.post(f"/api/v1/evaluations/{e['id']}/finalise", headers=world.sekda) for e in opened)
    )
    finalised = [r.json() for r in results if r.status_code == 200]
    # A compare-and-set that lost too often may refuse (busy); none may open a second plan.
    assert all(r.status_code == 200 or r.json()["code"] == "busy" for r in results), [r.text for r in results]
    holders = [e["id"] for e in finalised if e["development_plan"]]
    assert len(holders) == 1, holders
    assert {e["joined_plan_id"] for e in finalised if not e["development_plan"]} <= {holders[0]}
    ids = {e["id"] for e in finalised}

    async def flags() -> dict[str, str] | None:
        seen = {
            v["payload"]["appraisal_id"]: v["payload"]["development_plan_appraisal_id"]
            for v in [json.loads(r.value) for r in await read_topic(infra, "appraisal.low_score_flagged.v1") if r.value]
            if v["payload"]["appraisal_id"] in ids
        }
        return seen if set(seen) == ids else None

    assert set((await eventually(flags, within=30) or {}).values()) == {holders[0]}
