"""The reporting read model fed by real Kafka events, stored in the real Mongo-wire server."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pymongo import AsyncMongoClient

from kinerja_testing import Infra, Keys, appraisal_completed, eventually, publish_raw, serve, skip_history
from reporting.config import Settings
from reporting.main import DEFINITION, create_app
from reporting.repository import AppraisalFacts
from reporting.services import record_appraisals_completed
from shared.events import AppraisalCompleted, Predikat
from shared.mongo import MongoDocument

pytestmark = pytest.mark.infra

ADMIN = "197001012000011001"


@pytest.fixture
async def client(service_settings: Callable[..., Settings], infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    settings = service_settings(Settings)
    await skip_history(infra, settings.consumer_group, DEFINITION.consumes)
    async with serve(create_app(settings)) as http:
        yield http


def completed(appraisal_id: str, nip: str, period: str, predikat: Predikat, revision: int = 1) -> AppraisalCompleted:
    return appraisal_completed(
        appraisal_id=appraisal_id, revision=revision, nip=nip, opd_code="DISDIK", period=period, predikat=predikat
    )


async def test_counts_each_appraisal_once_latest_revision_wins_in_any_order(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str], unique: str
) -> None:
    period = f"20{int(unique[:4], 16) % 70 + 30}-Q2"  # a period no other test run uses (2030-2099)
    nip_a, nip_b = new_nip(), new_nip()
    events = [
        completed(f"a-{unique}", nip_a, period, Predikat.KURANG_MISCONDUCT, revision=2),  # objection upheld
        completed(f"a-{unique}", nip_a, period, Predikat.BAIK, revision=1),  # older revision arrives late
        completed(f"b-{unique}", nip_b, period, Predikat.BAIK),
        completed(f"b-{unique}", nip_b, period, Predikat.BAIK),  # duplicate delivery
    ]
    for event in events:
        await publish_raw(infra, event.topic, event.model_dump(mode="json"), event.key())
    headers = keys.headers(ADMIN, "admin_bkpsdm")

    async def summary() -> dict[str, object] | None:
        response = await client.get(f"/api/v1/reports/appraisals/summary?period={period}", headers=headers)
        body: dict[str, object] = response.json()
        return body if body["total"] == 2 else None

    body = await eventually(summary)
    assert body is not None
    assert body["by_predikat"] == {
        "sangat_baik": 0,
        "baik": 1,
        "butuh_perbaikan": 0,
        "kurang_misconduct": 1,
        "sangat_kurang": 0,
    }


async def test_admin_opd_sees_only_their_own_opd(client: httpx.AsyncClient, keys: Keys) -> None:
    own = await client.get(
        "/api/v1/reports/appraisals/summary", headers=keys.headers(ADMIN, "admin_opd", opd_code="DISDIK")
    )
    assert own.status_code == 200
    assert own.json()["opd_code"] == "DISDIK"
    other = await client.get(
        "/api/v1/reports/appraisals/summary?opd_code=DINKES",
        headers=keys.headers(ADMIN, "admin_opd", opd_code="DISDIK"),
    )
    assert other.status_code == 403
    pegawai = await client.get("/api/v1/reports/appraisals/summary", headers=keys.headers(ADMIN, "pegawai"))
    assert pegawai.status_code == 403


async def test_a_batch_applies_in_one_write_and_a_later_batch_never_undoes_a_newer_revision(
    mongo_client: AsyncMongoClient[MongoDocument], unique: str, new_nip: Callable[[], str]
) -> None:
    facts = AppraisalFacts(mongo_client[f"test_{unique}"])
    await facts.ensure_indexes()
    nip = new_nip()
    first = [
        completed("a", nip, "2026", Predikat.BAIK, revision=1),
        completed("a", nip, "2026", Predikat.KURANG_MISCONDUCT, revision=2),
        completed("b", nip, "2026", Predikat.SANGAT_BAIK),
        completed("b", nip, "2026", Predikat.SANGAT_BAIK),
    ]
    assert await record_appraisals_completed(first, facts=facts) == 2
    late = [completed("a", nip, "2026", Predikat.BAIK, revision=1), completed("c", nip, "2026", Predikat.BAIK)]
    assert await record_appraisals_completed(late, facts=facts) == 1  # only "c"; "a" stays at revision 2
    assert await record_appraisals_completed(late, facts=facts) == 0  # redelivered: no effect
    stored = {d["_id"]: (d["revision"], d["predikat"]) for d in await facts.collection.find({}).to_list(None)}
    assert stored == {"a": (2, "kurang_misconduct"), "b": (1, "sangat_baik"), "c": (1, "baik")}
