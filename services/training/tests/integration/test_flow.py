"""The issue's example end to end, on the real broker and database: a low score of an immunisation officer
yields a fitting recommendation; accepting enrols; completion adds the JP; a later better result shows in
effectiveness; a withdrawn flag withdraws the recommendation."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from kinerja_testing import (
    Infra,
    Keys,
    appraisal_completed,
    eventually,
    publish_raw,
    serve,
    skip_history,
    wait_for_event,
)
from shared.clock import LOCAL_TIME
from shared.events import (
    DevelopmentPlanChanged,
    DevelopmentPlanChangedPayload,
    EmployeeRegistered,
    EmployeeSnapshot,
    Event,
    LowScoreFlagged,
    LowScoreFlaggedPayload,
    LowScoreWithdrawn,
    LowScoreWithdrawnPayload,
    Predikat,
    RatingLevel,
)
from training.config import Settings
from training.main import DEFINITION, create_app

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
TODAY = dt.datetime.now(LOCAL_TIME).date()


@pytest.fixture
async def client(infra: Infra, service_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    settings = service_settings(Settings, seed_catalogue=True)
    await skip_history(infra, settings.consumer_group, DEFINITION.consumes)
    async with serve(create_app(settings)) as http:
        yield http


async def publish(infra: Infra, event: Event) -> None:
    await publish_raw(infra, event.topic, event.model_dump(mode="json"), event.key())


def registered(
    nip: str,
    opd: str,
    appraiser: str | None,
    position: str = "JF",
    employee_type: str = "PNS",
    contract_start: dt.date | None = None,
) -> EmployeeRegistered:
    snapshot = EmployeeSnapshot(
        nip=nip,
        name=f"Pegawai {nip[-3:]}",
        employee_type=employee_type,
        position_type=position,
        position_title="Pengelola Imunisasi",
        opd_code=opd,
        unit_code="PKM-SEI-BAUNG",
        pejabat_penilai_nip=appraiser,
        contract_start=contract_start,
        version=1,
    )
    return EmployeeRegistered.create(snapshot, producer="test")


def low_score(
    nip: str,
    appraisal_id: str,
    appraiser: str,
    indicator: dict[str, Any] | None = None,
    opd: str = "DINKES",
    sector: str = "kesehatan",
) -> LowScoreFlagged:
    payload = LowScoreFlaggedPayload.model_validate(
        {
            "appraisal_id": appraisal_id,
            "nip": nip,
            "opd_code": opd,
            "unit_code": "PKM-SEI-BAUNG",
            "sector": sector,
            "period": f"{TODAY.year}-Q2",
            "predikat": "butuh_perbaikan",
            "hasil_kerja": "di_bawah_ekspektasi",
            "perilaku_kerja": "sesuai_ekspektasi",
            "weak_indicators": [indicator or IMMUNISATION],
            "pejabat_penilai_nip": appraiser,
            "position_type": "JF",
            "employee_type": "PNS",
        }
    )
    return LowScoreFlagged.create(payload, producer="test")


IMMUNISATION: dict[str, Any] = {
    "rhk_id": "r1",
    "rhk_text": "Meningkatnya cakupan imunisasi dasar lengkap di wilayah puskesmas",
    "indicator_id": "r1-i1",
    "indicator_text": "Cakupan imunisasi dasar lengkap",
    "aspect": "kuantitas",
    "target": "95",
    "realisation": "62",
    "unit": "%",
    "achievement_pct": 65.3,
    "rating": "di_bawah_ekspektasi",
}
PARENTS: dict[str, Any] = {
    "rhk_id": "r2",
    "rhk_text": "Terlaksananya komunikasi dengan orang tua siswa kelas VII",
    "indicator_id": "r2-i1",
    "indicator_text": "Pertemuan dengan wali murid terlaksana",
    "aspect": "kuantitas",
    "target": "4",
    "realisation": "1",
    "unit": "kali",
    "rating": "di_bawah_ekspektasi",
}


async def session_today(http: httpx.AsyncClient, keys: Keys, capacity: int = 30) -> str:
    """Add a session running today to the seed's immunisation programme (the BKPSDM manages the catalogue)."""
    admin = keys.headers(BKPSDM, "admin_bkpsdm", opd_code="BKPSDM")
    current = await http.get("/api/v1/programmes/KES-IMUN-01", headers=admin)
    assert current.status_code == 200, current.text
    body: dict[str, Any] = {k: v for k, v in current.json().items() if k not in ("code", "modality", "version")}
    code = "KES-IMUN-01-T"
    body["sessions"] = [
        {k: s[k] for k in ("code", "starts_on", "ends_on", "capacity", "place", "online_link")}
        for s in body["sessions"]
    ] + [
        {
            "code": code,
            "starts_on": (TODAY - dt.timedelta(days=3)).isoformat(),
            "ends_on": TODAY.isoformat(),
            "capacity": capacity,
            "place": "Aula Dinas Kesehatan Kota Palembang",
        }
    ]
    put = await http.put(
        "/api/v1/programmes/KES-IMUN-01", json=body, headers=admin | {"If-Match": current.headers["etag"]}
    )
    assert put.status_code == 200, put.text
    assert any(s["code"] == code and s["seats_free"] == capacity for s in put.json()["sessions"])
    return code


