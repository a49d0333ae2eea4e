"""The notification service consuming real Kafka events into the real Mongo-wire server."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pymongo import AsyncMongoClient

from kinerja_testing import Infra, Keys, appraisal_completed, eventually, publish_raw, serve, skip_history
from notification.config import Settings
from notification.main import DEFINITION, create_app
from notification.repository import InboxRepository
from notification.services import notify_appraisals_completed
from shared.events import AppraisalCompleted, Predikat, RatingLevel
from shared.mongo import MongoDocument

pytestmark = pytest.mark.infra


@pytest.fixture
async def client(service_settings: Callable[..., Settings], infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    settings = service_settings(Settings)
    await skip_history(infra, settings.consumer_group, DEFINITION.consumes)
    async with serve(create_app(settings)) as http:
        yield http


def completed(nip: str, appraisal_id: str) -> AppraisalCompleted:
    return appraisal_completed(
        appraisal_id=appraisal_id,
        nip=nip,
        period="2026",
        hasil_kerja=RatingLevel.DI_ATAS_EKSPEKTASI,
        perilaku_kerja=RatingLevel.DI_ATAS_EKSPEKTASI,
        predikat=Predikat.SANGAT_BAIK,
    )


async def test_appraisal_completed_event_lands_in_the_employees_inbox_once_even_if_delivered_twice(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str], unique: str
) -> None:
    nip = new_nip()
    event = completed(nip, f"a-{unique}")
    value = event.model_dump(mode="json")
    await publish_raw(infra, event.topic, value, event.key())
    await publish_raw(infra, event.topic, value, event.key())  # redelivery of the same event
    later = completed(nip, f"b-{unique}")  # a later event: once it shows, both copies were consumed
    await publish_raw(infra, later.topic, later.model_dump(mode="json"), later.key())

    async def inbox() -> dict[str, object] | None:
        response = await client.get("/api/v1/inbox", headers=keys.headers(nip, "pegawai"))
        page: dict[str, object] = response.json()
        return page if page["total"] == 2 else None

    page = await eventually(inbox)
    assert page is not None
    items = page["items"]
    assert isinstance(items, list)
    assert sorted(item["ref"] for item in items) == [f"a-{unique}", f"b-{unique}"]
    first = next(item for item in items if item["ref"] == f"a-{unique}")
    assert first["title"] == "Penilaian kinerja tahun 2026 telah selesai"
    assert "predikat Sangat Baik" in first["body"]
    assert first["id"] == str(event.event_id)


async def test_inbox_is_private_and_paginated(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, new_nip: Callable[[], str], unique: str
) -> None:
    nip, other = new_nip(), new_nip()
    for n in range(3):
        event = completed(nip, f"p{n}-{unique}")
        await publish_raw(infra, event.topic, event.model_dump(mode="json"), event.key())

    async def three() -> bool:
        response = await client.get("/api/v1/inbox", headers=keys.headers(nip, "pegawai"))
        return bool(response.json()["total"] == 3)

    await eventually(three)
    page = (await client.get("/api/v1/inbox?limit=2&offset=2", headers=keys.headers(nip, "pegawai"))).json()
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (3, 1, 2, 2)
    assert (await client.get("/api/v1/inbox", headers=keys.headers(other, "pegawai"))).json()["total"] == 0
    too_big = await client.get("/api/v1/inbox?limit=1000", headers=keys.headers(nip, "pegawai"))
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "query.limit"


async def test_a_batch_with_repeated_and_already_stored_events_stores_each_message_once(
    mongo_client: AsyncMongoClient[MongoDocument], unique: str, new_nip: Callable[[], str]
) -> None:
    inbox = InboxRepository(mongo_client[f"test_{unique}"])
    await inbox.ensure_indexes()
    nip = new_nip()
    one, two, three = (completed(nip, f"{n}-{unique}") for n in range(3))
    assert await notify_appraisals_completed([one, two, one], inbox=inbox) == 2
    assert await notify_appraisals_completed([two, three, one], inbox=inbox) == 1
    items, total = await inbox.list_for(nip, limit=10, offset=0)
    assert total == 3
    assert sorted(item["_id"] for item in items) == sorted(str(e.event_id) for e in (one, two, three))
