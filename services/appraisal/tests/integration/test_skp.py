"""Performance years and the SKP workflow through the HTTP API (real Mongo-wire server and Kafka)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kinerja_testing import Infra, Keys, wait_for_event

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
SEKDA = "196801011990031001"


async def register(client: httpx.AsyncClient, keys: Keys, nip: str, **fields: Any) -> None:
    body = {"nip": nip, "name": f"Pegawai {nip[-3:]}", "employee_type": "PNS", "opd_code": "DINKES", **fields}
    response = await client.post("/api/v1/employees", json=body, headers=keys.headers(BKPSDM, "admin_bkpsdm"))
    assert response.status_code == 201, response.text


@pytest.fixture(autouse=True)
async def sekda(client: httpx.AsyncClient, keys: Keys) -> None:
    """The Sekda appraises the heads of OPD; a link names registered people only."""
    await register(client, keys, SEKDA, opd_code="SETDA", position_type="JPT")


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


@pytest.fixture
async def year(client: httpx.AsyncClient, keys: Keys) -> int:
    body = {"frequency": "quarterly", "skp_due": "2026-01-31", "evaluation_due": {"2026-Q1": "2026-04-15"}}
    response = await client.put(
        "/api/v1/performance-years/2026", json=body, headers=keys.headers(BKPSDM, "admin_bkpsdm")
    )
    assert response.status_code == 200, response.text
    assert response.json()["periods"] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    return 2026


async def act(
    client: httpx.AsyncClient, headers: dict[str, str], skp: dict[str, Any], action: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/skp/{skp['id']}/{action}", json=body or None, headers=headers | {"If-Match": f'"{skp["version"]}"'}
    )


async def approved_head(client: httpx.AsyncClient, keys: Keys, year: int, kadis: str) -> dict[str, str]:
    """A head of DINKES appraised by the Sekda, with an approved SKP of ``year`` (RHK k1); returns the
    Sekda's headers as their pejabat penilai."""
    await register(client, keys, kadis, position_type="JPT", pejabat_penilai_nip=SEKDA)
    mine, sekda = keys.headers(kadis, "pegawai"), keys.headers(SEKDA, "pejabat_penilai")
    skp = (await client.post("/api/v1/skp", json={"year": year, "rhk": [rhk("k1", None)]}, headers=mine)).json()
    skp = (await act(client, mine, skp, "submit")).json()
    assert (await act(client, sekda, skp, "approve")).json()["status"] == "approved"
    return sekda


async def test_year_configuration_is_admin_only_and_versioned(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, year: int
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    body = {"frequency": "monthly", "skp_due": "2026-01-31"}
    assert (await client.put(f"/api/v1/performance-years/{year}", json=body, headers=admin)).status_code == 412
    changed = await client.put(f"/api/v1/performance-years/{year}", json=body, headers=admin | {"If-Match": '"1"'})
    assert changed.status_code == 200
    assert len(changed.json()["periods"]) == 12
    bad = await client.put(
        "/api/v1/performance-years/2027", json={**body, "evaluation_due": {"2027-Q1": "2027-04-15"}}, headers=admin
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"message": "periode tidak dikenal: 2027-Q1"}]
    pegawai = await client.put("/api/v1/performance-years/2028", json=body, headers=keys.headers(BKPSDM, "pegawai"))
    assert pegawai.status_code == 403
    semester = await client.put(
        "/api/v1/performance-years/2029", json={"frequency": "semester", "skp_due": "2029-01-31"}, headers=admin
    )
    assert semester.json()["periods"] == ["2029-S1", "2029-S2"]
    # Published for the reminders of its deadlines (keyed by the year).
    key, event = await wait_for_event(
        infra,
        "performance_year.configured.v1",
        lambda v: v["payload"]["year"] == 2029 and v["payload"]["frequency"] == "semester",
    )
    assert (key, event["payload"]["periods"], event["payload"]["version"]) == (
        b"2029",
        ["2029-S1", "2029-S2", "2029"],
        1,
    )