async def test_low_score_to_recommendation_enrolment_completion_and_effectiveness(
    client: httpx.AsyncClient, infra: Infra, keys: Keys, new_nip: Callable[[], str]
) -> None:
    officer, appraiser = new_nip(), new_nip()
    await publish(infra, registered(appraiser, "DINKES", None, "PENGAWAS"))
    await publish(infra, registered(officer, "DINKES", appraiser))
    me = keys.headers(officer, "pegawai", opd_code="DINKES")
    boss = keys.headers(appraiser, "pejabat_penilai", opd_code="DINKES")
    opd_admin = keys.headers(new_nip(), "admin_opd", opd_code="DINKES")
    session = await session_today(client, keys)

    appraisal_id = f"{officer}-{TODAY.year}-Q2"
    await publish(infra, low_score(officer, appraisal_id, appraiser))

    async def recommended() -> dict[str, Any] | None:
        page = (await client.get("/api/v1/recommendations", headers=me)).json()
        return page["items"][0] if page["items"] else None

    rec = await eventually(recommended, within=60)
    assert rec["reason"] == "low_score"
    assert rec["status"] == "open"
    best = rec["programmes"][0]
    assert best["program_code"] == "KES-IMUN-01", rec["programmes"]
    assert best["explanation"].startswith("karena: ")
    assert "imunisasi" in best["explanation"]
    assert len({p["program_code"] for p in rec["programmes"]}) == len(rec["programmes"])
    _, event = await wait_for_event(
        infra, "training.recommended.v1", lambda v: v["payload"]["recommendation_id"] == rec["id"]
    )
    assert event["payload"]["programs"][0]["program_code"] == "KES-IMUN-01"

    # The team's pejabat penilai sees it; a colleague does not.
    async def boss_reads() -> bool:  # once the local copy has the registration (another topic, any order)
        return (await client.get(f"/api/v1/recommendations/{rec['id']}", headers=boss)).status_code == 200

    await eventually(boss_reads, within=60)
    stranger = keys.headers(new_nip(), "pegawai", opd_code="DINKES")
    assert (await client.get(f"/api/v1/recommendations/{rec['id']}", headers=stranger)).status_code == 404

    # The same event again (a redelivery) changes nothing: one recommendation.
    accepted = await client.post(
        f"/api/v1/recommendations/{rec['id']}/accept",
        json={"program_code": "KES-IMUN-01", "session_code": session},
        headers=me,
    )
    assert accepted.status_code == 200, accepted.text
    enrolment = accepted.json()["enrolment"]
    assert enrolment["status"] == "enrolled"
    assert accepted.json()["recommendation"]["status"] == "accepted"
    await wait_for_event(infra, "training.enrolled.v1", lambda v: v["payload"]["enrolment_id"] == enrolment["id"])

    completed = await client.post(
        f"/api/v1/enrolments/{enrolment['id']}/completion",
        json={"certificate_ref": "DINKES/IMUN/2026/001"},
        headers=opd_admin,
    )
    assert completed.status_code == 200, completed.text
    assert completed.json()["status"] == "completed"
    _, done = await wait_for_event(
        infra, "training.completed.v1", lambda v: v["payload"]["enrolment_id"] == enrolment["id"]
    )
    assert done["payload"]["jp_earned"] == 30
    assert done["payload"]["recommendation_id"] == rec["id"]
    ledger = (await client.get(f"/api/v1/ledger/{officer}?year={TODAY.year}", headers=me)).json()
    assert ledger["standing"]["earned_jp"] == 30
    assert ledger["standing"]["progress"] == "met"
    again = await client.post(
        f"/api/v1/enrolments/{enrolment['id']}/completion",
        json={"certificate_ref": "DINKES/IMUN/2026/001"},
        headers=opd_admin,
    )
    assert again.status_code == 200
    assert (await client.get(f"/api/v1/ledger/{officer}?year={TODAY.year}", headers=me)).json()["standing"][
        "earned_jp"
    ] == 30

    # A later, better result: the annual appraisal ends after the completion.
    later = appraisal_completed(
        appraisal_id=f"{officer}-{TODAY.year}",
        nip=officer,
        opd_code="DINKES",
        period=str(TODAY.year),
        predikat=Predikat.BAIK,
        hasil_kerja=RatingLevel.SESUAI_EKSPEKTASI,
    )
    await publish(infra, later)
    admin = keys.headers(BKPSDM, "admin_bkpsdm", opd_code="BKPSDM")

    async def improved() -> dict[str, Any] | None:
        body = (await client.get("/api/v1/effectiveness", headers=admin)).json()
        rows = [r for r in body["by_programme"] if r["key"] == "KES-IMUN-01"]
        return body if rows and rows[0]["n_improved"] == 1 else None

    body = await eventually(improved, within=60)
    row = next(r for r in body["by_programme"] if r["key"] == "KES-IMUN-01")
    assert (row["n_completed"], row["n_with_later_result"], row["improvement_rate"]) == (1, 1, 1.0)
    assert any(r["key"] == "low_score" and r["n_improved"] == 1 for r in body["by_need_kind"])


