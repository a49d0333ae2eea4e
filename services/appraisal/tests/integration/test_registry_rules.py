"""Registry rules that guard access and data: no self-appraisal, no self-management, no clearing of
required fields, partial imports, list visibility that follows the registry, final annual results."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from kinerja_testing import Infra, Keys, eventually, register_employee, wait_for_event
from shared.mongo import MongoDocument

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"


def employee(nip: str, **fields: Any) -> dict[str, Any]:
    return {
        "nip": nip,
        "name": f"Pegawai {nip[-3:]}",
        "employee_type": "PNS",
        "position_type": "JF",
        "opd_code": "DINKES",
        **fields,
    }


async def register(client: httpx.AsyncClient, headers: dict[str, str], *nips: str, **fields: Any) -> None:
    for nip in nips:
        response = await client.post("/api/v1/employees", json=employee(nip, **fields), headers=headers)
        assert response.status_code == 201, response.text


async def test_nobody_appraises_themselves(client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    nip, other = new_nip(), new_nip()
    self_appraiser = await client.post("/api/v1/employees", json=employee(nip, pejabat_penilai_nip=nip), headers=admin)
    assert self_appraiser.status_code == 422
    same_pair = employee(nip, pejabat_penilai_nip=other, atasan_pejabat_penilai_nip=other)
    assert (await client.post("/api/v1/employees", json=same_pair, headers=admin)).status_code == 422
    await register(client, admin, other)
    await register(client, admin, nip, pejabat_penilai_nip=other)
    patched = await client.patch(
        f"/api/v1/employees/{nip}", json={"pejabat_penilai_nip": nip}, headers=admin | {"If-Match": '"1"'}
    )
    assert patched.status_code == 422
    assert "NIP pegawai itu sendiri" in patched.json()["detail"]


async def test_required_fields_cannot_be_cleared_and_opd_admins_do_not_manage_themselves(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    nip = new_nip()
    await client.post("/api/v1/employees", json=employee(nip), headers=admin)
    for field in ("employee_type", "name", "opd_code", "active", "position_type"):
        cleared = await client.patch(
            f"/api/v1/employees/{nip}", json={field: None}, headers=admin | {"If-Match": '"1"'}
        )
        assert cleared.status_code == 422, field
    own = keys.headers(nip, "admin_opd", opd_code="DINKES")
    promote = await client.patch(
        f"/api/v1/employees/{nip}", json={"position_type": "JPT"}, headers=own | {"If-Match": '"1"'}
    )
    assert promote.status_code == 403
    self_register = await client.post("/api/v1/employees", json=employee(new_nip()), headers=own)
    assert self_register.status_code == 201  # registering others of the OPD is their job
    newcomer = new_nip()
    assert (
        await client.post(
            "/api/v1/employees", json=employee(newcomer), headers=keys.headers(newcomer, "admin_opd", opd_code="DINKES")
        )
    ).status_code == 403


async def test_import_of_some_columns_leaves_the_others_alone_and_unreadable_csv_is_422(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    nip = new_nip()
    await client.post(
        "/api/v1/employees", json=employee(nip, email="lama@palembang.go.id", unit_code="P2P"), headers=admin
    )
    csv_text = f"nip,name,employee_type,position_type,opd_code\n{nip},Nama Baru,PNS,JF,DINKES\n"
    started = await client.post(
        "/api/v1/employee-imports", content=csv_text.encode(), headers=admin | {"content-type": "text/csv"}
    )
    location = started.headers["location"]

    async def done() -> bool:
        return bool((await client.get(location, headers=admin)).json()["status"] == "completed")

    await eventually(done)
    stored = (await client.get(f"/api/v1/employees/{nip}", headers=admin)).json()
    assert (stored["name"], stored["email"], stored["unit_code"]) == ("Nama Baru", "lama@palembang.go.id", "P2P")
    huge = b'nip,name,employee_type,position_type,opd_code\n"' + b"x" * 200_000 + b'",a,PNS,JF,DINKES\n'
    unreadable = await client.post(
        "/api/v1/employee-imports", content=huge, headers=admin | {"content-type": "text/csv"}
    )
    assert unreadable.status_code == 422


async def test_lists_follow_the_registry_when_the_appraiser_changes(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    nip, old, new = new_nip(), new_nip(), new_nip()
    await register(client, admin, old, new)
    await register(client, admin, nip, pejabat_penilai_nip=old)
    await client.post(
        "/api/v1/appraisals",
        json={
            "nip": nip,
            "opd_code": "DINKES",
            "period": "2025",
            "hasil_kerja": "sesuai_ekspektasi",
            "perilaku_kerja": "sesuai_ekspektasi",
            "pejabat_penilai_nip": old,
        },
        headers=admin,
    )
    await client.patch(
        f"/api/v1/employees/{nip}", json={"pejabat_penilai_nip": new}, headers=admin | {"If-Match": '"1"'}
    )
    seen_by_old = await client.get("/api/v1/evaluations", headers=keys.headers(old, "pejabat_penilai"))
    seen_by_new = await client.get("/api/v1/evaluations", headers=keys.headers(new, "pejabat_penilai"))
    assert seen_by_old.json()["total"] == 0
    assert [e["nip"] for e in seen_by_new.json()["items"]] == [nip]
    # One appraisal follows the same rule, whatever appraiser was recorded on it.
    one = f"/api/v1/appraisals/{nip}-2025"
    assert (await client.get(one, headers=keys.headers(old, "pejabat_penilai"))).status_code == 404
    assert (await client.get(one, headers=keys.headers(new, "pejabat_penilai"))).status_code == 200


async def test_annual_results_are_final_once_the_opd_year_is_closed(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    await client.put(
        "/api/v1/performance-years/2026", json={"frequency": "quarterly", "skp_due": "2026-01-31"}, headers=admin
    )
    record = {
        "opd_code": "DISDIK",
        "period": "2026",
        "hasil_kerja": "sesuai_ekspektasi",
        "perilaku_kerja": "sesuai_ekspektasi",
    }
    nips = [new_nip() for _ in range(3)]
    for nip in nips:
        await register_employee(client, admin, nip, "DISDIK")
    for nip in nips[:2]:
        await client.post("/api/v1/appraisals", json={"nip": nip, **record}, headers=admin)
    await client.put("/api/v1/opd/DISDIK/years/2026/predikat", json={"predikat": "baik"}, headers=admin)
    closed = await client.post("/api/v1/opd/DISDIK/years/2026/close", headers=admin)
    assert closed.json()["closed"] is True
    late = await client.post("/api/v1/appraisals", json={"nip": nips[2], **record}, headers=admin)
    assert late.status_code == 409
    assert late.json()["code"] == "year_closed"


async def test_a_csv_row_follows_the_same_rules_as_patch_an_opd_admin_cannot_change_their_own_record(
    client: httpx.AsyncClient,
    keys: Keys,
    new_nip: Callable[[], str],
    run_import: Callable[..., Awaitable[dict[str, Any]]],
) -> None:
    admin_nip, colleague, appraiser = new_nip(), new_nip(), new_nip()
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    await register(client, bkpsdm, admin_nip, colleague, appraiser)
    admin_opd = keys.headers(admin_nip, "admin_opd", opd_code="DINKES")
    header = "nip,name,employee_type,position_type,opd_code,pejabat_penilai_nip"
    job = await run_import(
        client,
        f"{header}\n{admin_nip},Kepala Baru,PNS,JPT,DINKES,{appraiser}\n{colleague},Rekan,PNS,JF,DINKES,{appraiser}\n",
        admin_opd,
    )
    assert (job["status"], job["rejected"], job["updated"]) == ("completed", 1, 1)
    assert job["rejections"] == {2: ["Admin OPD tidak boleh mengubah data dirinya sendiri; hubungi BKPSDM"]}
    own = (await client.get(f"/api/v1/employees/{admin_nip}", headers=bkpsdm)).json()
    assert (own["position_type"], own["pejabat_penilai_nip"], own["version"]) == ("JF", None, 1)


async def test_a_nip_twice_in_one_file_is_applied_in_file_order_across_chunks(
    client: httpx.AsyncClient,
    keys: Keys,
    new_nip: Callable[[], str],
    run_import: Callable[..., Awaitable[dict[str, Any]]],
) -> None:
    """1,203 rows: more than two chunks of 500, with one NIP on lines 2 and 3 (created, then renamed)."""
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    twice = new_nip()
    others = {new_nip() for _ in range(1200)} - {twice}
    lines = ["nip,name,employee_type,position_type,opd_code"]
    lines += [f"{twice},Nama Pertama,PNS,JF,DINKES", f"{twice},Nama Kedua,PNS,JF,DINKES"]
    lines += [f"{nip},Pegawai {nip[-4:]},PNS,JF,DISDIK" for nip in sorted(others)]
    lines.append("198602302015051001,Tanggal Salah,PNS,JF,DINKES")  # no 30 February
    job = await run_import(client, "\n".join(lines), bkpsdm)
    assert (job["total"], job["processed"]) == (len(others) + 3, len(others) + 3)
    assert (job["created"], job["updated"], job["rejected"]) == (len(others) + 1, 1, 1)
    assert list(job["rejections"]) == [len(others) + 4]
    stored = (await client.get(f"/api/v1/employees/{twice}", headers=bkpsdm)).json()
    assert (stored["name"], stored["version"]) == ("Nama Kedua", 2)
    listed = await client.get("/api/v1/employees?opd_code=DISDIK&limit=1", headers=bkpsdm)
    assert listed.json()["total"] >= len(others)


async def test_a_record_without_reader_keys_gets_them_with_its_next_change(
    client: httpx.AsyncClient,
    keys: Keys,
    new_nip: Callable[[], str],
    mongo_client: AsyncMongoClient[MongoDocument],
    unique: str,
) -> None:
    """A record written before ``readers`` existed (or by an older replica) is in no list but the
    BKPSDM's; any change through the API gives it its keys, as the start-up backfill does."""
    nip, then = new_nip(), datetime(2026, 1, 2, tzinfo=UTC)
    await mongo_client[f"test_{unique}"]["employees"].insert_one(
        {**employee(nip), "_id": nip, "active": True, "version": 1, "created_at": then, "updated_at": then}
    )
    own = keys.headers(nip, "pegawai")
    assert (await client.get("/api/v1/employees", headers=own)).json()["total"] == 0
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    patched = await client.patch(
        f"/api/v1/employees/{nip}", json={"position_title": "Analis"}, headers=bkpsdm | {"If-Match": '"1"'}
    )
    assert patched.status_code == 200, patched.text
    assert [e["nip"] for e in (await client.get("/api/v1/employees", headers=own)).json()["items"]] == [nip]