async def test_cascaded_skp_workflow_from_the_head_of_the_opd_down(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, year: int, new_nip: Callable[[], str]
) -> None:
    kadis, kabid = new_nip(), new_nip()
    await register(client, keys, kadis, position_type="JPT", pejabat_penilai_nip=SEKDA)
    await register(client, keys, kabid, position_type="ADMINISTRATOR", pejabat_penilai_nip=kadis)

    # The head of the OPD intervenes nothing; the Sekda (not in this OPD) approves.
    head = (
        await client.post(
            "/api/v1/skp", json={"year": year, "rhk": [rhk("k1", None)]}, headers=keys.headers(kadis, "pegawai")
        )
    ).json()
    head = (await act(client, keys.headers(kadis, "pegawai"), head, "submit")).json()
    assert head["status"] == "submitted"
    head = (await act(client, keys.headers(SEKDA, "pejabat_penilai"), head, "approve")).json()
    assert head["status"] == "approved"
    _, event = await wait_for_event(infra, "skp.approved.v1", lambda v: v["payload"]["skp_id"] == head["id"])
    assert event["payload"]["rhk"][0]["rhk_id"] == "k1"

    # The Kabid must intervene an RHK of the Kadis's approved SKP.
    mine = keys.headers(kabid, "pegawai")
    draft = await client.post("/api/v1/skp", json={"year": year, "rhk": [rhk("b1", "nope")]}, headers=mine)
    assert draft.status_code == 201
    skp = draft.json()
    refused = await act(client, mine, skp, "submit")
    assert refused.status_code == 422
    assert refused.json()["code"] == "skp_incomplete"
    assert "yang bukan RHK pada SKP pejabat penilai yang telah disetujui" in refused.json()["errors"][0]["message"]
    assert refused.json()["detail"] == "SKP belum dapat diajukan"

    edited = await client.put(
        f"/api/v1/skp/{skp['id']}",
        json={"rhk": [rhk("b1", "k1"), rhk("b2", None, "tambahan")]},
        headers=mine | {"If-Match": '"1"'},
    )
    assert edited.status_code == 200, edited.text
    skp = edited.json()
    skp = (await act(client, mine, skp, "submit")).json()
    assert (await act(client, mine, skp, "approve")).status_code == 403  # not one's own appraiser

    appraiser = keys.headers(kadis, "pejabat_penilai")
    returned = await act(client, appraiser, skp, "return", reason="Target cakupan terlalu rendah")
    assert returned.json()["status"] == "returned"
    assert returned.json()["return_reason"] == "Target cakupan terlalu rendah"
    skp = returned.json()
    # The events the pejabat penilai's task list and the employee's inbox are built from.
    _, submitted = await wait_for_event(infra, "skp.submitted.v1", lambda v: v["payload"]["skp_id"] == skp["id"])
    assert submitted["payload"]["pejabat_penilai_nip"] == kadis
    _, back = await wait_for_event(infra, "skp.returned.v1", lambda v: v["payload"]["skp_id"] == skp["id"])
    assert back["payload"]["reason"] == "Target cakupan terlalu rendah"
    assert (await act(client, appraiser, skp, "approve")).status_code == 409  # not submitted
    skp = (await act(client, mine, skp, "submit")).json()
    approved = await act(client, appraiser, skp, "approve")
    assert approved.json()["status"] == "approved"
    skp = approved.json()
    locked = await client.put(
        f"/api/v1/skp/{skp['id']}", json={"rhk": [rhk("b1", "k1")]}, headers=mine | {"If-Match": f'"{skp["version"]}"'}
    )
    assert locked.status_code == 409
    assert locked.json()["code"] == "workflow_violation"