async def test_improved_results_in_one_batch_withdraw_each_open_low_score_recommendation(
    client: httpx.AsyncClient, infra: Infra, keys: Keys, new_nip: Callable[[], str]
) -> None:
    """Revised results that are no longer low, published back to back (so read in one batch, whose groups are
    read at once), withdraw the low-score recommendation of each appraisal and of no other."""
    appraiser = new_nip()
    officers = [new_nip() for _ in range(3)]
    ids = {nip: f"{nip}-{TODAY.year}-Q2" for nip in officers}
    for nip in officers:
        await publish(infra, registered(nip, "DINKES", appraiser))
        await publish(infra, low_score(nip, ids[nip], appraiser))

    async def statuses(nip: str) -> list[str]:
        me = keys.headers(nip, "pegawai", opd_code="DINKES")
        return [r["status"] for r in (await client.get("/api/v1/recommendations", headers=me)).json()["items"]]

    async def all_open() -> bool:
        return all([await statuses(nip) == ["open"] for nip in officers])

    await eventually(all_open, within=60)
    improved = officers[:2]  # the third keeps its low result
    for nip in improved + improved[:1]:  # the first one twice (redelivered)
        good = appraisal_completed(
            appraisal_id=ids[nip], revision=2, nip=nip, opd_code="DINKES", period=f"{TODAY.year}-Q2"
        )
        await publish(infra, good)

    async def settled() -> bool:
        return all([await statuses(nip) == ["withdrawn"] for nip in improved])

    await eventually(settled, within=60)
    assert await statuses(officers[2]) == ["open"]


async def test_a_withdrawn_flag_withdraws_the_open_recommendation(
    client: httpx.AsyncClient, infra: Infra, keys: Keys, new_nip: Callable[[], str]
) -> None:
    officer, appraiser = new_nip(), new_nip()
    await publish(infra, registered(officer, "DINKES", appraiser))
    me = keys.headers(officer, "pegawai", opd_code="DINKES")
    appraisal_id = f"{officer}-{TODAY.year}-Q3"
    flagged = low_score(officer, appraisal_id, appraiser)
    await publish(infra, flagged)
    await publish(infra, flagged)  # redelivered: still one recommendation

    async def listed() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (await client.get("/api/v1/recommendations", headers=me)).json()["items"]
        return items

    [rec] = await eventually(listed, within=60)
    assert rec["status"] == "open"
    payload = LowScoreWithdrawnPayload(
        appraisal_id=appraisal_id,
        revision=2,
        nip=officer,
        opd_code="DINKES",
        period=f"{TODAY.year}-Q3",
        predikat=Predikat.BAIK,
        previous_predikat=Predikat.BUTUH_PERBAIKAN,
        reason="objection_upheld",
        development_plan_withdrawn=True,
        pejabat_penilai_nip=appraiser,
    )
    await publish(infra, LowScoreWithdrawn.create(payload, producer="test"))

    async def withdrawn() -> bool:
        items = await listed()
        return len(items) == 1 and items[0]["status"] == "withdrawn"

    await eventually(withdrawn, within=60)
    declined = await client.post(f"/api/v1/recommendations/{rec['id']}/decline", json={"reason": "sudah"}, headers=me)
    assert declined.status_code == 409
    assert declined.json()["code"] == "recommendation_not_open"
    assert uuid.UUID(rec["id"])
    _, event = await wait_for_event(
        infra, "training.recommendation_withdrawn.v1", lambda v: v["payload"]["recommendation_id"] == rec["id"]
    )
    assert (event["payload"]["reason"], event["payload"]["source_appraisal_id"]) == (
        "low_score_withdrawn",
        appraisal_id,
    )


