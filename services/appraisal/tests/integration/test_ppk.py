"""The top of the chain: the PPK (the Wali Kota, who has no NIP) appraises the Sekda and decides the
objections of the heads of OPD, through the HTTP API (real Mongo-wire server and Kafka)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kinerja_testing import Keys, register_employee

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
VALUES = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]


def skp_body(rhk_id: str) -> dict[str, Any]:
    indicator = {"indicator_id": f"{rhk_id}-i1", "aspect": "kuantitas", "text": "Cakupan", "target": "95", "unit": "%"}
    rhk = {"rhk_id": rhk_id, "kind": "utama", "text": "Hasil kerja", "intervened_rhk_id": None}
    return {"year": 2026, "rhk": [rhk | {"indicators": [indicator]}]}


class World:
    def __init__(self, client: httpx.AsyncClient, keys: Keys) -> None:
        self.client, self.keys = client, keys
        self.admin = keys.headers(BKPSDM, "admin_bkpsdm")
        self.ppk = keys.headers("PPK", "ppk")

    async def ok(self, method: str, path: str, headers: dict[str, str], body: Any = None, **extra: str) -> Any:
        response = await self.client.request(method, f"/api/v1{path}", json=body, headers=headers | extra)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def call(self, method: str, path: str, headers: dict[str, str], body: Any = None) -> httpx.Response:
        return await self.client.request(method, f"/api/v1{path}", json=body, headers=headers)

    async def approved_skp(self, nip: str, approver: dict[str, str]) -> None:
        mine = self.keys.headers(nip, "pegawai")
        skp = await self.ok("POST", "/skp", mine, skp_body(f"r{nip[-4:]}"))
        skp = await self.ok("POST", f"/skp/{skp['id']}/submit", mine, **{"If-Match": f'"{skp["version"]}"'})
        await self.ok("POST", f"/skp/{skp['id']}/approve", approver, **{"If-Match": f'"{skp["version"]}"'})

    async def finalised(self, nip: str, rater: dict[str, str], period: str = "2026-Q1") -> str:
        evaluation = await self.ok("POST", "/evaluations", rater, {"nip": nip, "period": period})
        ratings = {
            "rhk_ratings": [{"rhk_id": f"r{nip[-4:]}", "rating": "sesuai_ekspektasi"}],
            "behaviour_ratings": [{"value": v, "rating": "sesuai_ekspektasi"} for v in VALUES],
            "hasil_kerja": "sesuai_ekspektasi",
            "perilaku_kerja": "sesuai_ekspektasi",
        }
        await self.ok("PATCH", f"/evaluations/{evaluation['id']}/ratings", rater, ratings)
        await self.ok("POST", f"/evaluations/{evaluation['id']}/finalise", rater)
        return str(evaluation["id"])


@pytest.fixture
async def world(client: httpx.AsyncClient, keys: Keys) -> World:
    world = World(client, keys)
    year = {"frequency": "quarterly", "skp_due": "2026-01-31", "objection_window_days": 14}
    assert (await client.put("/api/v1/performance-years/2026", json=year, headers=world.admin)).status_code in (
        200,
        201,
    )
    return world


async def test_only_the_bkpsdm_links_a_jpt_to_the_ppk_and_nobody_is_above_it(
    world: World, new_nip: Callable[[], str]
) -> None:
    sekda, staff = new_nip(), new_nip()
    setda_admin = world.keys.headers(new_nip(), "admin_opd", opd_code="SETDA")
    jpt = {"position_type": "JPT", "pejabat_penilai_nip": "PPK"}
    by_opd = await world.call("POST", "/employees", setda_admin, {**employee(sekda, "SETDA"), **jpt})
    assert (by_opd.status_code, by_opd.json()["code"]) == (403, "separation_of_duties")
    not_jpt = await world.call(
        "POST", "/employees", world.admin, {**employee(staff, "SETDA"), "pejabat_penilai_nip": "PPK"}
    )
    assert (not_jpt.status_code, not_jpt.json()["code"]) == (422, "rule_violation")
    above = await world.call(
        "POST", "/employees", world.admin, {**employee(sekda, "SETDA"), **jpt, "atasan_pejabat_penilai_nip": new_nip()}
    )
    assert above.status_code == 422
    assert (await world.call("POST", "/employees", world.admin, {**employee(sekda, "SETDA"), **jpt})).status_code == 201
    not_a_nip = await world.call(
        "POST", "/employees", world.admin, {**employee(staff, "SETDA"), "pejabat_penilai_nip": "WALIKOTA"}
    )
    assert not_a_nip.status_code == 422
    # The PPK reads whom it appraises, and nobody else's record; it has no SKP of its own.
    assert (await world.call("GET", f"/employees/{sekda}", world.ppk)).status_code == 200
    listed = await world.ok("GET", "/employees?limit=200", world.ppk)
    assert [e["nip"] for e in listed["items"]] == [sekda]
    own = await world.call("POST", "/skp", world.ppk, skp_body("r1"))
    assert own.status_code == 403


async def test_the_ppk_appraises_the_sekda_and_decides_the_sekdas_objection_after_explanations(
    world: World, new_nip: Callable[[], str]
) -> None:
    sekda = new_nip()
    await register_employee(world.client, world.admin, sekda, "SETDA", position_type="JPT", pejabat_penilai_nip="PPK")
    await world.approved_skp(sekda, world.ppk)
    key = await world.finalised(sekda, world.ppk)
    finalised = await world.ok("GET", f"/evaluations/{key}", world.ppk)
    assert finalised["pejabat_penilai_nip"] == "PPK"

    me = world.keys.headers(sekda, "pegawai")
    await world.ok("POST", f"/evaluations/{key}/objection", me, {"reason": "Capaian belum dihitung"})
    await world.ok(
        "POST", f"/evaluations/{key}/objection/explanations", world.ppk, {"to": "employee", "question": "Data?"}
    )
    await world.ok("PUT", f"/evaluations/{key}/objection/explanations/0", me, {"answer": "Lampiran terkirim"})
    # Someone else in a ppk-like role but not the PPK decides nothing.
    impostor = world.keys.headers(new_nip(), "atasan_pejabat_penilai", "pejabat_penilai")
    assert (
        await world.call("POST", f"/evaluations/{key}/objection/decision", impostor, {"decision": "rejected"})
    ).status_code in (403, 404)
    decided = await world.ok(
        "POST", f"/evaluations/{key}/objection/decision", world.ppk, {"decision": "rejected", "note": "Sudah sesuai"}
    )
    assert (decided["objection"]["status"], decided["objection"]["decided_by"]) == ("rejected", "PPK")


async def test_the_ppk_decides_the_objection_of_a_head_appraised_by_the_sekda(
    world: World, new_nip: Callable[[], str]
) -> None:
    sekda, kadis = new_nip(), new_nip()
    await register_employee(world.client, world.admin, sekda, "SETDA", position_type="JPT", pejabat_penilai_nip="PPK")
    await register_employee(
        world.client,
        world.admin,
        kadis,
        position_type="JPT",
        pejabat_penilai_nip=sekda,
        atasan_pejabat_penilai_nip="PPK",
    )
    rater = world.keys.headers(sekda, "pejabat_penilai")
    await world.approved_skp(kadis, rater)
    key = await world.finalised(kadis, rater)
    me = world.keys.headers(kadis, "pegawai")
    await world.ok("POST", f"/evaluations/{key}/objection", me, {"reason": "Capaian belum dihitung"})
    refused = await world.call("POST", f"/evaluations/{key}/objection/decision", rater, {"decision": "rejected"})
    assert refused.status_code == 403
    decided = await world.ok("POST", f"/evaluations/{key}/objection/decision", world.ppk, {"decision": "rejected"})
    assert decided["objection"]["decided_by"] == "PPK"


async def test_nothing_is_filed_with_nobody_to_act_on_it(world: World, new_nip: Callable[[], str]) -> None:
    head, staff = new_nip(), new_nip()
    await register_employee(world.client, world.admin, head, position_type="JPT")  # no pejabat penilai
    mine = world.keys.headers(head, "pegawai")
    skp = await world.ok("POST", "/skp", mine, skp_body("h1"))
    refused = await world.call("POST", f"/skp/{skp['id']}/submit", mine | {"If-Match": f'"{skp["version"]}"'})
    assert (refused.status_code, refused.json()["code"]) == (422, "no_pejabat_penilai")

    # A pejabat penilai but no atasan: the SKP and the evaluation go on; the objection is refused at filing.
    await world.ok("PATCH", f"/employees/{head}", world.admin, {"pejabat_penilai_nip": "PPK"}, **{"If-Match": '"1"'})
    # (a JPT of another OPD appraised by the head, no atasan recorded: an SKP that intervenes nothing)
    await register_employee(world.client, world.admin, staff, "DISDIK", position_type="JPT", pejabat_penilai_nip=head)
    await world.approved_skp(staff, world.keys.headers(head, "pejabat_penilai"))
    key = await world.finalised(staff, world.keys.headers(head, "pejabat_penilai"))
    objection = await world.call(
        "POST", f"/evaluations/{key}/objection", world.keys.headers(staff, "pegawai"), {"reason": "Keberatan"}
    )
    assert (objection.status_code, objection.json()["code"]) == (422, "no_atasan")


def employee(nip: str, opd: str = "DINKES") -> dict[str, Any]:
    return {"nip": nip, "name": f"Pegawai {nip[-3:]}", "employee_type": "PNS", "position_type": "JF", "opd_code": opd}