async def test_concurrent_edit_is_caught_not_lost(
    client: httpx.AsyncClient, keys: Keys, year: int, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    await register(client, keys, nip, position_type="JPT", pejabat_penilai_nip=SEKDA)
    mine = keys.headers(nip, "pegawai")
    skp = (await client.post("/api/v1/skp", json={"year": year, "rhk": [rhk("a", None)]}, headers=mine)).json()
    first = await client.put(
        f"/api/v1/skp/{skp['id']}", json={"rhk": [rhk("b", None)]}, headers=mine | {"If-Match": '"1"'}
    )
    second = await client.put(
        f"/api/v1/skp/{skp['id']}", json={"rhk": [rhk("c", None)]}, headers=mine | {"If-Match": '"1"'}
    )
    assert (first.status_code, second.status_code) == (200, 412)
    current = (await client.get(f"/api/v1/skp/{skp['id']}", headers=mine)).json()
    assert current["rhk"][0]["rhk_id"] == "b"


async def test_skp_needs_a_registered_owner_and_a_configured_year(
    client: httpx.AsyncClient, keys: Keys, year: int, new_nip: Callable[[], str]
) -> None:
    stranger = keys.headers(new_nip(), "pegawai")
    response = await client.post("/api/v1/skp", json={"year": year, "rhk": [rhk("a", None)]}, headers=stranger)
    assert response.status_code == 422
    assert "tidak terdaftar dalam data kepegawaian" in response.json()["detail"]
    nip = new_nip()
    await register(client, keys, nip, position_type="JF")
    unconfigured = await client.post(
        "/api/v1/skp", json={"year": 2031, "rhk": [rhk("a", None)]}, headers=keys.headers(nip, "pegawai")
    )
    assert unconfigured.status_code == 404


async def test_an_inactive_employee_gets_no_new_evaluation(
    client: httpx.AsyncClient, keys: Keys, year: int, new_nip: Callable[[], str]
) -> None:
    kadis = new_nip()
    sekda = await approved_head(client, keys, year, kadis)
    opened = await client.post("/api/v1/evaluations", json={"nip": kadis, "period": f"{year}-Q1"}, headers=sekda)
    assert opened.status_code == 201, opened.text

    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    left = await client.patch(f"/api/v1/employees/{kadis}", json={"active": False}, headers=admin | {"If-Match": '"1"'})
    assert left.status_code == 200
    refused = await client.post("/api/v1/evaluations", json={"nip": kadis, "period": f"{year}-Q2"}, headers=sekda)
    assert (refused.status_code, refused.json()["code"]) == (409, "inactive_employee")
    again = await client.post("/api/v1/evaluations", json={"nip": kadis, "period": f"{year}-Q1"}, headers=sekda)
    assert again.status_code == 200  # the one already open stays reachable, to be finished


async def test_an_overall_rating_that_departs_from_the_parts_needs_a_written_reason(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, year: int, new_nip: Callable[[], str]
) -> None:
    kadis = new_nip()
    sekda = await approved_head(client, keys, year, kadis)
    evaluation = (
        await client.post("/api/v1/evaluations", json={"nip": kadis, "period": f"{year}-Q1"}, headers=sekda)
    ).json()
    path = f"/api/v1/evaluations/{evaluation['id']}"
    values = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]
    ratings = {
        "rhk_ratings": [{"rhk_id": "k1", "rating": "di_bawah_ekspektasi"}],
        "behaviour_ratings": [{"value": v, "rating": "sesuai_ekspektasi"} for v in values],
        "hasil_kerja": "di_atas_ekspektasi",
        "perilaku_kerja": "sesuai_ekspektasi",
    }
    assert (await client.patch(f"{path}/ratings", json=ratings, headers=sekda)).status_code == 200
    refused = await client.post(f"{path}/finalise", headers=sekda)
    assert (refused.status_code, refused.json()["code"]) == (422, "justification_required")
    assert "penilaian RHK-nya menghasilkan di_bawah_ekspektasi" in refused.json()["errors"][0]["message"]

    reason = "Target cakupan dinaikkan di tengah triwulan oleh Dinas Provinsi"
    assert (await client.patch(f"{path}/ratings", json={"justification": reason}, headers=sekda)).status_code == 200
    finalised = await client.post(f"{path}/finalise", headers=sekda)
    assert finalised.status_code == 200, finalised.text
    assert finalised.json()["rating_justification"] == reason
    _, event = await wait_for_event(
        infra, "appraisal.completed.v1", lambda v: v["payload"]["appraisal_id"] == evaluation["id"]
    )
    assert event["payload"]["rating_justification"] == reason