def plan_changed(nip: str, appraisal_id: str, status: str, cause: str, actions: list[str]) -> DevelopmentPlanChanged:
    payload = DevelopmentPlanChangedPayload(
        appraisal_id=appraisal_id,
        nip=nip,
        opd_code="DINKES",
        period=f"{TODAY.year}-Q2",
        status=status,
        cause=cause,
        actions=actions,
    )
    return DevelopmentPlanChanged.create(payload, producer="test")


async def recommendations_of(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await client.get("/api/v1/recommendations", headers=headers)).json()["items"]
    return items


async def test_a_development_plan_yields_a_recommendation_from_its_cause_and_actions(
    client: httpx.AsyncClient, infra: Infra, keys: Keys, new_nip: Callable[[], str]
) -> None:
    officer, appraiser = new_nip(), new_nip()
    await publish(infra, registered(officer, "DINKES", appraiser))
    me = keys.headers(officer, "pegawai", opd_code="DINKES")
    appraisal_id = f"{officer}-{TODAY.year}-Q2"
    await publish(infra, low_score(officer, appraisal_id, appraiser))

    async def by_reason(reason: str) -> dict[str, Any] | None:
        return next((r for r in await recommendations_of(client, me) if r["reason"] == reason), None)

    low = await eventually(lambda: by_reason("low_score"), within=60)
    # The pejabat penilai records the cause (workload) and the actions (training and coaching).
    await publish(infra, plan_changed(officer, appraisal_id, "active", "beban_kerja", ["pelatihan", "coaching"]))
    rec = await eventually(lambda: by_reason("development_plan"), within=60)
    # The best fit for workload answers the cause (performance management); the time-management and coaching
    # programmes were recommended for the low score already, so never again for this appraisal.
    best = rec["programmes"][0]
    assert "penyebab menurut pejabat penilai: beban kerja" in best["explanation"], rec["programmes"]
    assert "rencana pengembangan memuat pelatihan" in best["explanation"]
    assert {"MNJ-WAKTU-01", "COACH-KINERJA-01"} <= {p["program_code"] for p in low["programmes"]}
    assert not {p["program_code"] for p in rec["programmes"]} & {p["program_code"] for p in low["programmes"]}
    _, event = await wait_for_event(
        infra, "training.recommended.v1", lambda v: v["payload"]["recommendation_id"] == rec["id"]
    )
    assert event["payload"]["reason"] == "development_plan"

    # The plan is withdrawn: its recommendation is withdrawn, and an event says so; the low-score one stays open.
    await publish(infra, plan_changed(officer, appraisal_id, "withdrawn", "beban_kerja", ["pelatihan", "coaching"]))

    async def withdrawn() -> dict[str, Any] | None:
        found = await by_reason("development_plan")
        return found if found and found["status"] == "withdrawn" else None

    assert (await eventually(withdrawn, within=60))["withdrawn_because"] == "plan_withdrawn"
    _, gone = await wait_for_event(
        infra, "training.recommendation_withdrawn.v1", lambda v: v["payload"]["recommendation_id"] == rec["id"]
    )
    assert gone["payload"]["reason"] == "plan_withdrawn"
    assert (await by_reason("low_score") or {}).get("status") == "open"


