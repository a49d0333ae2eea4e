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
from shared.events import (
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
TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
async def client(infra: Infra, service_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    settings = service_settings(Settings, seed_catalogue=True)
    await skip_history(infra, settings.consumer_group, DEFINITION.consumes)
    async with serve(create_app(settings)) as http:
        yield http


async def publish(infra: Infra, event: Event) -> None:
    await publish_raw(infra, event.topic, event.model_dump(mode="json"), event.key())


def registered(nip: str, opd: str, appraiser: str | None, position: str = "JF") -> EmployeeRegistered:
    snapshot = EmployeeSnapshot(
        nip=nip,
        name=f"Pegawai {nip[-3:]}",
        employee_type="PNS",
        position_type=position,
        position_title="Pengelola Imunisasi",
        opd_code=opd,
        unit_code="PKM-SEI-BAUNG",
        pejabat_penilai_nip=appraiser,
        version=1,
    )
    return EmployeeRegistered.create(snapshot, producer="test")


def low_score(nip: str, appraisal_id: str, appraiser: str) -> LowScoreFlagged:
    payload = LowScoreFlaggedPayload.model_validate(
        {
            "appraisal_id": appraisal_id,
            "nip": nip,
            "opd_code": "DINKES",
            "unit_code": "PKM-SEI-BAUNG",
            "sector": "kesehatan",
            "period": f"{TODAY.year}-Q2",
            "predikat": "butuh_perbaikan",
            "hasil_kerja": "di_bawah_ekspektasi",
            "perilaku_kerja": "sesuai_ekspektasi",
            "weak_indicators": [
                {
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
            ],
            "pejabat_penilai_nip": appraiser,
            "position_type": "JF",
            "employee_type": "PNS",
        }
    )
    return LowScoreFlagged.create(payload, producer="test")


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
    assert (await client.get(f"/api/v1/recommendations/{rec['id']}", headers=boss)).status_code == 200
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