async def test_only_a_head_intervenes_nothing_and_an_skp_needs_a_pejabat_penilai(
    client: httpx.AsyncClient, keys: Keys, year: int, new_nip: Callable[[], str]
) -> None:
    """The explicit rule for the top of an OPD: a JPT appraised from outside it (the Sekda) or from
    nobody intervenes nothing; anyone else needs a pejabat penilai and intervenes their RHK."""
    staff, analyst = new_nip(), new_nip()
    await register(client, keys, staff, position_type="JF")  # no pejabat penilai recorded
    mine = keys.headers(staff, "pegawai")
    skp = (await client.post("/api/v1/skp", json={"year": year, "rhk": [rhk("a", None)]}, headers=mine)).json()
    refused = await act(client, mine, skp, "submit")
    assert (refused.status_code, refused.json()["code"]) == (422, "no_pejabat_penilai")

    # A JF of DINKES appraised by the Sekda (another OPD, a link the BKPSDM set) still cascades.
    await register(client, keys, analyst, position_type="JF", pejabat_penilai_nip=SEKDA)
    theirs = keys.headers(analyst, "pegawai")
    skp = (await client.post("/api/v1/skp", json={"year": year, "rhk": [rhk("b", None)]}, headers=theirs)).json()
    refused = await act(client, theirs, skp, "submit")
    assert refused.status_code == 422
    assert f"SKP {year} milik pejabat penilai ({SEKDA}) belum disetujui" in refused.text


async def test_the_heads_annual_hasil_kerja_follows_the_organisation_predikat(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str]
) -> None:
    """domain.md 1.5: the organisation's result becomes its head's Hasil Kerja; departing needs a reason."""
    kadis = new_nip()
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    year = 2025  # a year that has ended: its annual evaluation can be finalised
    configured = await client.put(
        f"/api/v1/performance-years/{year}", json={"frequency": "semester", "skp_due": "2025-01-31"}, headers=admin
    )
    assert configured.status_code == 200, configured.text
    sekda = await approved_head(client, keys, year, kadis)
    values = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]
    ratings = {
        "rhk_ratings": [{"rhk_id": "k1", "rating": "sesuai_ekspektasi"}],
        "behaviour_ratings": [{"value": v, "rating": "sesuai_ekspektasi"} for v in values],
        "hasil_kerja": "sesuai_ekspektasi",
        "perilaku_kerja": "sesuai_ekspektasi",
    }
    for semester in ("S1", "S2"):  # the annual evaluation opens once the periodic ones are final
        body = {"nip": kadis, "period": f"{year}-{semester}"}
        opened = (await client.post("/api/v1/evaluations", json=body, headers=sekda)).json()
        await client.patch(f"/api/v1/evaluations/{opened['id']}/ratings", json=ratings, headers=sekda)
        done = await client.post(f"/api/v1/evaluations/{opened['id']}/finalise", headers=sekda)
        assert done.status_code == 200, done.text
    set_org = await client.put(
        f"/api/v1/opd/DINKES/years/{year}/predikat", json={"predikat": "istimewa"}, headers=admin
    )
    assert set_org.status_code == 200, set_org.text
    annual = (await client.post("/api/v1/evaluations", json={"nip": kadis, "period": str(year)}, headers=sekda)).json()
    path = f"/api/v1/evaluations/{annual['id']}"
    suggested = (await client.get(f"{path}/suggestion", headers=sekda)).json()
    assert (suggested["organisation_predikat"], suggested["hasil_kerja"]) == ("istimewa", "di_atas_ekspektasi")

    await client.patch(f"{path}/ratings", json=ratings, headers=sekda)
    refused = await client.post(f"{path}/finalise", headers=sekda)
    assert (refused.status_code, refused.json()["code"]) == (422, "justification_required")
    assert "predikat organisasi istimewa menghasilkan di_atas_ekspektasi" in refused.text
    await client.patch(f"{path}/ratings", json={"hasil_kerja": "di_atas_ekspektasi"}, headers=sekda)
    finalised = await client.post(f"{path}/finalise", headers=sekda)
    assert (finalised.status_code, finalised.json()["predikat"]) == (200, "baik")


async def test_the_head_never_sets_their_own_organisations_predikat_even_as_someones_pejabat_penilai(
    client: httpx.AsyncClient, keys: Keys, year: int, new_nip: Callable[[], str]
) -> None:
    """The Sekda heads SETDA and appraises an asisten inside it: that does not make the Sekda the leader
    above SETDA (the head is the JPT appraised from outside the OPD, or by nobody)."""
    asisten = new_nip()
    await register(client, keys, asisten, position_type="JPT", opd_code="SETDA", pejabat_penilai_nip=SEKDA)
    body = {"predikat": "istimewa"}
    own = await client.put(
        f"/api/v1/opd/SETDA/years/{year}/predikat", json=body, headers=keys.headers(SEKDA, "pejabat_penilai")
    )
    assert own.status_code == 403
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    assert (await client.put(f"/api/v1/opd/SETDA/years/{year}/predikat", json=body, headers=admin)).status_code == 200