async def test_a_teacher_weak_in_parent_communication_gets_the_parent_communication_programme(
    client: httpx.AsyncClient, infra: Infra, keys: Keys, new_nip: Callable[[], str]
) -> None:
    teacher, head = new_nip(), new_nip()
    await publish(infra, registered(teacher, "DISDIK", head))
    me = keys.headers(teacher, "pegawai", opd_code="DISDIK")
    # A low periodic score on the parent meetings: the parent-communication programme first.
    quarter = f"{teacher}-{TODAY.year}-Q2"
    await publish(infra, low_score(teacher, quarter, head, PARENTS, opd="DISDIK", sector="pendidikan"))

    async def of_appraisal(appraisal_id: str) -> dict[str, Any] | None:
        return next((r for r in await recommendations_of(client, me) if r["appraisal_id"] == appraisal_id), None)

    rec = await eventually(lambda: of_appraisal(quarter), within=60)
    assert rec["programmes"][0]["program_code"] == "DIK-ORTU-01", rec["programmes"]
    assert "karena: " in rec["programmes"][0]["explanation"]

    # A good (Baik) annual result that still names parent communication as a development area.
    annual = f"{teacher}-{TODAY.year}"
    good = appraisal_completed(
        appraisal_id=annual,
        nip=teacher,
        opd_code="DISDIK",
        period=str(TODAY.year),
        predikat=Predikat.BAIK,
        sector="pendidikan",
        employee_type="PNS",
        position_type="JF",
        weak_indicators=[{k: v for k, v in PARENTS.items() if k not in ("realisation", "unit")}],
    )
    await publish(infra, good)
    area = await eventually(lambda: of_appraisal(annual), within=60)
    assert (area["reason"], area["status"]) == ("development_area", "open")
    assert area["programmes"][0]["program_code"] == "DIK-ORTU-01"
    # Still open: a good result of another appraisal does not withdraw the quarter's low-score recommendation.
    assert (await of_appraisal(quarter) or {}).get("status") == "open"


async def test_external_learning_reported_with_evidence_and_approved_adds_jp_and_an_event(
    client: httpx.AsyncClient, infra: Infra, keys: Keys, new_nip: Callable[[], str]
) -> None:
    officer, appraiser = new_nip(), new_nip()
    await publish(infra, registered(officer, "DINKES", appraiser))
    me = keys.headers(officer, "pegawai", opd_code="DINKES")
    boss = keys.headers(appraiser, "pejabat_penilai", opd_code="DINKES")
    colleague = keys.headers(new_nip(), "pejabat_penilai", opd_code="DINKES")
    await eventually(lambda: _known(client, boss, officer), within=60)
    day = TODAY - dt.timedelta(days=1)
    reported = await client.post(
        "/api/v1/external-learning",
        json={
            "nip": officer,
            "title": "Seminar Nasional Imunisasi",
            "form": "seminar",
            "on": day.isoformat(),
            "days": 2,
            "evidence": "SERT/IDAI/2026/0042",
        },
        headers=me,
    )
    assert reported.status_code == 201, reported.text
    entry = reported.json()
    assert (entry["status"], entry["jp"]) == ("pending", 8)
    ledger = f"/api/v1/ledger/{officer}?year={day.year}"
    assert (await client.get(ledger, headers=me)).json()["standing"]["earned_jp"] == 0
    decision = f"/api/v1/external-learning/{entry['id']}/decision"
    assert (await client.post(decision, json={"approve": True}, headers=colleague)).status_code == 404
    assert (await client.post(decision, json={"approve": True}, headers=me)).status_code == 403
    approved = await client.post(decision, json={"approve": True}, headers=boss)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert (await client.get(ledger, headers=me)).json()["standing"]["earned_jp"] == 8
    _, event = await wait_for_event(
        infra, "training.completed.v1", lambda v: v["payload"]["enrolment_id"] == entry["id"]
    )
    payload = event["payload"]
    assert (payload["external_learning"], payload["jp_earned"], payload["program_code"]) == (True, 8, "EXTERNAL")
    assert (payload["certificate_ref"], payload["year"]) == ("SERT/IDAI/2026/0042", day.year)
    again = await client.post(decision, json={"approve": False}, headers=boss)
    assert (again.status_code, again.json()["code"]) == (409, "entry_decided")


async def _known(client: httpx.AsyncClient, headers: dict[str, str], nip: str) -> bool:
    """The local copy has the employee: their pejabat penilai (``headers``) may read their ledger."""
    response = await client.get(f"/api/v1/ledger/{nip}?year={TODAY.year}", headers=headers)
    return response.status_code == 200


async def _approved_external(
    client: httpx.AsyncClient, nip: str, jp: int, on: dt.date, me: dict[str, str], boss: dict[str, str]
) -> None:
    body = {"nip": nip, "title": f"Kursus {jp} JP", "form": "kursus", "on": on.isoformat(), "jp_stated": jp}
    evidence = f"SERT/{jp}/{on.isoformat()}"  # one certificate is reported once
    reported = await client.post("/api/v1/external-learning", json={**body, "evidence": evidence}, headers=me)
    assert reported.status_code == 201, reported.text
    decided = await client.post(
        f"/api/v1/external-learning/{reported.json()['id']}/decision", json={"approve": True}, headers=boss
    )
    assert decided.status_code == 200, decided.text


