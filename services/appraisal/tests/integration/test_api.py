"""The appraisal API against the real Mongo-wire server and Kafka."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kinerja_testing import Infra, Keys, wait_for_event

pytestmark = pytest.mark.infra

APPRAISER = "197501012000031001"


def body(nip: str, **overrides: str) -> dict[str, str]:
    return {
        "nip": nip,
        "opd_code": "DINKES",
        "period": "2026-Q1",
        "hasil_kerja": "di_bawah_ekspektasi",
        "perilaku_kerja": "sesuai_ekspektasi",
        **overrides,
    }


async def test_recording_an_appraisal_derives_predikat_and_publishes_the_event(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    response = await client.post(
        "/api/v1/appraisals", json=body(nip), headers=keys.headers(APPRAISER, "pejabat_penilai")
    )
    assert response.status_code == 201, response.text
    appraisal = response.json()
    assert appraisal["predikat"] == "butuh_perbaikan"
    assert appraisal["pejabat_penilai_nip"] == APPRAISER
    assert response.headers["location"] == f"/api/v1/appraisals/{appraisal['id']}"

    key, event = await wait_for_event(
        infra, "appraisal.completed.v1", lambda v: v["payload"]["appraisal_id"] == appraisal["id"]
    )
    assert key == nip.encode()
    assert event["event_type"] == "appraisal.completed"
    assert event["producer"] == "appraisal"
    assert event["payload"] == {
        "appraisal_id": appraisal["id"],
        "revision": 1,
        "nip": nip,
        "opd_code": "DINKES",
        "period": "2026-Q1",
        "hasil_kerja": "di_bawah_ekspektasi",
        "perilaku_kerja": "sesuai_ekspektasi",
        "predikat": "butuh_perbaikan",
        "pejabat_penilai_nip": APPRAISER,
        "unit_code": None,
        "indicators": [],
        "behaviours": [],
    }


async def test_same_idempotency_key_returns_the_first_appraisal(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    headers = keys.headers(APPRAISER, "pejabat_penilai") | {"Idempotency-Key": "req-1"}
    payload = body(new_nip())
    first = await client.post("/api/v1/appraisals", json=payload, headers=headers)
    again = await client.post("/api/v1/appraisals", json=payload, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()


async def test_idempotency_key_reused_for_another_request_is_422(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    headers = keys.headers(APPRAISER, "pejabat_penilai") | {"Idempotency-Key": "req-2"}
    assert (await client.post("/api/v1/appraisals", json=body(new_nip()), headers=headers)).status_code == 201
    reused = await client.post("/api/v1/appraisals", json=body(new_nip()), headers=headers)
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"


async def test_second_appraisal_for_same_employee_and_period_is_409(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    headers = keys.headers(APPRAISER, "pejabat_penilai")
    payload = body(new_nip())
    assert (await client.post("/api/v1/appraisals", json=payload, headers=headers)).status_code == 201
    duplicate = await client.post("/api/v1/appraisals", json=payload, headers=headers)
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "appraisal_exists"


@pytest.mark.parametrize(
    ("field", "value"),
    [("nip", "12345"), ("period", "2026-Q5"), ("hasil_kerja", "luar_biasa"), ("opd_code", "dinkes kota")],
)
async def test_bad_input_is_422_naming_the_field(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str], field: str, value: str
) -> None:
    response = await client.post(
        "/api/v1/appraisals", json=body(new_nip()) | {field: value}, headers=keys.headers(APPRAISER, "admin_bkpsdm")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == f"body.{field}"


async def test_unknown_field_is_rejected(client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]) -> None:
    payload: dict[str, Any] = body(new_nip()) | {"predikat": "sangat_baik"}
    response = await client.post("/api/v1/appraisals", json=payload, headers=keys.headers(APPRAISER, "admin_bkpsdm"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.predikat"


async def test_pegawai_may_not_record_and_anonymous_is_401(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    assert (await client.post("/api/v1/appraisals", json=body(nip))).status_code == 401
    forbidden = await client.post("/api/v1/appraisals", json=body(nip), headers=keys.headers(nip, "pegawai"))
    assert forbidden.status_code == 403


async def test_appraisal_is_visible_to_its_employee_and_appraiser_only(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    nip, stranger = new_nip(), new_nip()
    created = await client.post(
        "/api/v1/appraisals", json=body(nip), headers=keys.headers(APPRAISER, "pejabat_penilai")
    )
    path = f"/api/v1/appraisals/{created.json()['id']}"
    assert (await client.get(path, headers=keys.headers(nip, "pegawai"))).status_code == 200
    assert (await client.get(path, headers=keys.headers(APPRAISER, "pejabat_penilai"))).status_code == 200
    assert (await client.get(path, headers=keys.headers(stranger, "admin_opd", opd_code="DINKES"))).status_code == 200
    hidden = await client.get(path, headers=keys.headers(stranger, "pegawai"))
    assert hidden.status_code == 404
    other_opd = await client.get(path, headers=keys.headers(stranger, "admin_opd", opd_code="DISDIK"))
    assert other_opd.status_code == 404


async def test_readyz_reports_kafka_and_mongodb(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"mongodb": "ok", "kafka": "ok"}}
    assert (await client.get("/healthz")).json() == {"status": "ok"}