async def test_a_submitted_skp_names_the_pejabat_penilai_of_the_registry_at_submission(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, year: int, new_nip: Callable[[], str]
) -> None:
    """Relinked between draft and submission: the event tells the one who may now approve."""
    kadis, asisten = new_nip(), new_nip()
    await register(client, keys, asisten, position_type="JPT", opd_code="SETDA", pejabat_penilai_nip=SEKDA)
    await register(client, keys, kadis, position_type="JPT", pejabat_penilai_nip=SEKDA)
    mine = keys.headers(kadis, "pegawai")
    skp = (await client.post("/api/v1/skp", json={"year": year, "rhk": [rhk("k1", None)]}, headers=mine)).json()
    admin = keys.headers(BKPSDM, "admin_bkpsdm") | {"If-Match": '"1"'}
    relinked = await client.patch(f"/api/v1/employees/{kadis}", json={"pejabat_penilai_nip": asisten}, headers=admin)
    assert relinked.status_code == 200, relinked.text
    submitted = (await act(client, mine, skp, "submit")).json()
    assert submitted["pejabat_penilai_nip"] == asisten
    _, event = await wait_for_event(infra, "skp.submitted.v1", lambda v: v["payload"]["skp_id"] == skp["id"])
    assert event["payload"]["pejabat_penilai_nip"] == asisten


async def test_the_cascade_shows_the_pejabat_penilais_approved_rhk_to_who_reads_the_employee(
    client: httpx.AsyncClient, keys: Keys, year: int, new_nip: Callable[[], str]
) -> None:
    """An employee drafting sees which RHK they may intervene (ids, kinds and texts only); before the
    pejabat penilai's SKP is approved they are told why there are none; a head of OPD needs none; a
    stranger gets 404 as for a NIP that does not exist."""
    kadis, kabid, stranger = new_nip(), new_nip(), new_nip()
    await register(client, keys, kadis, position_type="JPT", pejabat_penilai_nip=SEKDA)
    await register(client, keys, kabid, position_type="ADMINISTRATOR", pejabat_penilai_nip=kadis)
    await register(client, keys, stranger, position_type="PELAKSANA", pejabat_penilai_nip=kadis)
    mine = keys.headers(kabid, "pegawai")

    waiting = await client.get(f"/api/v1/employees/{kabid}/cascade?year={year}", headers=mine)
    assert waiting.status_code == 200, waiting.text
    assert waiting.json()["rhk"] == []
    assert waiting.json()["required"] is True
    assert kadis in waiting.json()["problem"]
    assert "belum disetujui" in waiting.json()["problem"]
    english = await client.get(
        f"/api/v1/employees/{kabid}/cascade?year={year}", headers=mine | {"Accept-Language": "en"}
    )
    assert "is not approved yet" in english.json()["problem"]

    head = await client.get(f"/api/v1/employees/{kadis}/cascade?year={year}", headers=keys.headers(kadis, "pegawai"))
    assert head.json()["required"] is False
    assert head.json()["rhk"] == []

    head_skp = (
        await client.post(
            "/api/v1/skp", json={"year": year, "rhk": [rhk("k1", None)]}, headers=keys.headers(kadis, "pegawai")
        )
    ).json()
    head_skp = (await act(client, keys.headers(kadis, "pegawai"), head_skp, "submit")).json()
    assert (await act(client, keys.headers(SEKDA, "pejabat_penilai"), head_skp, "approve")).status_code == 200

    ready = (await client.get(f"/api/v1/employees/{kabid}/cascade?year={year}", headers=mine)).json()
    assert ready["problem"] is None
    assert ready["pejabat_penilai_nip"] == kadis
    assert ready["rhk"] == [{"rhk_id": "k1", "kind": "utama", "text": "Hasil kerja k1", "skp_id": head_skp["id"]}]

    hidden = await client.get(
        f"/api/v1/employees/{kabid}/cascade?year={year}", headers=keys.headers(stranger, "pegawai")
    )
    absent = await client.get(f"/api/v1/employees/{'9' * 18}/cascade?year={year}", headers=mine)
    assert hidden.status_code == absent.status_code == 404
    assert (await client.get(f"/api/v1/employees/{kabid}/cascade?year=1999", headers=mine)).status_code == 422