async def test_a_pppk_is_refused_beyond_24_jp_in_the_contract_year(
    client: httpx.AsyncClient, infra: Infra, keys: Keys, new_nip: Callable[[], str]
) -> None:
    """The cap counts from the contract start in the registry: learning before it belongs to the previous
    contract year (the calendar year would count it), and the JP planned in enrolments count too."""
    pppk, appraiser = new_nip(), new_nip()
    contract_start = TODAY - dt.timedelta(days=40)
    await publish(infra, registered(pppk, "DINKES", appraiser, employee_type="PPPK", contract_start=contract_start))
    me = keys.headers(pppk, "pegawai", opd_code="DINKES")
    boss = keys.headers(appraiser, "pejabat_penilai", opd_code="DINKES")
    admin = keys.headers(BKPSDM, "admin_bkpsdm", opd_code="BKPSDM")

    async def pppk_known() -> bool:
        people = await client.get(f"/api/v1/ledger/{pppk}?year={TODAY.year}", headers=me)
        return people.status_code == 200 and people.json()["standing"]["employee_type"] == "PPPK"

    await eventually(pppk_known, within=60)
    suffix = pppk[-4:]
    sessions = []
    for n in range(3):
        code = f"CAP{suffix}-{n}"
        starts = TODAY + dt.timedelta(days=10 + 5 * n)
        programme = {
            "title": f"E-learning Pelayanan Prima {n}",
            "form": "e_learning",
            "jp": 10,
            "minutes": 450,
            "competencies": ["pelayanan_prima"],
            "sessions": [
                {
                    "code": f"{code}-A",
                    "starts_on": starts.isoformat(),
                    "ends_on": (starts + dt.timedelta(days=1)).isoformat(),
                    "capacity": 10,
                    "online_link": "https://elearning.palembang.example/cap",
                }
            ],
        }
        put = await client.put(f"/api/v1/programmes/{code}", json=programme, headers=admin)
        assert put.status_code == 201, put.text
        sessions.append(f"{code}-A")

    # 20 JP before the contract start: the previous contract year.
    await _approved_external(client, pppk, 20, contract_start - dt.timedelta(days=20), me, boss)
    first = await client.post("/api/v1/enrolments", json={"nip": pppk, "session_code": sessions[0]}, headers=me)
    assert first.status_code == 201, first.text
    # 10 JP within the contract year + 10 JP planned = 20; another 10 JP would make 30.
    await _approved_external(client, pppk, 10, TODAY - dt.timedelta(days=5), me, boss)
    refused = await client.post("/api/v1/enrolments", json={"nip": pppk, "session_code": sessions[1]}, headers=me)
    assert (refused.status_code, refused.json()["code"]) == (422, "pppk_cap_exceeded")
    # Cancelling the planned one frees its JP: 10 used, 10 more fit.
    cancelled = await client.post(f"/api/v1/enrolments/{first.json()['id']}/cancel", headers=me)
    assert cancelled.status_code == 200, cancelled.text
    second = await client.post("/api/v1/enrolments", json={"nip": pppk, "session_code": sessions[2]}, headers=me)
    assert second.status_code == 201, second.text


