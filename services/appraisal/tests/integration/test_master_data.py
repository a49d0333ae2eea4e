"""The OPD master data: seeded at start-up, maintained by the BKPSDM, and the only source of OPD codes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from kinerja_testing import Keys

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"


def employee(nip: str, opd_code: str) -> dict[str, Any]:
    return {"nip": nip, "name": "Pegawai Baru", "employee_type": "PNS", "position_type": "JF", "opd_code": opd_code}


async def test_the_city_is_seeded_and_every_caller_may_read_it(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    listed = await client.get("/api/v1/opd", headers=keys.headers(new_nip(), "pegawai"))
    assert listed.status_code == 200
    units = {u["code"]: u for u in listed.json()["items"]}
    assert listed.json()["total"] == 50
    assert units["DINKES"]["sector"] == "kesehatan"
    assert units["KEC-PLAJU"]["kind"] == "kecamatan"
    one = await client.get("/api/v1/opd/DISDIK", headers=keys.headers(new_nip(), "pegawai"))
    assert (one.json()["name"], one.headers["etag"]) == ("Dinas Pendidikan", '"1"')
    assert (await client.get("/api/v1/opd/NOPE", headers=keys.headers(new_nip(), "pegawai"))).status_code == 404


async def test_the_bkpsdm_adds_and_retires_units_and_no_path_names_an_unknown_one(
    client: httpx.AsyncClient,
    keys: Keys,
    new_nip: Callable[[], str],
    run_import: Callable[..., Awaitable[dict[str, Any]]],
) -> None:
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    unit = {"name": "UPT Puskesmas Plaju", "kind": "opd", "sector": "kesehatan"}
    admin = keys.headers(new_nip(), "admin_opd", opd_code="DINKES")
    assert (await client.put("/api/v1/opd/UPT-PLAJU", json=unit, headers=admin)).status_code == 403
    typo = await client.post("/api/v1/employees", json=employee(new_nip(), "UPT-PLAJU"), headers=bkpsdm)
    assert (typo.status_code, typo.json()["code"]) == (422, "unknown_opd")

    created = await client.put("/api/v1/opd/UPT-PLAJU", json=unit, headers=bkpsdm)
    assert created.status_code == 201, created.text
    assert (await client.put("/api/v1/opd/UPT-PLAJU", json=unit, headers=bkpsdm)).status_code == 412  # no If-Match
    nip = new_nip()
    assert (await client.post("/api/v1/employees", json=employee(nip, "UPT-PLAJU"), headers=bkpsdm)).status_code == 201

    retired = await client.put(
        "/api/v1/opd/UPT-PLAJU", json={**unit, "active": False}, headers=bkpsdm | {"If-Match": '"1"'}
    )
    assert (retired.status_code, retired.json()["active"]) == (200, False)
    late = await client.post("/api/v1/employees", json=employee(new_nip(), "UPT-PLAJU"), headers=bkpsdm)
    assert late.json()["code"] == "unknown_opd"
    moved = await client.patch(
        f"/api/v1/employees/{nip}", json={"unit_code": "P2P"}, headers=bkpsdm | {"If-Match": '"1"'}
    )
    assert moved.status_code == 200  # an existing record keeps its (retired) OPD
    to_unknown = await client.patch(
        f"/api/v1/employees/{nip}", json={"opd_code": "DINKESS"}, headers=bkpsdm | {"If-Match": '"2"'}
    )
    assert to_unknown.json()["code"] == "unknown_opd"
    header = "nip,name,employee_type,position_type,opd_code"
    job = await run_import(client, f"{header}\n{new_nip()},Pegawai,PNS,JF,DINKESS\n", bkpsdm)
    assert job["rejected"] == 1
    assert "OPD DINKESS tidak dikenal" in str(job["rejections"])


async def test_history_and_the_organisation_predikat_name_only_known_units(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    record = {"nip": new_nip(), "opd_code": "DINKESS", "period": "2025"}
    record |= {"hasil_kerja": "sesuai_ekspektasi", "perilaku_kerja": "sesuai_ekspektasi"}
    history = await client.post("/api/v1/appraisals", json=record, headers=bkpsdm)
    assert (history.status_code, history.json()["code"]) == (422, "unknown_opd")
    await client.put(
        "/api/v1/performance-years/2025", json={"frequency": "quarterly", "skp_due": "2025-01-31"}, headers=bkpsdm
    )
    org = await client.put("/api/v1/opd/DINKESS/years/2025/predikat", json={"predikat": "baik"}, headers=bkpsdm)
    assert org.status_code == 404