async def test_an_import_is_read_only_by_who_started_it_in_an_importing_role(
    client: httpx.AsyncClient,
    keys: Keys,
    new_nip: Callable[[], str],
    run_import: Callable[..., Awaitable[dict[str, Any]]],
) -> None:
    admin_nip = new_nip()
    admin = keys.headers(admin_nip, "admin_opd", opd_code="DINKES")
    job = await run_import(
        client, f"nip,name,employee_type,position_type,opd_code\n{new_nip()},A,PNS,JF,DINKES\n", admin
    )
    path = f"/api/v1/employee-imports/{job['id']}"
    assert (await client.get(path, headers=admin)).status_code == 200
    assert (await client.get(path, headers=keys.headers(admin_nip, "pegawai"))).status_code == 404
    assert (await client.get(f"{path}/rows", headers=keys.headers(admin_nip, "pegawai"))).status_code == 404
    assert (await client.get(path, headers=keys.headers(new_nip(), "admin_opd", opd_code="DINKES"))).status_code == 404
    assert (await client.get(path, headers=keys.headers(BKPSDM, "admin_bkpsdm"))).status_code == 200


async def test_a_deactivated_employee_can_no_longer_read_or_act_while_their_token_lives(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    appraiser, staff = new_nip(), new_nip()
    for nip, fields in ((appraiser, {}), (staff, {"pejabat_penilai_nip": appraiser})):
        assert (await client.post("/api/v1/employees", json=employee(nip, **fields), headers=bkpsdm)).status_code == 201
    token = keys.headers(appraiser, "pejabat_penilai")
    assert (await client.get(f"/api/v1/employees/{staff}", headers=token)).status_code == 200
    deactivated = await client.patch(
        f"/api/v1/employees/{appraiser}", json={"active": False}, headers=bkpsdm | {"If-Match": '"1"'}
    )
    assert deactivated.status_code == 200, deactivated.text
    refused = await client.get(f"/api/v1/employees/{staff}", headers=token)
    assert refused.status_code == 403
    assert refused.json()["code"] == "inactive"
    assert (await client.get("/api/v1/evaluations", headers=token)).status_code == 403


async def test_an_opd_admin_cannot_make_themselves_a_colleagues_appraiser_by_any_path(
    client: httpx.AsyncClient,
    keys: Keys,
    new_nip: Callable[[], str],
    run_import: Callable[..., Awaitable[dict[str, Any]]],
) -> None:
    """Separation of duties: the admin who holds the pejabat_penilai role too cannot name themselves
    (POST, PATCH, CSV row), so they never rate the colleague; another admin's change is audited."""
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    admin_nip, other_admin, colleague, newcomer = new_nip(), new_nip(), new_nip(), new_nip()
    await register(client, bkpsdm, admin_nip, other_admin, colleague)
    admin = keys.headers(admin_nip, "admin_opd", "pejabat_penilai", opd_code="DINKES")

    created = await client.post(
        "/api/v1/employees", json=employee(newcomer, pejabat_penilai_nip=admin_nip), headers=admin
    )
    assert created.status_code == 403
    assert created.json()["code"] == "separation_of_duties"
    patched = await client.patch(
        f"/api/v1/employees/{colleague}", json={"pejabat_penilai_nip": admin_nip}, headers=admin | {"If-Match": '"1"'}
    )
    assert patched.status_code == 403
    assert "tidak boleh menunjuk diri sendiri" in patched.json()["errors"][0]["message"]
    header = "nip,name,employee_type,position_type,opd_code,atasan_pejabat_penilai_nip"
    job = await run_import(client, f"{header}\n{colleague},Rekan,PNS,JF,DINKES,{admin_nip}\n", admin)
    assert (job["rejected"], job["updated"]) == (1, 0)
    assert "tidak boleh menunjuk diri sendiri sebagai atasan pejabat penilai" in job["rejections"][2][0]
    stored = (await client.get(f"/api/v1/employees/{colleague}", headers=bkpsdm)).json()
    assert (stored["pejabat_penilai_nip"], stored["atasan_pejabat_penilai_nip"], stored["version"]) == (None, None, 1)

    # Another admin of the OPD sets the link: allowed, and recorded with who and when.
    by_other = keys.headers(other_admin, "admin_opd", opd_code="DINKES")
    linked = await client.patch(
        f"/api/v1/employees/{colleague}",
        json={"pejabat_penilai_nip": admin_nip},
        headers=by_other | {"If-Match": '"1"'},
    )
    assert linked.status_code == 200, linked.text
    history = await client.get(
        f"/api/v1/employees/{colleague}/link-changes", headers=keys.headers(colleague, "pegawai")
    )
    assert history.status_code == 200
    [entry] = history.json()["items"]
    assert entry["by"] == other_admin
    assert entry["changes"] == [{"field": "pejabat_penilai_nip", "old": None, "new": admin_nip}]
    stranger = await client.get(
        f"/api/v1/employees/{colleague}/link-changes", headers=keys.headers(newcomer, "pegawai")
    )
    assert stranger.status_code == 404


async def test_appraiser_links_follow_the_hierarchy(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    admin = keys.headers(new_nip(), "admin_opd", opd_code="DINKES")
    sekda, kadis, kabid, staff, unknown, gone, peer = (new_nip() for _ in range(7))
    await register(client, bkpsdm, sekda, opd_code="SETDA", position_type="JPT")
    await register(client, bkpsdm, gone, peer)
    await client.patch(f"/api/v1/employees/{gone}", json={"active": False}, headers=bkpsdm | {"If-Match": '"1"'})

    # A head of OPD appraised by the Sekda (another OPD): the BKPSDM's link, not the OPD admin's.
    head = employee(kadis, position_type="JPT", pejabat_penilai_nip=sekda)
    refused = await client.post("/api/v1/employees", json=head, headers=admin)
    assert refused.status_code == 422
    # The same answer as for an NIP nobody registered: an OPD admin learns nothing of other OPDs.
    assert "minta BKPSDM untuk tautan lintas OPD" in refused.json()["errors"][0]["message"]
    nobody = await client.post("/api/v1/employees", json={**head, "pejabat_penilai_nip": unknown}, headers=admin)
    assert nobody.json()["errors"][0]["message"] == refused.json()["errors"][0]["message"].replace(sekda, unknown)
    await register(client, bkpsdm, kadis, position_type="JPT", pejabat_penilai_nip=sekda)
    await register(client, admin, kabid, position_type="ADMINISTRATOR", pejabat_penilai_nip=kadis)

    async def problem(body: dict[str, Any]) -> str:  # in English
        english = admin | {"Accept-Language": "en"}
        response = await client.post("/api/v1/employees", json=employee(staff, **body), headers=english)
        assert response.status_code == 422, response.text
        return str(response.json()["errors"][0]["message"])

    assert "not a registered employee of DINKES" in await problem({"pejabat_penilai_nip": unknown})
    assert "is not active" in await problem({"pejabat_penilai_nip": gone})
    wrong_atasan = await problem({"pejabat_penilai_nip": kabid, "atasan_pejabat_penilai_nip": peer})
    assert f"own pejabat penilai ({kadis})" in wrong_atasan
    await register(client, admin, staff, pejabat_penilai_nip=kabid, atasan_pejabat_penilai_nip=kadis)

    # No loop: the head cannot be appraised by someone they appraise.
    loop = await client.patch(
        f"/api/v1/employees/{kadis}",
        json={"pejabat_penilai_nip": staff, "atasan_pejabat_penilai_nip": None},
        headers=bkpsdm | {"If-Match": '"1"'},
    )
    assert loop.status_code == 422
    assert (
        f"{staff} dinilai (langsung atau melalui jenjang di bawahnya) oleh {kadis}"
        in (loop.json()["errors"][0]["message"])
    )


async def test_the_reports_atasan_follows_when_their_pejabat_penilais_own_pejabat_penilai_changes(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str]
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    sekda, asisten, kadis, kabid, staff = (new_nip() for _ in range(5))
    await register(client, admin, sekda, asisten, opd_code="SETDA", position_type="JPT")
    await register(client, admin, kadis, position_type="JPT", pejabat_penilai_nip=sekda)
    await register(client, admin, kabid, position_type="ADMINISTRATOR", pejabat_penilai_nip=kadis)
    await register(client, admin, staff, pejabat_penilai_nip=kadis, atasan_pejabat_penilai_nip=sekda)

    moved = await client.patch(
        f"/api/v1/employees/{kadis}", json={"pejabat_penilai_nip": asisten}, headers=admin | {"If-Match": '"1"'}
    )
    assert moved.status_code == 200, moved.text
    for report in (kabid, staff):
        record = (await client.get(f"/api/v1/employees/{report}", headers=admin)).json()
        assert record["atasan_pejabat_penilai_nip"] == asisten, report
        history = (await client.get(f"/api/v1/employees/{report}/link-changes", headers=admin)).json()
        newest = history["items"][0]
        assert newest["note"] == f"follows the pejabat penilai {kadis}"
        assert newest["changes"][0]["field"] == "atasan_pejabat_penilai_nip"
    # The new atasan reads the report's record now, the old one no longer does.
    assert (
        await client.get(f"/api/v1/employees/{staff}", headers=keys.headers(asisten, "atasan_pejabat_penilai"))
    ).status_code == 200
    assert (
        await client.get(f"/api/v1/employees/{staff}", headers=keys.headers(sekda, "atasan_pejabat_penilai"))
    ).status_code == 404
    _, event = await wait_for_event(
        infra,
        "employee.updated.v1",
        lambda v: v["payload"]["nip"] == kabid and v["payload"]["atasan_pejabat_penilai_nip"] == asisten,
    )
    assert event["payload"]["changed_fields"] == ["atasan_pejabat_penilai_nip"]

    to_ppk = await client.patch(
        f"/api/v1/employees/{kadis}", json={"pejabat_penilai_nip": "PPK"}, headers=admin | {"If-Match": '"2"'}
    )
    assert to_ppk.status_code == 200, to_ppk.text
    record = (await client.get(f"/api/v1/employees/{kabid}", headers=keys.headers("PPK", "ppk"))).json()
    assert record["atasan_pejabat_penilai_nip"] == "PPK"


async def test_link_changes_keep_the_newest_hundred_and_are_paginated(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    nip, first, second = new_nip(), new_nip(), new_nip()
    await register(client, admin, first, second, position_type="ADMINISTRATOR")
    await register(client, admin, nip)
    for version in range(1, 106):
        appraiser = first if version % 2 else second
        changed = await client.patch(
            f"/api/v1/employees/{nip}",
            json={"pejabat_penilai_nip": appraiser},
            headers=admin | {"If-Match": f'"{version}"'},
        )
        assert changed.status_code == 200, changed.text
    page = (await client.get(f"/api/v1/employees/{nip}/link-changes?limit=10", headers=admin)).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (100, 10, 0, 10)
    assert page["items"][0]["changes"][0]["new"] == first  # the 105th change, newest first
    tail = (await client.get(f"/api/v1/employees/{nip}/link-changes?limit=10&offset=95", headers=admin)).json()
    assert len(tail["items"]) == 5
    too_many = await client.get(f"/api/v1/employees/{nip}/link-changes?limit=500", headers=admin)
    assert too_many.status_code == 422


async def test_concurrent_patches_closing_a_loop_never_leave_one(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    for _ in range(5):
        x, y = new_nip(), new_nip()
        await register(client, admin, x, y, position_type="ADMINISTRATOR")

        async def link(nip: str, appraiser: str) -> httpx.Response:
            return await client.patch(
                f"/api/v1/employees/{nip}", json={"pejabat_penilai_nip": appraiser}, headers=admin | {"If-Match": '"1"'}
            )

        answers = await asyncio.gather(link(x, y), link(y, x))
        statuses = sorted(a.status_code for a in answers)
        # At most one stays; the other is refused by the check before its write (422) or undone after it (409).
        assert statuses != [200, 200], [a.text for a in answers]
        assert set(statuses) <= {200, 409, 422}, [a.text for a in answers]
        for answer in answers:
            if answer.status_code == 409:
                assert answer.json()["code"] == "link_race"
        stored_x = (await client.get(f"/api/v1/employees/{x}", headers=admin)).json()
        stored_y = (await client.get(f"/api/v1/employees/{y}", headers=admin)).json()
        assert not (stored_x["pejabat_penilai_nip"] == y and stored_y["pejabat_penilai_nip"] == x)


async def test_a_pppk_contract_start_is_validated_and_travels_in_the_registry_events(
    client: httpx.AsyncClient,
    infra: Infra,
    keys: Keys,
    new_nip: Callable[[], str],
    run_import: Callable[..., Awaitable[dict[str, Any]]],
) -> None:
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    pppk, pns, early, imported, imported_pns = (new_nip() for _ in range(5))
    created = await client.post(
        "/api/v1/employees", json=employee(pppk, employee_type="PPPK", contract_start="2024-03-01"), headers=bkpsdm
    )
    assert created.status_code == 201, created.text
    assert created.json()["contract_start"] == "2024-03-01"
    _, event = await wait_for_event(infra, "employee.registered.v1", lambda v: v["payload"]["nip"] == pppk)
    assert event["payload"]["contract_start"] == "2024-03-01"
    for nip, fields in (
        (pns, {"contract_start": "2024-03-01"}),
        (early, {"employee_type": "PPPK", "contract_start": "2018-12-31"}),
    ):
        refused = await client.post("/api/v1/employees", json=employee(nip, **fields), headers=bkpsdm)
        assert refused.status_code == 422, refused.text
        assert "contract_start" in refused.text
    # A PPPK who becomes PNS clears the contract start in the same change.
    kept = await client.patch(
        f"/api/v1/employees/{pppk}", json={"employee_type": "PNS"}, headers=bkpsdm | {"If-Match": '"1"'}
    )
    assert kept.status_code == 422, kept.text
    cleared = await client.patch(
        f"/api/v1/employees/{pppk}",
        json={"employee_type": "PNS", "contract_start": None},
        headers=bkpsdm | {"If-Match": '"1"'},
    )
    assert cleared.status_code == 200, cleared.text
    _, updated = await wait_for_event(infra, "employee.updated.v1", lambda v: v["payload"]["nip"] == pppk)
    assert updated["payload"]["contract_start"] is None
    assert "contract_start" in updated["payload"]["changed_fields"]
    # A CSV column of a SIASN-style export, a day-first date read with a note; a PNS row with one is refused.
    header = "NIP,NAMA,JENIS PEGAWAI,JENIS JABATAN,KODE OPD,TMT PPPK"
    job = await run_import(
        client,
        f"{header}\n{imported},Kontrak,P3K,JF,DINKES,01-07-2025\n{imported_pns},Tetap,PNS,JF,DINKES,2025-07-01\n",
        bkpsdm,
    )
    assert (job["created"], job["rejected"]) == (1, 1), job
    assert list(job["rejections"]) == [3]
    stored = (await client.get(f"/api/v1/employees/{imported}", headers=bkpsdm)).json()
    assert (stored["employee_type"], stored["contract_start"]) == ("PPPK", "2025-07-01")