async def test_odd_external_learning_is_refused_not_a_server_error(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    me = keys.headers(nip, "pegawai", opd_code="DINKES")
    body = {"nip": nip, "title": "Kursus", "form": "kursus", "jp_stated": 4, "evidence": "x"}
    for on, status, code in (("1999-01-01", 422, "date_too_old"), ("2999-01-01", 409, "date_in_future")):
        response = await client.post("/api/v1/external-learning", json={**body, "on": on}, headers=me)
        assert (response.status_code, response.json()["code"]) == (status, code)
    other = keys.headers(new_nip(), "pegawai", opd_code="DINKES")
    response = await client.post("/api/v1/external-learning", json={**body, "on": TODAY.isoformat()}, headers=other)
    assert response.status_code == 403
    admin = keys.headers(BKPSDM, "admin_bkpsdm", opd_code="BKPSDM")
    page = await client.get("/api/v1/effectiveness?limit=1&offset=0", headers=admin)
    assert page.status_code == 200, page.text
    assert len(page.json()["by_programme"]) <= 1
    assert page.json()["complete"] is True
    assert (await client.get("/api/v1/effectiveness", headers=me)).status_code == 403


# ---------------------------------------------------------------- the outside review's findings


async def _programme(
    client: httpx.AsyncClient, admin: dict[str, str], code: str, capacities: dict[str, int], version: str | None = None
) -> httpx.Response:
    starts = TODAY + dt.timedelta(days=30)
    body = {
        "title": f"E-learning Pelayanan Prima {code}",
        "form": "e_learning",
        "jp": 10,
        "minutes": 450,
        "competencies": ["pelayanan_prima"],
        "sessions": [
            {
                "code": session,
                "starts_on": (starts + dt.timedelta(days=3 * n)).isoformat(),
                "ends_on": (starts + dt.timedelta(days=3 * n + 1)).isoformat(),
                "capacity": capacity,
                "online_link": "https://elearning.palembang.example/review",
            }
            for n, (session, capacity) in enumerate(capacities.items())
        ],
    }
    return await client.put(
        f"/api/v1/programmes/{code}", json=body, headers=admin | ({"If-Match": version} if version else {})
    )


async def test_nobody_organises_or_approves_their_own_record(
    client: httpx.AsyncClient, infra: Infra, keys: Keys, new_nip: Callable[[], str]
) -> None:
    """An OPD admin's own enrolment: no attendance or completion by themselves (a colleague may); a pejabat
    penilai whom the registry names as their own appraiser cannot approve their own learning."""
    admin_nip, colleague_nip = new_nip(), new_nip()
    await publish(infra, registered(admin_nip, "DINKES", admin_nip))
    myself = keys.headers(admin_nip, "admin_opd", "pejabat_penilai", opd_code="DINKES")
    colleague = keys.headers(colleague_nip, "admin_opd", opd_code="DINKES")
    bkpsdm_self = keys.headers(admin_nip, "admin_bkpsdm", opd_code="DINKES")
    await eventually(lambda: _known(client, colleague, admin_nip), within=60)
    session = await session_today(client, keys)
    enrolled = await client.post("/api/v1/enrolments", json={"nip": admin_nip, "session_code": session}, headers=myself)
    assert enrolled.status_code == 201, enrolled.text
    enrolment = enrolled.json()["id"]
    for who in (myself, bkpsdm_self):
        attended = await client.post(f"/api/v1/enrolments/{enrolment}/attendance", headers=who)
        assert (attended.status_code, attended.json()["code"]) == (403, "forbidden")
        completed = await client.post(
            f"/api/v1/enrolments/{enrolment}/completion", json={"certificate_ref": "SELF/1"}, headers=who
        )
        assert (completed.status_code, completed.json()["code"]) == (403, "forbidden")
    attended = await client.post(f"/api/v1/enrolments/{enrolment}/attendance", headers=colleague)
    assert attended.status_code == 200, attended.text

    reported = await client.post(
        "/api/v1/external-learning",
        json={
            "nip": admin_nip,
            "title": "Kursus",
            "form": "kursus",
            "on": TODAY.isoformat(),
            "jp_stated": 4,
            "evidence": f"SELF/{admin_nip}",
        },
        headers=myself,
    )
    assert reported.status_code == 201, reported.text
    decided = await client.post(
        f"/api/v1/external-learning/{reported.json()['id']}/decision", json={"approve": True}, headers=myself
    )
    assert (decided.status_code, decided.json()["code"]) == (403, "forbidden")


async def test_the_same_evidence_is_reported_once_while_live(
    client: httpx.AsyncClient, infra: Infra, keys: Keys, new_nip: Callable[[], str]
) -> None:
    officer, appraiser = new_nip(), new_nip()
    await publish(infra, registered(officer, "DINKES", appraiser))
    me = keys.headers(officer, "pegawai", opd_code="DINKES")
    boss = keys.headers(appraiser, "pejabat_penilai", opd_code="DINKES")
    await eventually(lambda: _known(client, boss, officer), within=60)
    body = {
        "nip": officer,
        "title": "Seminar",
        "form": "seminar",
        "on": TODAY.isoformat(),
        "days": 1,
        "evidence": "SERT/SAMA/01",
    }
    first = await client.post("/api/v1/external-learning", json=body, headers=me)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/external-learning", json={**body, "title": "Seminar lagi"}, headers=me)
    assert (again.status_code, again.json()["code"]) == (409, "evidence_already_reported")
    decision = f"/api/v1/external-learning/{first.json()['id']}/decision"
    assert (await client.post(decision, json={"approve": True}, headers=boss)).status_code == 200
    again = await client.post("/api/v1/external-learning", json=body, headers=me)
    assert (again.status_code, again.json()["code"]) == (409, "evidence_already_reported")
    other = await client.post("/api/v1/external-learning", json={**body, "evidence": "SERT/LAIN/02"}, headers=me)
    assert other.status_code == 201, other.text
    rejected = f"/api/v1/external-learning/{other.json()['id']}/decision"
    assert (await client.post(rejected, json={"approve": False}, headers=boss)).status_code == 200
    resent = await client.post("/api/v1/external-learning", json={**body, "evidence": "SERT/LAIN/02"}, headers=me)
    assert resent.status_code == 201, resent.text
    ledger = (await client.get(f"/api/v1/ledger/{officer}?year={TODAY.year}", headers=me)).json()
    assert ledger["standing"]["earned_jp"] == 4


async def test_a_refused_programme_change_writes_nothing_and_held_sessions_stay(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm", opd_code="BKPSDM")
    code = f"REV{new_nip()[-6:]}"
    a, b, c = f"{code}-A", f"{code}-B", f"{code}-C"
    created = await _programme(client, admin, code, {a: 5, b: 2, c: 5})
    assert created.status_code == 201, created.text
    for _ in range(2):
        nip = new_nip()
        me = keys.headers(nip, "pegawai", opd_code="DINKES")
        enrolled = await client.post("/api/v1/enrolments", json={"nip": nip, "session_code": b}, headers=me)
        assert enrolled.status_code == 201, enrolled.text
    before = await client.get(f"/api/v1/programmes/{code}", headers=admin)
    etag = before.headers["etag"]

    # Session A grows, session B would shrink below its two seats taken: refused, and nothing written.
    refused = await _programme(client, admin, code, {a: 9, b: 1, c: 5}, etag)
    assert (refused.status_code, refused.json()["code"]) == (409, "capacity_below_taken")
    after = await client.get(f"/api/v1/programmes/{code}", headers=admin)
    assert after.headers["etag"] == etag
    assert {s["code"]: s["capacity"] for s in after.json()["sessions"]} == {a: 5, b: 2, c: 5}

    # Session B has seat holders: it cannot be dropped. Session C has none: it can.
    dropped = await _programme(client, admin, code, {a: 5, c: 5}, etag)
    assert (dropped.status_code, dropped.json()["code"]) == (409, "session_in_use")
    assert (await client.get(f"/api/v1/programmes/{code}", headers=admin)).headers["etag"] == etag
    kept = await _programme(client, admin, code, {a: 5, b: 2}, etag)
    assert kept.status_code == 200, kept.text

    # Nobody enrols in the session no longer in the catalogue.
    nip = new_nip()
    late = await client.post(
        "/api/v1/enrolments", json={"nip": nip, "session_code": c}, headers=keys.headers(nip, "pegawai")
    )
    assert (late.status_code, late.json()["code"]) == (404, "session_unknown")


async def test_a_low_score_older_than_a_known_good_result_opens_nothing(
    client: httpx.AsyncClient, infra: Infra, keys: Keys, new_nip: Callable[[], str]
) -> None:
    officer, appraiser = new_nip(), new_nip()
    await publish(infra, registered(officer, "DINKES", appraiser))
    me = keys.headers(officer, "pegawai", opd_code="DINKES")
    appraisal_id = f"{officer}-{TODAY.year}-Q2"
    # Revision 2 (an objection upheld) is Baik, with a development area: its recommendation shows it was handled.
    good = appraisal_completed(
        appraisal_id=appraisal_id,
        revision=2,
        nip=officer,
        opd_code="DINKES",
        period=f"{TODAY.year}-Q2",
        predikat=Predikat.BAIK,
        weak_indicators=[{k: v for k, v in IMMUNISATION.items() if k not in ("realisation", "unit")}],
    )
    await publish(infra, good)

    async def reasons() -> list[tuple[str, str, str]]:
        return [(r["appraisal_id"], r["reason"], r["status"]) for r in await recommendations_of(client, me)]

    await eventually(lambda: _having(reasons, (appraisal_id, "development_area", "open")), within=60)
    # Revision 1's flag arrives late; then a flag of another appraisal (same key, same partition: handled after).
    await publish(infra, low_score(officer, appraisal_id, appraiser))
    await publish(infra, plan_changed(officer, appraisal_id, "active", "beban_kerja", ["pelatihan"]))
    other = f"{officer}-{TODAY.year}-Q3"
    await publish(infra, low_score(officer, other, appraiser))
    await publish(infra, plan_changed(officer, other, "active", "beban_kerja", ["pelatihan"]))
    await eventually(lambda: _having(reasons, (other, "development_plan", "open")), within=60)
    await eventually(lambda: _having(reasons, (other, "low_score", "open")), within=60)
    assert not [r for r in await reasons() if r[0] == appraisal_id and r[1] != "development_area"], await reasons()


async def _having(read: Callable[[], Any], wanted: tuple[str, str, str]) -> bool:
    return wanted in await read()
