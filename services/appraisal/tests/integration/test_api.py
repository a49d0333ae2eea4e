"""Recording appraisals finalised elsewhere, and reading appraisals (real Mongo-wire server and Kafka)."""

from collections.abc import Callable

import httpx
import pytest

from kinerja_testing import Infra, Keys, register_employee, wait_for_event

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
APPRAISER = "197501012000031001"


def body(nip: str, **overrides: str) -> dict[str, str]:
    return {
        "nip": nip,
        "opd_code": "DINKES",
        "period": "2025",
        "hasil_kerja": "di_bawah_ekspektasi",
        "perilaku_kerja": "sesuai_ekspektasi",
        "pejabat_penilai_nip": APPRAISER,
        **overrides,
    }


async def test_recording_an_appraisal_derives_predikat_and_publishes_completed_and_low_score(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    await register_employee(client, keys.headers(BKPSDM, "admin_bkpsdm"), nip)
    response = await client.post("/api/v1/appraisals", json=body(nip), headers=keys.headers(BKPSDM, "admin_bkpsdm"))
    assert response.status_code == 201, response.text
    appraisal = response.json()
    assert appraisal["id"] == f"{nip}-2025"
    assert appraisal["predikat"] == "butuh_perbaikan"
    assert response.headers["location"] == f"/api/v1/appraisals/{nip}-2025"

    key, event = await wait_for_event(
        infra, "appraisal.completed.v1", lambda v: v["payload"]["appraisal_id"] == appraisal["id"]
    )
    assert key == nip.encode()
    assert event["event_type"] == "appraisal.completed"
    assert event["producer"] == "appraisal"
    payload = event["payload"]
    assert (payload["revision"], payload["predikat"], payload["period"]) == (1, "butuh_perbaikan", "2025")
    assert payload["pejabat_penilai_nip"] == APPRAISER
    _, flagged = await wait_for_event(
        infra, "appraisal.low_score_flagged.v1", lambda v: v["payload"]["appraisal_id"] == appraisal["id"]
    )
    assert flagged["payload"]["sector"] == "kesehatan"


async def test_same_idempotency_key_returns_the_first_appraisal(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    headers = keys.headers(BKPSDM, "admin_bkpsdm") | {"Idempotency-Key": "req-1"}
    payload = body(new_nip())
    await register_employee(client, headers, payload["nip"])
    first = await client.post("/api/v1/appraisals", json=payload, headers=headers)
    again = await client.post("/api/v1/appraisals", json=payload, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()


async def test_second_appraisal_for_same_employee_and_period_is_409(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    headers = keys.headers(BKPSDM, "admin_bkpsdm")
    payload = body(new_nip())
    await register_employee(client, headers, payload["nip"])
    assert (await client.post("/api/v1/appraisals", json=payload, headers=headers)).status_code == 201
    changed = payload | {"hasil_kerja": "di_atas_ekspektasi"}
    duplicate = await client.post("/api/v1/appraisals", json=changed, headers=headers | {"Idempotency-Key": "x"})
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
        "/api/v1/appraisals", json=body(new_nip()) | {field: value}, headers=keys.headers(BKPSDM, "admin_bkpsdm")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == f"body.{field}"


async def test_unknown_field_is_rejected(client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]) -> None:
    payload = body(new_nip()) | {"predikat": "sangat_baik"}
    response = await client.post("/api/v1/appraisals", json=payload, headers=keys.headers(BKPSDM, "admin_bkpsdm"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.predikat"


async def test_only_the_bkpsdm_records_and_anonymous_is_401(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    assert (await client.post("/api/v1/appraisals", json=body(nip))).status_code == 401
    for role in ("pegawai", "pejabat_penilai", "admin_opd"):
        response = await client.post("/api/v1/appraisals", json=body(nip), headers=keys.headers(APPRAISER, role))
        assert response.status_code == 403, role


async def test_recorded_appraisal_is_visible_to_its_employee_appraiser_and_opd_admin_only(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    nip, stranger = new_nip(), new_nip()
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    await register_employee(client, admin, APPRAISER, position_type="ADMINISTRATOR")
    await register_employee(client, admin, nip, pejabat_penilai_nip=APPRAISER)
    created = await client.post("/api/v1/appraisals", json=body(nip), headers=keys.headers(BKPSDM, "admin_bkpsdm"))
    path = f"/api/v1/appraisals/{created.json()['id']}"
    assert (await client.get(path, headers=keys.headers(nip, "pegawai"))).status_code == 200
    assert (await client.get(path, headers=keys.headers(APPRAISER, "pejabat_penilai"))).status_code == 200
    assert (await client.get(path, headers=keys.headers(stranger, "admin_opd", opd_code="DINKES"))).status_code == 200
    assert (await client.get(path, headers=keys.headers(stranger, "pegawai"))).status_code == 404
    assert (await client.get(path, headers=keys.headers(stranger, "admin_opd", opd_code="DISDIK"))).status_code == 404


async def test_readyz_reports_kafka_and_mongodb(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"mongodb": "ok", "kafka": "ok"}}
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_a_result_recorded_from_history_cannot_be_objected_to_and_rewritten(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    person = {"nip": nip, "name": "Pegawai", "employee_type": "PNS", "position_type": "JF", "opd_code": "DINKES"}
    assert (await client.post("/api/v1/employees", json=person, headers=admin)).status_code == 201
    recorded = await client.post("/api/v1/appraisals", json=body(nip), headers=admin)
    assert recorded.status_code == 201, recorded.text
    objection = await client.post(
        f"/api/v1/evaluations/{recorded.json()['id']}/objection",
        json={"reason": "Saya keberatan"},
        headers=keys.headers(nip, "pegawai"),
    )
    assert objection.status_code == 409, objection.text
    assert objection.json()["code"] == "recorded_history"


async def test_history_is_recorded_only_for_a_registered_employee_of_that_opd_in_a_period_of_the_year(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    nip = new_nip()
    unregistered = await client.post("/api/v1/appraisals", json=body(nip), headers=admin)
    assert (unregistered.status_code, unregistered.json()["code"]) == (422, "unregistered_employee")
    await register_employee(client, admin, nip, "DISDIK")
    elsewhere = await client.post("/api/v1/appraisals", json=body(nip), headers=admin)
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (422, "opd_mismatch")

    year = {"frequency": "quarterly", "skp_due": "2022-01-31"}
    assert (await client.put("/api/v1/performance-years/2022", json=year, headers=admin)).status_code in (200, 201)
    history = body(nip, opd_code="DISDIK")
    for period, status in (("2022-S1", 422), ("2022-03", 422), ("2022-Q2", 201), ("2022", 201), ("2019-05", 201)):
        response = await client.post("/api/v1/appraisals", json=history | {"period": period}, headers=admin)
        assert response.status_code == status, (period, response.text)
        if status == 422:
            assert response.json()["code"] == "period_not_in_year"
    # Neither a period that has not begun, nor one before 2000, nor digits other than ASCII ones.
    for period in ("2100", "9999-Q1", "1999", "0000"):
        response = await client.post("/api/v1/appraisals", json=history | {"period": period}, headers=admin)
        assert (response.status_code, response.json()["code"]) == (422, "period_out_of_range"), period
    for period in ("\uff12\uff10\uff12\uff10", "2020-Q\uff11", "\u0662\u0660\u0662\u0660"):
        response = await client.post("/api/v1/appraisals", json=history | {"period": period}, headers=admin)
        assert (response.status_code, response.json()["code"]) == (422, "validation_error"), period
    fullwidth_nip = "".join(chr(0xFF10 + int(d)) for d in nip)
    response = await client.post("/api/v1/appraisals", json=history | {"nip": fullwidth_nip}, headers=admin)
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    opened = await client.post(
        "/api/v1/evaluations", json={"nip": nip, "period": "\uff12\uff10\uff12\uff12"}, headers=admin
    )
    assert (opened.status_code, opened.json()["code"]) == (422, "validation_error")
    listed = (await client.get(f"/api/v1/evaluations?nip={nip}&limit=100", headers=admin)).json()
    assert sorted(e["period"] for e in listed["items"]) == ["2019-05", "2022", "2022-Q2"]


async def test_a_recorded_result_reads_as_an_evaluation_for_whom_may_see_it(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    nip, stranger = new_nip(), new_nip()
    await register_employee(client, admin, APPRAISER, position_type="ADMINISTRATOR")
    await register_employee(client, admin, nip, pejabat_penilai_nip=APPRAISER)
    recorded = await client.post("/api/v1/appraisals", json=body(nip), headers=admin)
    assert recorded.status_code == 201, recorded.text
    path = f"/api/v1/evaluations/{recorded.json()['id']}"
    readers = [
        keys.headers(nip, "pegawai"),
        keys.headers(APPRAISER, "pejabat_penilai"),
        keys.headers(stranger, "admin_opd", opd_code="DINKES"),
        admin,
    ]
    for headers in readers:
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        assert (response.json()["status"], response.json()["predikat"]) == ("finalised", "butuh_perbaikan")
    for headers in (keys.headers(stranger, "pegawai"), keys.headers(stranger, "admin_opd", opd_code="DISDIK")):
        assert (await client.get(path, headers=headers)).status_code == 404
