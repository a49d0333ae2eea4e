"""Mutation mid-year and revisions of an approved SKP through the HTTP API (real Mongo-wire server and
Kafka): a new pejabat penilai splits the SKP at the mutation date, the signer keeps reading what they
signed, and an approved SKP is revised through a new submission (domain.md 1.9)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from kinerja_testing import Infra, Keys, wait_for_event
from shared.clock import LOCAL_TIME

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
SEKDA = "196801011990031001"
LAST_YEAR = dt.datetime.now(LOCAL_TIME).date().year - 1
"""The year of the mutations given with a date: a mutation date lies this year or last, never ahead."""
VALUES = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]


def rhk(rhk_id: str, intervened: str | None, kind: str = "utama") -> dict[str, Any]:
    return {
        "rhk_id": rhk_id,
        "kind": kind,
        "text": f"Hasil kerja {rhk_id}",
        "intervened_rhk_id": intervened,
        "indicators": [
            {"indicator_id": f"{rhk_id}-i1", "aspect": "kuantitas", "text": "Cakupan", "target": "95", "unit": "%"}
        ],
    }


def if_match(document: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": f'"{document["version"]}"'}


@dataclass
class Office:
    """DINKES under the Sekda: the head (kadis), two kabid (old and new) and a staff member appraised
    by the old kabid, each with an approved SKP of ``year`` (RHK k1 -> old-1 / new-1 -> s1)."""

    client: httpx.AsyncClient
    keys: Keys
    year: int
    kadis: str
    old: str
    new: str
    staff: str

    def as_(self, nip: str, role: str = "pegawai") -> dict[str, str]:
        return self.keys.headers(nip, role)

    @property
    def admin(self) -> dict[str, str]:
        return self.keys.headers(BKPSDM, "admin_bkpsdm")

    async def call(self, method: str, path: str, headers: dict[str, str], body: Any = None) -> httpx.Response:
        return await self.client.request(method, f"/api/v1{path}", json=body, headers=headers)

    async def ok(self, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
        response = await self.call(method, path, headers, body)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def approved_skp(self, owner: str, appraiser: str, content: list[dict[str, Any]]) -> dict[str, Any]:
        mine = self.as_(owner)
        skp = await self.ok("POST", "/skp", mine, {"year": self.year, "rhk": content})
        skp = await self.ok("POST", f"/skp/{skp['id']}/submit", mine | if_match(skp))
        approver = self.as_(appraiser, "pejabat_penilai")
        approved = await self.ok("POST", f"/skp/{skp['id']}/approve", approver | if_match(skp))
        assert approved["status"] == "approved"
        return dict(approved)

    async def finalised(self, period: str, appraiser: str) -> dict[str, Any]:
        """The staff member's evaluation of ``period``, opened, rated and finalised by ``appraiser``."""
        rater = self.as_(appraiser, "pejabat_penilai")
        evaluation = await self.ok("POST", "/evaluations", rater, {"nip": self.staff, "period": period})
        ratings = {
            "rhk_ratings": [{"rhk_id": r["rhk_id"], "rating": "sesuai_ekspektasi"} for r in evaluation["rhk"]],
            "behaviour_ratings": [{"value": v, "rating": "sesuai_ekspektasi"} for v in VALUES],
            "hasil_kerja": "sesuai_ekspektasi",
            "perilaku_kerja": "sesuai_ekspektasi",
        }
        await self.ok("PATCH", f"/evaluations/{evaluation['id']}/ratings", rater, ratings)
        return dict(await self.ok("POST", f"/evaluations/{evaluation['id']}/finalise", rater))


