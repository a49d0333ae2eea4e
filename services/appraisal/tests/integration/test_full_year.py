"""A full year for one employee and their supervisor through the HTTP API, with the events it
publishes checked on Kafka (real Mongo-wire server and Kafka)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kinerja_testing import Infra, Keys, register_employee, wait_for_event
from shared.clock import LOCAL_TIME

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
SEKDA = "196801011990031001"
VALUES = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]


class Api:
    def __init__(self, client: httpx.AsyncClient, keys: Keys) -> None:
        self.client, self.keys = client, keys

    async def call(self, method: str, path: str, who: tuple[str, ...], body: Any = None, **headers: str) -> Any:
        nip, *roles = who
        response = await self.client.request(
            method, f"/api/v1{path}", json=body, headers=self.keys.headers(nip, *roles) | headers
        )
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def refused(
        self, method: str, path: str, who: tuple[str, ...], body: Any = None, **headers: str
    ) -> httpx.Response:
        nip, *roles = who
        response = await self.client.request(
            method, f"/api/v1{path}", json=body, headers=self.keys.headers(nip, *roles) | headers
        )
        assert response.status_code >= 400
        return response


def skp_body(rhk_id: str, intervened: str | None) -> dict[str, Any]:
    return {
        "year": 2025,
        "rhk": [
            {
                "rhk_id": rhk_id,
                "kind": "utama",
                "text": "Meningkatnya cakupan imunisasi dasar lengkap",
                "intervened_rhk_id": intervened,
                "indicators": [
                    {
                        "indicator_id": f"{rhk_id}-i1",
                        "aspect": "kuantitas",
                        "text": "Cakupan imunisasi dasar lengkap",
                        "target": "95",
                        "unit": "%",
                    }
                ],
            }
        ],
    }


EXPECTATIONS = {
    "behaviour_expectations": [{"value": "kolaboratif", "expectation": "Aktif dalam lintas program"}],
    "leader_expectations": "Laporan bulanan tepat waktu",
}


async def approve(api: Api, owner: tuple[str, ...], appraiser: tuple[str, ...], body: dict[str, Any]) -> Any:
    skp = await api.call("POST", "/skp", owner, body)
    # The leader writes the expectations (PermenPANRB 6/2022 Pasal 5); the employee cannot.
    refused = await api.refused("PUT", f"/skp/{skp['id']}/expectations", owner, EXPECTATIONS, **{"If-Match": '"1"'})
    assert refused.status_code == 403
    skp = await api.call("PUT", f"/skp/{skp['id']}/expectations", appraiser, EXPECTATIONS, **{"If-Match": '"1"'})
    assert (skp["leader_expectations"], skp["expectations_set_by"]) == ("Laporan bulanan tepat waktu", appraiser[0])
    skp = await api.call("POST", f"/skp/{skp['id']}/submit", owner, None, **{"If-Match": f'"{skp["version"]}"'})
    return await api.call("POST", f"/skp/{skp['id']}/approve", appraiser, None, **{"If-Match": f'"{skp["version"]}"'})


async def finalised_period(
    api: Api, owner: tuple[str, ...], appraiser: tuple[str, ...], period: str, realisation: str
) -> Any:
    """A periodic evaluation with a realisation, rated Baik and finalised."""
    opened = await api.call("POST", "/evaluations", owner, {"nip": owner[0], "period": period})
    path = f"/evaluations/{opened['id']}"
    await api.call("PUT", f"{path}/realisations/r1-i1", owner, {"realisation": realisation})
    ratings = {
        "rhk_ratings": [{"rhk_id": "r1", "rating": "sesuai_ekspektasi"}],
        "behaviour_ratings": [{"value": v, "rating": "sesuai_ekspektasi"} for v in VALUES],
        "hasil_kerja": "sesuai_ekspektasi",
        "perilaku_kerja": "sesuai_ekspektasi",
    }
    await api.call("PATCH", f"{path}/ratings", appraiser, ratings)
    return await api.call("POST", f"{path}/finalise", appraiser)


async def test_a_year_from_plan_to_objection_and_the_opd_distribution(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str]
) -> None:
    api = Api(client, keys)
    admin = (BKPSDM, "admin_bkpsdm")
    kadis_nip, staff_nip = new_nip(), new_nip()
    kadis_owner, kadis = (kadis_nip, "pegawai"), (kadis_nip, "pejabat_penilai")
    staff = (staff_nip, "pegawai")
    sekda = (SEKDA, "pejabat_penilai", "atasan_pejabat_penilai")

    # Planning: the year, the registry, the cascaded SKPs.
    await api.call(
        "PUT",
        "/performance-years/2025",
        admin,
        {
            "frequency": "quarterly",
            "skp_due": "2025-01-31",
            "distribution_enforcement": "blocking",
            "objection_window_days": 14,
        },
    )
    for nip, opd, position, appraiser, atasan in (
        (SEKDA, "SETDA", "JPT", None, None),
        (kadis_nip, "DINKES", "JPT", SEKDA, None),
        (staff_nip, "DINKES", "JF", kadis_nip, SEKDA),
    ):
        await api.call(
            "POST",
            "/employees",
            admin,
            {
                "nip": nip,
                "name": f"Pegawai {nip[-3:]}",
                "employee_type": "PNS",
                "position_type": position,
                "opd_code": opd,
                "unit_code": "P2P",
                "pejabat_penilai_nip": appraiser,
                "atasan_pejabat_penilai_nip": atasan,
            },
        )
    await approve(api, kadis_owner, sekda, skp_body("kadis-r1", None))
    skp = await approve(api, staff, kadis, skp_body("r1", "kadis-r1"))
    assert skp["status"] == "approved"

    # Q1: the employee records realisation with evidence; the supervisor gives feedback and rates.
    q1 = await api.call("POST", "/evaluations", staff, {"nip": staff_nip, "period": "2025-Q1"})
    path = f"/evaluations/{q1['id']}"
    await api.call(
        "PUT",
        f"{path}/realisations/r1-i1",
        staff,
        {
            "realisation": "62",
            "evidence_links": ["https://drive.palembang.go.id/imunisasi-q1"],
            "note": "Stok vaksin terlambat datang",
        },
    )
    refused = await api.refused("PUT", f"{path}/realisations/r1-i1", kadis, {"realisation": "90"})
    assert refused.status_code == 403
    await api.call("POST", f"{path}/feedback", kadis, {"rhk_id": "r1", "text": "Koordinasikan dengan puskesmas"})
    suggestion = await api.call("GET", f"{path}/suggestion", kadis)
    assert suggestion["indicators"][0]["capaian"] == 65.3
    assert suggestion["rhk_ratings"] == {"r1": "di_bawah_ekspektasi"}
    assert suggestion["hasil_kerja"] == "di_bawah_ekspektasi"
    incomplete = await api.refused("POST", f"{path}/finalise", kadis)
    assert incomplete.json()["code"] == "evaluation_incomplete"
    await api.call(
        "PATCH",
        f"{path}/ratings",
        kadis,
        {
            "rhk_ratings": [{"rhk_id": "r1", "rating": "di_bawah_ekspektasi"}],
            "behaviour_ratings": [
                {"value": v, "rating": "di_bawah_ekspektasi" if v == "kolaboratif" else "sesuai_ekspektasi"}
                for v in VALUES
            ],
            "hasil_kerja": "di_bawah_ekspektasi",
            "perilaku_kerja": "sesuai_ekspektasi",
        },
    )
    finalised = await api.call("POST", f"{path}/finalise", kadis)
    assert (finalised["status"], finalised["predikat"], finalised["revision"]) == ("finalised", "butuh_perbaikan", 1)
    plan = finalised["development_plan"]
    assert plan["status"] == "awaiting_input"
    assert plan["escalated"] is False
    assert plan["due_on"] is None  # a periodic result: coaching, no improvement window (PP 30/2019 Pasal 57-58)
    closed = await api.refused("PUT", f"{path}/realisations/r1-i1", staff, {"realisation": "70"})
    assert closed.json()["code"] == "evaluation_finalised"

    _, completed = await wait_for_event(
        infra, "appraisal.completed.v1", lambda v: v["payload"]["appraisal_id"] == q1["id"]
    )
    [indicator] = completed["payload"]["indicators"]
    assert (indicator["target"], indicator["realisation"], indicator["achievement_pct"]) == ("95", "62", 65.3)
    assert completed["payload"]["unit_code"] == "P2P"
    assert (completed["payload"]["position_type"], completed["payload"]["employee_type"]) == ("JF", "PNS")
    assert completed["payload"]["sector"] == "kesehatan"
    assert len(completed["payload"]["behaviours"]) == 7
    _, flagged = await wait_for_event(
        infra, "appraisal.low_score_flagged.v1", lambda v: v["payload"]["appraisal_id"] == q1["id"]
    )
    assert flagged["payload"]["sector"] == "kesehatan"
    assert flagged["payload"]["weak_indicators"][0]["indicator_text"] == "Cakupan imunisasi dasar lengkap"
    assert flagged["payload"]["weak_behaviours"] == [{"value": "kolaboratif", "rating": "di_bawah_ekspektasi"}]
    assert flagged["payload"]["improvement_due"] is None
    assert flagged["payload"]["development_plan_appraisal_id"] == q1["id"]
    assert completed["payload"]["weak_behaviours"] == [{"value": "kolaboratif", "rating": "di_bawah_ekspektasi"}]
    assert flagged["payload"]["escalated_to_bkpsdm"] is False

    # Follow-up: the supervisor records cause and actions.
    planned = await api.call(
        "PUT",
        f"{path}/development-plan",
        kadis,
        {
            "cause": "kompetensi",
            "cause_note": "Belum pernah pelatihan manajemen imunisasi",
            "actions": ["coaching", "pelatihan"],
        },
    )
    assert planned["development_plan"]["status"] == "active"
    _, recorded = await wait_for_event(
        infra,
        "appraisal.development_plan_changed.v1",
        lambda v: v["payload"]["appraisal_id"] == q1["id"] and v["payload"]["status"] == "active",
    )
    assert (recorded["payload"]["cause"], recorded["payload"]["actions"]) == ("kompetensi", ["coaching", "pelatihan"])
    listed = await api.call("GET", "/development-plans?opd_code=DINKES", kadis)
    assert [e["id"] for e in listed["items"]] == [q1["id"]]

    # Objection: the employee objects; the atasan pejabat penilai upholds it with a changed rating.
    assert (await api.refused("POST", f"{path}/objection/decision", sekda, {"decision": "upheld"})).status_code == 409
    await api.call("POST", f"{path}/objection", staff, {"reason": "Keterlambatan vaksin di luar kendali saya"})
    again = await api.refused("POST", f"{path}/objection", staff, {"reason": "Sekali lagi"})
    assert again.json()["code"] == "objection_exists"
    assert (await api.refused("POST", f"{path}/objection/decision", kadis, {"decision": "upheld"})).status_code == 403
    # Hasil Kerja "sesuai" while the only RHK stays "di bawah": the atasan must say why (the note).
    unexplained = await api.refused(
        "POST", f"{path}/objection/decision", sekda, {"decision": "upheld", "hasil_kerja": "sesuai_ekspektasi"}
    )
    assert unexplained.json()["code"] == "justification_required"
    revised = await api.call(
        "POST",
        f"{path}/objection/decision",
        sekda,
        {
            "decision": "upheld",
            "hasil_kerja": "sesuai_ekspektasi",
            "note": "Kendala pasokan terbukti",
        },
    )
    assert (revised["predikat"], revised["revision"], revised["objection"]["status"]) == ("baik", 2, "upheld")
    assert revised["rating_justification"] == "Kendala pasokan terbukti"
    # Baik is no longer a low score: the plan is withdrawn (kolaboratif stays a development area).
    assert revised["development_plan"]["status"] == "withdrawn"
    _, revision2 = await wait_for_event(
        infra,
        "appraisal.completed.v1",
        lambda v: v["payload"]["appraisal_id"] == q1["id"] and v["payload"]["revision"] == 2,
    )
    assert revision2["payload"]["predikat"] == "baik"
    _, withdrawn = await wait_for_event(
        infra, "appraisal.low_score_withdrawn.v1", lambda v: v["payload"]["appraisal_id"] == q1["id"]
    )
    assert (withdrawn["payload"]["previous_predikat"], withdrawn["payload"]["predikat"]) == ("butuh_perbaikan", "baik")
    assert withdrawn["payload"]["development_plan_withdrawn"] is True

    # The annual evaluation opens once the year's periodic evaluations are final, and rolls them up.
    early = await api.refused("POST", "/evaluations", kadis, {"nip": staff_nip, "period": "2025"})
    assert (early.status_code, early.json()["code"]) == (409, "periods_not_final")
    for quarter, realised in (("Q2", "70"), ("Q3", "80"), ("Q4", "90")):
        await finalised_period(api, staff, kadis, f"2025-{quarter}", realised)
    annual = await api.call("POST", "/evaluations", kadis, {"nip": staff_nip, "period": "2025"})
    annual_path = f"/evaluations/{annual['id']}"
    # The indicator rolls up by its `rollup` (the default, last: the latest period's realisation).
    [prefilled] = annual["realisations"]
    assert (prefilled["realisation"], prefilled["rollup"]) == ("90", "last")
    assert prefilled["rolled_up_from"] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    rollup = await api.call("GET", f"{annual_path}/suggestion", kadis)
    assert rollup["periodic_results"][0] == {
        "period": "2025-Q1",
        "hasil_kerja": "sesuai_ekspektasi",
        "perilaku_kerja": "sesuai_ekspektasi",
        "predikat": "baik",
    }
    assert [r["period"] for r in rollup["periodic_results"]] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert (rollup["indicators"][0]["rolled_up"], rollup["indicators"][0]["capaian"]) == ("90", 94.7)
    assert rollup["rhk_ratings"] == {"r1": "di_bawah_ekspektasi"}  # suggested from the pre-filled realisation
    await api.call("PUT", f"{annual_path}/realisations/r1-i1", staff, {"realisation": "40"})
    await api.call(
        "PATCH",
        f"{annual_path}/ratings",
        kadis,
        {
            "rhk_ratings": [{"rhk_id": "r1", "rating": "di_bawah_ekspektasi"}],
            "behaviour_ratings": [{"value": v, "rating": "di_bawah_ekspektasi"} for v in VALUES],
            "hasil_kerja": "di_bawah_ekspektasi",
            "perilaku_kerja": "di_bawah_ekspektasi",
        },
    )
    annual = await api.call("POST", f"{annual_path}/finalise", kadis)
    assert annual["predikat"] == "sangat_kurang"
    # A low annual result opens its own plan and the 6-month improvement window (PP 30/2019 Pasal 57-58).
    window = dt.date.fromisoformat(annual["development_plan"]["due_on"]) - dt.datetime.now(LOCAL_TIME).date()
    assert dt.timedelta(days=178) <= window <= dt.timedelta(days=185)
    objected = await api.call("POST", f"{annual_path}/objection", staff, {"reason": "Data cakupan belum lengkap"})
    filed_on = dt.datetime.fromisoformat(objected["objection"]["filed_at"]).astimezone(LOCAL_TIME).date()
    assert dt.date.fromisoformat(objected["objection"]["decision_due"]) == filed_on + dt.timedelta(days=14)
    # Before deciding, the atasan asks the pejabat penilai to explain (Pasal 59(3)); only they answer.
    question = {"to": "pejabat_penilai", "question": "Apa dasar realisasi 40% pada cakupan imunisasi?"}
    asked = await api.call("POST", f"{annual_path}/objection/explanations", sekda, question)
    assert asked["objection"]["explanations"][0]["answer"] is None
    answer = {"answer": "Data puskesmas triwulan IV belum masuk saat penilaian"}
    wrong = await api.refused("PUT", f"{annual_path}/objection/explanations/0", staff, answer)
    assert wrong.status_code == 403
    explained = await api.call("PUT", f"{annual_path}/objection/explanations/0", kadis, answer)
    assert explained["objection"]["explanations"][0]["answered_by"] == kadis_nip

    # The OPD: the leader above its head (the Sekda) sets the organisation predikat, never the head whose
    # own organisation is judged; the distribution check blocks closing the year.
    own = await api.refused("PUT", "/opd/DINKES/years/2025/predikat", kadis, {"predikat": "istimewa"})
    assert own.status_code == 403
    report = await api.call("PUT", "/opd/DINKES/years/2025/predikat", sekda, {"predikat": "baik"})
    assert (await api.call("GET", "/opd/DINKES/years/2025/distribution", kadis))["org_predikat"] == "baik"
    assert report["counts"]["sangat_kurang"] == 1
    assert [v["rule"] for v in report["violations"]] == ["harus ada Butuh Perbaikan dan/atau Kurang/Misconduct"]
    assert [w["rule"] for w in report["warnings"]] == ["sebagian besar Baik (lebih dari setengah)"]  # never blocks
    blocked = await api.refused("POST", "/opd/DINKES/years/2025/close", admin)
    assert (blocked.status_code, blocked.json()["code"]) == (409, "distribution_violated")
    year = await client.get("/api/v1/performance-years/2025", headers=keys.headers(*admin))
    await api.call(
        "PUT",
        "/performance-years/2025",
        admin,
        {
            "frequency": "quarterly",
            "skp_due": "2025-01-31",
            "distribution_enforcement": "warning",
        },
        **{"If-Match": year.headers["etag"]},
    )
    closed_year = await api.call("POST", "/opd/DINKES/years/2025/close", admin)
    assert closed_year["closed"] is True
    late = await api.refused("PUT", "/opd/DINKES/years/2025/predikat", admin, {"predikat": "istimewa"})
    assert late.json()["code"] == "year_closed"

    # The objection filed in time is decided after the year closed (Pasal 59), and lifts the low result:
    # its plan and flag are withdrawn, and a consumer of the events sees it.
    lifted = await api.call(
        "POST",
        f"{annual_path}/objection/decision",
        sekda,
        {
            "decision": "upheld",
            "hasil_kerja": "sesuai_ekspektasi",
            "perilaku_kerja": "sesuai_ekspektasi",
            # The atasan changes the whole result, the parts too (Pasal 59(4)).
            "rhk_ratings": [{"rhk_id": "r1", "rating": "sesuai_ekspektasi"}],
            "behaviour_ratings": [{"value": v, "rating": "sesuai_ekspektasi"} for v in VALUES],
        },
    )
    assert (lifted["predikat"], lifted["revision"], lifted["development_plan"]["status"]) == ("baik", 2, "withdrawn")
    assert lifted["rhk_ratings"] == [{"rhk_id": "r1", "rating": "sesuai_ekspektasi"}]
    _, revised_year = await wait_for_event(
        infra,
        "appraisal.completed.v1",
        lambda v: v["payload"]["appraisal_id"] == annual["id"] and v["payload"]["revision"] == 2,
    )
    assert (revised_year["payload"]["weak_indicators"], revised_year["payload"]["weak_behaviours"]) == ([], [])
    _, withdrawn = await wait_for_event(
        infra, "appraisal.low_score_withdrawn.v1", lambda v: v["payload"]["appraisal_id"] == annual["id"]
    )
    assert withdrawn["payload"]["reason"] == "objection_upheld"
    for topic, status in (("appraisal.objection_filed.v1", None), ("appraisal.objection_decided.v1", "upheld")):
        _, objection = await wait_for_event(infra, topic, lambda v: v["payload"]["appraisal_id"] == annual["id"])
        assert objection["payload"].get("decision") == status
    _, plan_gone = await wait_for_event(
        infra,
        "appraisal.development_plan_changed.v1",
        lambda v: v["payload"]["appraisal_id"] == annual["id"] and v["payload"]["status"] == "withdrawn",
    )
    assert plan_gone["payload"]["due_on"] is not None  # the window the low annual result had opened
    assert (withdrawn["payload"]["revision"], withdrawn["payload"]["development_plan_withdrawn"]) == (2, True)
    assert (await api.refused("PUT", "/opd/DINKES/years/2025/predikat", staff, {"predikat": "baik"})).status_code == 403


async def test_a_second_consecutive_low_annual_predikat_is_escalated_to_the_bkpsdm(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str]
) -> None:
    api = Api(client, keys)
    admin = (BKPSDM, "admin_bkpsdm")
    nip = new_nip()
    low = {
        "nip": nip,
        "opd_code": "DISDIK",
        "hasil_kerja": "di_bawah_ekspektasi",
        "perilaku_kerja": "di_bawah_ekspektasi",
    }
    await register_employee(client, keys.headers(*admin), nip, "DISDIK")
    first = await api.call("POST", "/appraisals", admin, {**low, "period": "2025"})
    second = await api.call("POST", "/appraisals", admin, {**low, "period": "2026"})
    assert (first["predikat"], second["predikat"]) == ("sangat_kurang", "sangat_kurang")
    escalated = await api.call("GET", "/development-plans?escalated=true", admin)
    assert [e["id"] for e in escalated["items"]] == [f"{nip}-2026"]
    assert escalated["items"][0]["development_plan"]["escalated"] is True
    _, flagged = await wait_for_event(
        infra, "appraisal.low_score_flagged.v1", lambda v: v["payload"]["appraisal_id"] == f"{nip}-2026"
    )
    assert flagged["payload"]["escalated_to_bkpsdm"] is True


async def test_lists_narrowed_to_one_pejabat_penilai_show_only_theirs_within_what_the_caller_sees(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    """``?pejabat_penilai_nip=`` on the SKP, evaluation and development-plan lists (the portal's
    worklist): one appraiser's people only, never more than the caller may see anyway."""
    api = Api(client, keys)
    admin = (BKPSDM, "admin_bkpsdm")
    first, second, one, two = new_nip(), new_nip(), new_nip(), new_nip()
    await register_employee(client, keys.headers(*admin), SEKDA, "SETDA")
    if (await client.get("/api/v1/performance-years/2024", headers=keys.headers(*admin))).status_code == 404:
        await api.call("PUT", "/performance-years/2024", admin, {"frequency": "quarterly", "skp_due": "2024-01-31"})
    for nip, appraiser in ((first, SEKDA), (second, SEKDA), (one, first), (two, second)):
        await register_employee(client, keys.headers(*admin), nip, "DISDIK", pejabat_penilai_nip=appraiser)
    for nip, appraiser in ((one, first), (two, second)):
        await api.call("POST", "/skp", (nip, "pegawai"), skp_body("r1", None) | {"year": 2024})
        low = {"nip": nip, "opd_code": "DISDIK", "period": "2024", "pejabat_penilai_nip": appraiser}
        await api.call(
            "POST",
            "/appraisals",
            admin,
            low | {"hasil_kerja": "di_bawah_ekspektasi", "perilaku_kerja": "di_bawah_ekspektasi"},
        )

    def nips(page: dict[str, Any]) -> list[str]:
        return sorted(item["nip"] for item in page["items"])

    for path in ("/skp?year=2024", "/evaluations?year=2024", "/development-plans?status=awaiting_input"):
        narrowed = await api.call("GET", f"{path}&pejabat_penilai_nip={first}&limit=200", admin)
        assert nips(narrowed) == [one], path
        # the appraiser asking for another appraiser's people sees none of them
        theirs = await api.call("GET", f"{path}&pejabat_penilai_nip={second}", (first, "pejabat_penilai"))
        assert nips(theirs) == [], path
    active = await api.call("GET", f"/development-plans?status=active&pejabat_penilai_nip={first}", admin)
    assert active["items"] == []
    refused = await api.refused("GET", "/skp?pejabat_penilai_nip=12345", admin)
    assert refused.status_code == 422
