"""The employee registry through the HTTP API, against the real Mongo-wire server and Kafka."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from kinerja_testing import Infra, Keys, wait_for_event

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
APPRAISER = "197501012000031001"


def employee(nip: str, **overrides: Any) -> dict[str, Any]:
    return {
        "nip": nip,
        "name": "dr. Siti Rahmawati",
        "email": "siti@palembang.go.id",
        "employee_type": "PNS",
        "position_type": "JF",
        "position_title": "Epidemiolog Kesehatan Ahli Muda",
        "opd_code": "DINKES",
        "unit_code": "P2P",
        "pejabat_penilai_nip": APPRAISER,
        **overrides,
    }


@pytest.fixture(autouse=True)
async def registered_appraiser(client: httpx.AsyncClient, keys: Keys) -> None:
    """The pejabat penilai the records below name is registered (a link names registered people only)."""
    body = employee(APPRAISER, pejabat_penilai_nip=None, name="dr. Ahmad Fauzi")
    response = await client.post("/api/v1/employees", json=body, headers=keys.headers(BKPSDM, "admin_bkpsdm"))
    assert response.status_code == 201, response.text


async def test_register_publishes_employee_registered_and_returns_an_etag(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    response = await client.post("/api/v1/employees", json=employee(nip), headers=keys.headers(BKPSDM, "admin_bkpsdm"))
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    assert response.json()["version"] == 1
    key, event = await wait_for_event(infra, "employee.registered.v1", lambda v: v["payload"]["nip"] == nip)
    assert key == nip.encode()
    assert event["payload"]["opd_code"] == "DINKES"
    assert event["payload"]["version"] == 1


async def test_invalid_nip_is_422_naming_the_wrong_part(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await client.post(
        "/api/v1/employees", json=employee("198602302015051001"), headers=keys.headers(BKPSDM, "admin_bkpsdm")
    )
    assert response.status_code == 422
    assert response.json()["code"] == "rule_violation"
    assert "tanggal lahir yang valid" in response.json()["detail"]  # Bahasa Indonesia unless asked otherwise
    english = await client.post(
        "/api/v1/employees",
        json=employee("198602302015051001"),
        headers=keys.headers(BKPSDM, "admin_bkpsdm") | {"Accept-Language": "en"},
    )
    assert english.json()["code"] == "rule_violation"
    assert "valid birth date" in english.json()["detail"]


async def test_duplicate_nip_is_409_and_other_opd_admin_is_403(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    own = keys.headers(BKPSDM, "admin_opd", opd_code="DINKES")
    assert (await client.post("/api/v1/employees", json=employee(nip), headers=own)).status_code == 201
    assert (await client.post("/api/v1/employees", json=employee(nip), headers=own)).status_code == 409
    other = keys.headers(BKPSDM, "admin_opd", opd_code="DISDIK")
    assert (await client.post("/api/v1/employees", json=employee(new_nip()), headers=other)).status_code == 403
    pegawai = keys.headers(nip, "pegawai")
    assert (await client.post("/api/v1/employees", json=employee(new_nip()), headers=pegawai)).status_code == 403


async def test_a_conflict_with_another_opds_record_names_neither_the_person_nor_the_opd(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str], run_import: Callable[..., Awaitable[Any]]
) -> None:
    nip = new_nip()
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    assert (await client.post("/api/v1/employees", json=employee(nip), headers=bkpsdm)).status_code == 201
    disdik = keys.headers(new_nip(), "admin_opd", opd_code="DISDIK")
    mine = employee(nip, opd_code="DISDIK", pejabat_penilai_nip=None, name="Guru Baru")
    taken = await client.post("/api/v1/employees", json=mine, headers=disdik)
    assert taken.status_code == 409
    assert "DINKES" not in taken.text
    assert "Siti" not in taken.text
    header = "nip,name,employee_type,position_type,opd_code"
    job = await run_import(client, f"{header}\n{nip},Guru Baru,PNS,JF,DISDIK\n", disdik)
    assert job["rejected"] == 1
    assert "DINKES" not in str(job["rejections"])
    assert "Siti" not in str(job["rejections"])


async def test_update_needs_the_current_version_and_publishes_the_changed_fields(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    await client.post("/api/v1/employees", json=employee(nip), headers=admin)
    path = f"/api/v1/employees/{nip}"
    change = {"position_title": "Epidemiolog Kesehatan Ahli Madya"}
    missing = await client.patch(path, json=change, headers=admin)
    assert missing.status_code == 428
    updated = await client.patch(path, json=change, headers=admin | {"If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert updated.headers["etag"] == '"2"'
    stale = await client.patch(path, json={"unit_code": "KESMAS"}, headers=admin | {"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "version_conflict"
    _, event = await wait_for_event(
        infra, "employee.updated.v1", lambda v: v["payload"]["nip"] == nip and v["payload"]["version"] == 2
    )
    assert event["payload"]["changed_fields"] == ["position_title"]
    assert event["payload"]["position_title"] == "Epidemiolog Kesehatan Ahli Madya"
    same = await client.patch(path, json=change, headers=admin | {"If-Match": '"2"'})
    assert same.json()["version"] == 2  # nothing changed: no new version, no event


async def test_list_shows_only_what_the_caller_may_see(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    appraiser = new_nip()
    reports = [new_nip() for _ in range(3)]
    for nip, appraised_by in [(appraiser, None), *((nip, appraiser) for nip in reports)]:
        created = await client.post(
            "/api/v1/employees", json=employee(nip, pejabat_penilai_nip=appraised_by), headers=admin
        )
        assert created.status_code == 201, created.text
    other = new_nip()
    await client.post("/api/v1/employees", json=employee(other, opd_code="DISDIK"), headers=admin)

    mine = await client.get("/api/v1/employees", headers=keys.headers(appraiser, "pejabat_penilai"))
    assert sorted(e["nip"] for e in mine.json()["items"]) == sorted([appraiser, *reports])  # their own, and reports
    page = await client.get("/api/v1/employees?limit=2&offset=0", headers=keys.headers(appraiser, "pejabat_penilai"))
    assert (page.json()["total"], len(page.json()["items"])) == (4, 2)
    self_only = await client.get("/api/v1/employees", headers=keys.headers(reports[0], "pegawai"))
    assert [e["nip"] for e in self_only.json()["items"]] == [reports[0]]
    disdik = await client.get(
        "/api/v1/employees?opd_code=DISDIK", headers=keys.headers(BKPSDM, "admin_opd", opd_code="DINKES")
    )
    assert disdik.json()["total"] == 0
    hidden = await client.get(f"/api/v1/employees/{other}", headers=keys.headers(reports[0], "pegawai"))
    assert hidden.status_code == 404


async def test_csv_import_reports_each_row_and_a_rerun_changes_nothing(
    client: httpx.AsyncClient,
    keys: Keys,
    new_nip: Callable[[], str],
    run_import: Callable[..., Awaitable[dict[str, Any]]],
) -> None:
    good = [new_nip() for _ in range(3)]
    header = "nip;name;employee_type;position_type;opd_code;unit_code;pejabat_penilai_nip"
    lines = [header] + [f"{nip};Pegawai {i};PNS;PELAKSANA;DINKES;P2P;{APPRAISER}" for i, nip in enumerate(good)]
    lines += [
        f"198602302015051001;Tanggal Salah;PNS;PELAKSANA;DINKES;;{APPRAISER}",  # invalid birth date
        f"{new_nip()};Tanpa Jabatan;PNS;;DINKES;;",  # missing position_type
        f"{new_nip()};OPD Lain;PNS;JF;DISDIK;;",  # an admin_opd of DINKES may not
    ]
    admin_opd = keys.headers(BKPSDM, "admin_opd", opd_code="DINKES")
    job = await run_import(client, "\n".join(lines), admin_opd)
    assert (job["total"], job["created"], job["rejected"], job["updated"]) == (6, 3, 3, 0)
    rows = (await client.get(job["rows_url"] + "?limit=200", headers=admin_opd)).json()
    assert rows["total"] == 6
    outcomes = {row["row"]: (row["outcome"], row["errors"]) for row in rows["items"]}
    rejected = (await client.get(job["rows_url"] + "?outcome=rejected", headers=admin_opd)).json()
    assert [r["row"] for r in rejected["items"]] == [5, 6, 7]
    assert outcomes[2] == ("created", [])
    assert outcomes[5][0] == "rejected"
    assert "tanggal lahir yang valid" in outcomes[5][1][0]
    assert outcomes[6][0] == "rejected"
    assert outcomes[6][1][0].startswith("position_type")
    assert outcomes[7] == ("rejected", ["Anda tidak berwenang mendaftarkan pegawai OPD DISDIK"])
    english = await client.get(job["rows_url"] + "?outcome=rejected", headers=admin_opd | {"Accept-Language": "en"})
    assert english.headers["Content-Language"] == "en"
    assert "valid birth date" in english.json()["items"][0]["errors"][0]
    assert english.json()["items"][2]["errors"] == ["You may not register employees of OPD DISDIK"]
    assert (await client.get(f"/api/v1/employees/{good[0]}", headers=admin_opd)).json()["name"] == "Pegawai 0"

    lines[1] = f"{good[0]};Pegawai Nol;PNS;PELAKSANA;DINKES;P2P;{APPRAISER}"  # one renamed
    again = await run_import(client, "\n".join(lines[:4]), admin_opd)
    assert (again["updated"], again["unchanged"], again["created"]) == (1, 2, 0)


async def test_csv_with_a_bad_header_is_refused_at_once(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await client.post(
        "/api/v1/employee-imports",
        content=b"nip,golongan,NAMA,name\n198609262015051001,III/a,Siti,Siti\n",
        headers=keys.headers(BKPSDM, "admin_bkpsdm") | {"content-type": "text/csv"},
    )
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"]]
    assert "kolom tidak ada: opd_code" in messages
    assert "kolom tidak dikenal: golongan" in messages
    assert "dua kolom sama-sama berisi name" in messages  # NAMA (SIASN) and name


async def test_control_characters_are_refused_in_a_body_and_in_a_csv_row(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str], run_import: Callable[..., Awaitable[Any]]
) -> None:
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    nip = new_nip()
    refused = await client.post("/api/v1/employees", json=employee(nip, name="Siti\x1b[31m"), headers=bkpsdm)
    assert refused.status_code == 422
    assert "name: karakter kontrol U+001B tidak diizinkan" in refused.text
    header = "nip,name,employee_type,position_type,opd_code"
    job = await run_import(client, f"{header}\n{nip},=HYPERLINK(\x07),PNS,JF,DINKES\n", bkpsdm)
    assert job["rejected"] == 1
    assert "karakter kontrol U+0007" in str(job["rejections"])
    assert (await client.get(f"/api/v1/employees/{nip}", headers=bkpsdm)).status_code == 404


async def test_a_siasn_style_export_is_read_with_its_indonesian_columns_and_values(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str], run_import: Callable[..., Awaitable[Any]]
) -> None:
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    teacher, clerk, odd = new_nip(), new_nip(), new_nip()
    lines = [
        "NIP;NAMA;JENIS PEGAWAI;JENIS JABATAN;JABATAN;KODE OPD;UNIT KERJA",
        f"{teacher};Rina Marlina, S.Pd.;PNS;Fungsional Tertentu;Guru Ahli Pertama;DISDIK;SMPN-1",
        f"{clerk};Budi Santoso;CPNS;JFU;Pengadministrasi Umum;DISDIK;",
        f"{odd};Andi;PNS;Struktural;Kepala Seksi;DISDIK;",
    ]
    job = await run_import(client, "\n".join(lines), bkpsdm)
    assert (job["created"], job["rejected"]) == (2, 1)
    assert "position_type" in job["rejections"][4][0]  # 'Struktural' is ambiguous: refused, not guessed
    stored = (await client.get(f"/api/v1/employees/{teacher}", headers=bkpsdm)).json()
    assert (stored["position_type"], stored["position_title"], stored["unit_code"]) == (
        "JF",
        "Guru Ahli Pertama",
        "SMPN-1",
    )
    rows = (await client.get(job["rows_url"] + "?outcome=created", headers=bkpsdm)).json()["items"]
    assert {row["row"]: row["notes"] for row in rows} == {
        2: ["position_type: 'Fungsional Tertentu' dibaca sebagai JF"],
        3: ["employee_type: 'CPNS' dibaca sebagai PNS", "position_type: 'JFU' dibaca sebagai PELAKSANA"],
    }
    english = await client.get(job["rows_url"] + "?outcome=created", headers=bkpsdm | {"Accept-Language": "en"})
    assert {row["row"]: row["notes"] for row in english.json()["items"]} == {
        2: ["position_type: 'Fungsional Tertentu' read as JF"],
        3: ["employee_type: 'CPNS' read as PNS", "position_type: 'JFU' read as PELAKSANA"],
    }