async def build_office(client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str], year: int) -> Office:
    office = Office(client, keys, year, new_nip(), new_nip(), new_nip(), new_nip())
    admin = office.admin
    config = {"frequency": "quarterly", "skp_due": f"{year}-01-31"}
    await office.ok("PUT", f"/performance-years/{year}", admin, config)
    for nip, opd, position, appraiser, atasan in (
        (SEKDA, "SETDA", "JPT", None, None),
        (office.kadis, "DINKES", "JPT", SEKDA, None),
        (office.old, "DINKES", "ADMINISTRATOR", office.kadis, SEKDA),
        (office.new, "DINKES", "ADMINISTRATOR", office.kadis, SEKDA),
        (office.staff, "DINKES", "JF", office.old, office.kadis),
    ):
        body = {
            "nip": nip,
            "name": f"Pegawai {nip[-3:]}",
            "employee_type": "PNS",
            "position_type": position,
            "opd_code": opd,
            "pejabat_penilai_nip": appraiser,
            "atasan_pejabat_penilai_nip": atasan,
        }
        await office.ok("POST", "/employees", admin, body)
    await office.approved_skp(office.kadis, SEKDA, [rhk("k1", None)])
    await office.approved_skp(office.old, office.kadis, [rhk("old-1", "k1")])
    await office.approved_skp(office.new, office.kadis, [rhk("new-1", "k1")])
    await office.approved_skp(office.staff, office.old, [rhk("s1", "old-1")])
    return office


async def test_a_new_pejabat_penilai_splits_the_skp_at_the_mutation_date(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str]
) -> None:
    office = await build_office(client, keys, new_nip, LAST_YEAR)
    year, staff, old, new = office.year, office.staff, office.old, office.new
    first_id = f"{staff}-{year}"
    me, old_pp, new_pp = office.as_(staff), office.as_(old, "pejabat_penilai"), office.as_(new, "pejabat_penilai")
    first = await office.ok("GET", f"/skp/{first_id}", me)
    assert (first["segment"], first["valid_from"], first["valid_to"]) == (1, f"{year}-01-01", f"{year}-12-31")
    q1 = await office.finalised(f"{year}-Q1", old)  # the old pejabat penilai signs Q1

    # The BKPSDM moves the link to the new kabid on 1 May: the approved SKP ends on 30 April.
    employee = await office.ok("GET", f"/employees/{staff}", office.admin)
    moved = await office.call(
        "PATCH",
        f"/employees/{staff}",
        office.admin | if_match(employee),
        {"pejabat_penilai_nip": new, "mutation_date": f"{year}-05-01"},
    )
    assert moved.status_code == 200, moved.text
    closed = await office.ok("GET", f"/skp/{first_id}", me)
    assert (closed["status"], closed["valid_from"], closed["valid_to"]) == ("closed", f"{year}-01-01", f"{year}-04-30")
    assert closed["closed_at"] is not None
    listed = await office.ok("GET", f"/skp?nip={staff}&status=closed", office.admin)
    assert [s["id"] for s in listed["items"]] == [first_id]
    locked = await office.call("PUT", f"/skp/{first_id}", me | if_match(closed), {"rhk": [rhk("s1", "old-1")]})
    assert (locked.status_code, locked.json()["code"]) == (409, "workflow_violation")

    # The old pejabat penilai still reads what they signed, and only that; they act on nothing any more.
    assert (await office.call("GET", f"/skp/{first_id}", old_pp)).status_code == 200
    assert (await office.call("GET", f"/evaluations/{q1['id']}", old_pp)).json()["predikat"] == "baik"
    assert (await office.call("GET", f"/employees/{staff}", old_pp)).status_code == 404
    feedback = {"rhk_id": "s1", "text": "Pertahankan"}
    assert (await office.call("POST", f"/evaluations/{q1['id']}/feedback", old_pp, feedback)).status_code == 403
    assert (await office.ok("GET", "/evaluations", old_pp))["total"] == 0  # lists follow the registry
    assert (await office.call("GET", f"/evaluations/{q1['id']}", new_pp)).status_code == 200  # the new one reads

    # Q1 stays with the old SKP; Q2 (ending after the mutation) waits for the new SKP.
    again = await office.call("POST", "/evaluations", new_pp, {"nip": staff, "period": f"{year}-Q1"})
    assert (again.status_code, again.json()["skp_id"]) == (200, first_id)
    early = await office.call("POST", "/evaluations", new_pp, {"nip": staff, "period": f"{year}-Q2"})
    assert (early.status_code, early.json()["code"]) == (422, "skp_not_approved")

    # The employee drafts the SKP for the rest of the year, intervening the new kabid's RHK.
    drafted = await office.call("POST", "/skp", me, {"year": year, "rhk": [rhk("s2", "new-1")]})
    assert drafted.status_code == 201, drafted.text
    second = drafted.json()
    assert drafted.headers["location"] == f"/api/v1/skp/{staff}-{year}-2"
    assert (second["id"], second["segment"], second["valid_from"], second["valid_to"]) == (
        f"{staff}-{year}-2",
        2,
        f"{year}-05-01",
        f"{year}-12-31",
    )
    assert second["pejabat_penilai_nip"] == new
    twice = await office.call("POST", "/skp", me, {"year": year, "rhk": [rhk("s3", "new-1")]})
    assert (twice.status_code, twice.json()["code"]) == (409, "skp_exists")
    second = await office.ok("POST", f"/skp/{second['id']}/submit", me | if_match(second))
    assert (await office.call("POST", f"/skp/{second['id']}/approve", old_pp | if_match(second))).status_code == 404
    second = await office.ok("POST", f"/skp/{second['id']}/approve", new_pp | if_match(second))
    assert second["status"] == "approved"
    _, event = await wait_for_event(infra, "skp.approved.v1", lambda v: v["payload"]["skp_id"] == second["id"])
    assert (event["payload"]["valid_from"], event["payload"]["valid_to"], event["payload"]["revision"]) == (
        f"{year}-05-01",
        f"{year}-12-31",
        0,
    )
    assert event["payload"]["pejabat_penilai_nip"] == new
    assert (await office.call("GET", f"/skp/{second['id']}", old_pp)).status_code == 404  # not theirs

    q2 = await office.ok("POST", "/evaluations", new_pp, {"nip": staff, "period": f"{year}-Q2"})
    assert (q2["skp_id"], [r["rhk_id"] for r in q2["rhk"]], q2["pejabat_penilai_nip"]) == (second["id"], ["s2"], new)
    waiting = await office.call("POST", "/evaluations", me, {"nip": staff, "period": str(year)})
    assert (waiting.status_code, waiting.json()["code"]) == (409, "periods_not_final")
    for period in (f"{year}-Q2", f"{year}-Q3", f"{year}-Q4"):  # the new pejabat penilai signs the rest
        assert (await office.finalised(period, new))["skp_id"] == second["id"]
    annual = await office.ok("POST", "/evaluations", me, {"nip": staff, "period": str(year)})
    assert annual["skp_id"] == second["id"]  # the SKP valid on 31 December
    assert (await office.call("GET", f"/evaluations/{q2['id']}", old_pp)).status_code == 404


