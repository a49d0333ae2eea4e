"""Follow-up of low results (PP 30/2019 Pasal 57-58; domain.md 1.8), through the API and Kafka: a low
periodic result is coached in one plan without the improvement window; a low annual Kurang or Sangat
Kurang opens the 6-month window; a good result is never flagged."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kinerja_testing import Infra, Keys, read_topic, wait_for_event
from shared.clock import LOCAL_TIME

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
LOW_HASIL = {"hasil_kerja": "di_bawah_ekspektasi", "perilaku_kerja": "sesuai_ekspektasi"}  # Butuh Perbaikan


async def register(client: httpx.AsyncClient, keys: Keys, nip: str) -> None:
    body = {"nip": nip, "name": "Pegawai", "employee_type": "PNS", "position_type": "JF", "opd_code": "DINKES"}
    response = await client.post("/api/v1/employees", json=body, headers=keys.headers(BKPSDM, "admin_bkpsdm"))
    assert response.status_code == 201, response.text


async def record(client: httpx.AsyncClient, keys: Keys, nip: str, period: str, **ratings: str) -> dict[str, Any]:
    """Record a result and return it as an evaluation (with its development plan)."""
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    body = {"nip": nip, "opd_code": "DINKES", "period": period, **ratings}
    response = await client.post("/api/v1/appraisals", json=body, headers=admin)
    assert response.status_code == 201, response.text
    evaluation = await client.get(f"/api/v1/evaluations/{response.json()['id']}", headers=admin)
    assert evaluation.status_code == 200, evaluation.text
    result: dict[str, Any] = evaluation.json()
    return result


async def flag_of(infra: Infra, appraisal_id: str) -> dict[str, Any]:
    _, event = await wait_for_event(
        infra, "appraisal.low_score_flagged.v1", lambda v: v["payload"]["appraisal_id"] == appraisal_id
    )
    payload: dict[str, Any] = event["payload"]
    return payload


async def test_low_periods_share_one_plan_without_a_window_and_a_low_year_opens_the_window(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    await register(client, keys, nip)
    q1 = await record(client, keys, nip, "2026-Q1", **LOW_HASIL)
    assert q1["predikat"] == "butuh_perbaikan"
    assert q1["development_plan"]["due_on"] is None
    first = await flag_of(infra, q1["id"])
    assert (first["improvement_due"], first["development_plan_appraisal_id"]) == (None, q1["id"])

    q2 = await record(client, keys, nip, "2026-Q2", **LOW_HASIL)
    assert q2["development_plan"] is None  # followed up in Q1's plan: one plan at a time
    second = await flag_of(infra, q2["id"])
    assert (second["improvement_due"], second["development_plan_appraisal_id"]) == (None, q1["id"])

    year = await record(
        client, keys, nip, "2026", hasil_kerja="di_bawah_ekspektasi", perilaku_kerja="di_bawah_ekspektasi"
    )
    assert year["predikat"] == "sangat_kurang"
    due = dt.date.fromisoformat(year["development_plan"]["due_on"])
    assert dt.timedelta(days=178) <= due - dt.datetime.now(LOCAL_TIME).date() <= dt.timedelta(days=185)
    annual = await flag_of(infra, year["id"])
    assert (annual["improvement_due"], annual["development_plan_appraisal_id"]) == (due.isoformat(), year["id"])


async def test_an_annual_butuh_perbaikan_opens_a_plan_but_no_window_and_a_good_result_is_never_flagged(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    await register(client, keys, nip)
    year = await record(client, keys, nip, "2026", **LOW_HASIL)
    assert (year["development_plan"]["status"], year["development_plan"]["due_on"]) == ("awaiting_input", None)
    assert (await flag_of(infra, year["id"]))["improvement_due"] is None

    good = await record(client, keys, nip, "2025", hasil_kerja="sesuai_ekspektasi", perilaku_kerja="sesuai_ekspektasi")
    assert (good["predikat"], good["development_plan"]) == ("baik", None)
    await wait_for_event(infra, "appraisal.completed.v1", lambda v: v["payload"]["appraisal_id"] == good["id"])
    flagged = [json.loads(r.value) for r in await read_topic(infra, "appraisal.low_score_flagged.v1") if r.value]
    assert not [f for f in flagged if f["payload"]["appraisal_id"] == good["id"]]