async def test_a_mutation_date_goes_with_a_mutation_and_lies_this_year_or_last(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    office = await build_office(client, keys, new_nip, LAST_YEAR)
    path = f"/employees/{office.staff}"
    employee = await office.ok("GET", path, office.admin)
    headers = office.admin | if_match(employee)
    alone = await office.call("PATCH", path, headers, {"position_title": "Epidemiolog", "mutation_date": "2026-01-02"})
    assert (alone.status_code, alone.json()["code"]) == (422, "mutation_date_without_mutation")
    ahead = (dt.datetime.now(LOCAL_TIME).date() + dt.timedelta(days=2)).isoformat()
    future = await office.call("PATCH", path, headers, {"pejabat_penilai_nip": office.new, "mutation_date": ahead})
    assert (future.status_code, future.json()["code"]) == (422, "invalid_mutation_date")
    old = await office.call(
        "PATCH", path, headers, {"pejabat_penilai_nip": office.new, "mutation_date": f"{LAST_YEAR - 1}-12-01"}
    )
    assert (old.status_code, old.json()["code"]) == (422, "invalid_mutation_date")
    # Nothing changed: the record, the SKP.
    assert (await office.ok("GET", path, office.admin))["version"] == employee["version"]
    skp = await office.ok("GET", f"/skp/{office.staff}-{LAST_YEAR}", office.admin)
    assert (skp["status"], skp["valid_to"]) == ("approved", f"{LAST_YEAR}-12-31")

    # An SKP not approved yet is not split: nothing was agreed with the old pejabat penilai.
    drafter = new_nip()
    body = {"nip": drafter, "name": "Pegawai Baru", "employee_type": "PNS", "position_type": "JF"}
    await office.ok(
        "POST", "/employees", office.admin, body | {"opd_code": "DINKES", "pejabat_penilai_nip": office.old}
    )
    draft = await office.ok("POST", "/skp", office.as_(drafter), {"year": LAST_YEAR, "rhk": [rhk("d1", "old-1")]})
    moved = await office.call(
        "PATCH",
        f"/employees/{drafter}",
        office.admin | {"If-Match": '"1"'},
        {"pejabat_penilai_nip": office.new, "mutation_date": f"{LAST_YEAR}-06-01"},
    )
    assert moved.status_code == 200, moved.text
    after = await office.ok("GET", f"/skp/{draft['id']}", office.as_(drafter))
    assert (after["status"], after["valid_to"], after["version"]) == ("draft", f"{LAST_YEAR}-12-31", 1)


async def test_a_move_to_another_opd_closes_the_skp_too(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    office = await build_office(client, keys, new_nip, LAST_YEAR)
    path = f"/employees/{office.staff}"
    employee = await office.ok("GET", path, office.admin)
    move = {
        "opd_code": "DISDIK",
        "pejabat_penilai_nip": None,
        "atasan_pejabat_penilai_nip": None,
        "mutation_date": f"{LAST_YEAR}-09-01",
    }
    assert (await office.call("PATCH", path, office.admin | if_match(employee), move)).status_code == 200
    skp = await office.ok("GET", f"/skp/{office.staff}-{LAST_YEAR}", office.as_(office.staff))
    assert (skp["status"], skp["valid_to"]) == ("closed", f"{LAST_YEAR}-08-31")
    assert skp["mutation"] == {
        "date": f"{LAST_YEAR}-09-01",
        "pejabat_penilai_from": office.old,
        "pejabat_penilai_to": None,
        "opd_from": "DINKES",
        "opd_to": "DISDIK",
        "by": BKPSDM,
    }
    # The old pejabat penilai signed it; the new OPD's admin reads it through the registry.
    assert (await office.call("GET", f"/skp/{skp['id']}", office.as_(office.old, "pejabat_penilai"))).status_code == 200
    disdik = keys.headers(new_nip(), "admin_opd", opd_code="DISDIK")
    assert (await office.call("GET", f"/skp/{skp['id']}", disdik)).status_code == 200
    dinkes = keys.headers(new_nip(), "admin_opd", opd_code="DINKES")
    assert (await office.call("GET", f"/skp/{skp['id']}", dinkes)).status_code == 404


async def test_a_csv_row_that_moves_the_pejabat_penilai_splits_the_skp_today(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str], run_import: Callable[..., Any]
) -> None:
    today = dt.datetime.now(LOCAL_TIME).date()  # the service's day is Palembang's (WIB)
    if today.month == 1 and today.day == 1:
        pytest.skip("a mutation on 1 January splits nothing")
    office = await build_office(client, keys, new_nip, today.year)
    columns = "nip,name,employee_type,position_type,opd_code,pejabat_penilai_nip,atasan_pejabat_penilai_nip"
    row = f"{office.staff},Pegawai {office.staff[-3:]},PNS,JF,DINKES,{office.new},{office.kadis}"
    job = await run_import(client, f"{columns}\n{row}\n", office.admin)
    assert (job["updated"], job["rejections"]) == (1, {})
    skp = await office.ok("GET", f"/skp/{office.staff}-{today.year}", office.as_(office.staff))
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert (skp["status"], skp["valid_to"]) == ("closed", yesterday)
    again = await run_import(client, f"{columns}\n{row}\n", office.admin)  # unchanged: nothing more to split
    assert again["unchanged"] == 1
    drafted = await office.ok(
        "POST", "/skp", office.as_(office.staff), {"year": today.year, "rhk": [rhk("s2", "new-1")]}
    )
    assert (drafted["valid_from"], drafted["segment"]) == (today.isoformat(), 2)


async def test_an_approved_skp_is_revised_through_a_new_submission(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str]
) -> None:
    office = await build_office(client, keys, new_nip, LAST_YEAR)
    year, staff = office.year, office.staff
    me, pp = office.as_(staff), office.as_(office.old, "pejabat_penilai")
    path = f"/skp/{staff}-{year}"
    q1 = await office.finalised(f"{year}-Q1", office.old)
    skp = await office.ok("GET", path, me)
    revised_rhk = [rhk("s1", "old-1"), rhk("s1b", None, "tambahan")]

    assert (await office.call("POST", f"{path}/revisions", pp | if_match(skp), {"rhk": revised_rhk})).status_code == 403
    assert (await office.call("POST", f"{path}/revisions", me, {"rhk": revised_rhk})).status_code == 428
    incomplete = await office.call("POST", f"{path}/revisions", me | if_match(skp), {"rhk": [rhk("x", "ghost")]})
    assert (incomplete.status_code, incomplete.json()["code"]) == (422, "skp_incomplete")

    submitted = await office.ok("POST", f"{path}/revisions", me | if_match(skp), {"rhk": revised_rhk})
    assert (submitted["status"], submitted["revision"], [r["rhk_id"] for r in submitted["rhk"]]) == (
        "approved",
        0,
        ["s1"],
    )  # the approved content stays in force
    assert (submitted["proposal"]["status"], submitted["proposal"]["revision"]) == ("submitted", 1)
    _, event = await wait_for_event(
        infra, "skp.submitted.v1", lambda v: v["payload"]["skp_id"] == skp["id"] and v["payload"]["revision"] == 1
    )
    assert (event["payload"]["pejabat_penilai_nip"], event["payload"]["valid_to"]) == (office.old, f"{year}-12-31")
    pending = await office.call("POST", f"{path}/revisions", me | if_match(submitted), {"rhk": revised_rhk})
    assert (pending.status_code, pending.json()["code"]) == (409, "workflow_violation")

    returned = await office.ok("POST", f"{path}/return", pp | if_match(submitted), {"reason": "Tambahkan target waktu"})
    assert (returned["status"], returned["proposal"]["status"]) == ("approved", "returned")
    assert returned["proposal"]["return_reason"] == "Tambahkan target waktu"
    _, back = await wait_for_event(
        infra, "skp.returned.v1", lambda v: v["payload"]["skp_id"] == skp["id"] and v["payload"]["revision"] == 1
    )
    assert back["payload"]["reason"] == "Tambahkan target waktu"
    refused = await office.call("POST", f"{path}/approve", pp | if_match(returned))
    assert (refused.status_code, refused.json()["code"]) == (409, "workflow_violation")

    resubmitted = await office.ok("POST", f"{path}/revisions", me | if_match(returned), {"rhk": revised_rhk})
    approved = await office.ok("POST", f"{path}/approve", pp | if_match(resubmitted))
    assert (approved["status"], approved["revision"], approved["proposal"]) == ("approved", 1, None)
    assert [r["rhk_id"] for r in approved["rhk"]] == ["s1", "s1b"]
    assert [r["rhk_id"] for r in approved["superseded"][0]["rhk"]] == ["s1"]
    assert approved["superseded"][0]["approved_by"] == office.old
    _, event = await wait_for_event(
        infra, "skp.approved.v1", lambda v: v["payload"]["skp_id"] == skp["id"] and v["payload"]["revision"] == 1
    )
    assert [r["rhk_id"] for r in event["payload"]["rhk"]] == ["s1", "s1b"]

    # The finalised Q1 keeps what it was evaluated against; Q2 opens on the revision.
    assert [r["rhk_id"] for r in (await office.ok("GET", f"/evaluations/{q1['id']}", me))["rhk"]] == ["s1"]
    q2 = await office.ok("POST", "/evaluations", me, {"nip": staff, "period": f"{year}-Q2"})
    assert ([r["rhk_id"] for r in q2["rhk"]], q2["skp_revision"]) == (["s1", "s1b"], 1)

    # Only an approved SKP in force is revised.
    drafter = new_nip()
    body = {"nip": drafter, "name": "Pegawai Baru", "employee_type": "PNS", "position_type": "JF"}
    await office.ok(
        "POST", "/employees", office.admin, body | {"opd_code": "DINKES", "pejabat_penilai_nip": office.old}
    )
    theirs = office.as_(drafter)
    draft = await office.ok("POST", "/skp", theirs, {"year": year, "rhk": [rhk("d1", "old-1")]})
    early = await office.call(
        "POST", f"/skp/{draft['id']}/revisions", theirs | if_match(draft), {"rhk": [rhk("d1", "old-1")]}
    )
    assert (early.status_code, early.json()["code"]) == (409, "workflow_violation")
