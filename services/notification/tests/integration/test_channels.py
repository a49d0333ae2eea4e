"""The notification service on the real broker and the real Mongo-wire server, with a real SMTP server
(aiosmtpd) and a real HTTP receiver that verifies signatures with the Standard Webhooks library: each
channel delivers, a duplicate event sends nothing twice, a receiver failing twice then succeeding gets
the message once, an SSE client sees a message arrive, and an SKP and an objection walk through every
inbox and task they should touch."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request, Response
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from kinerja_testing import (
    Infra,
    Keys,
    eventually,
    free_port,
    publish_raw,
    read_topic,
    skip_history,
    wait_for_event,
)
from notification.config import Settings
from notification.main import DEFINITION, create_app
from shared.events import (
    AppraisalCompleted,
    EmployeeRegistered,
    EmployeeSnapshot,
    EmployeeType,
    Event,
    LowScoreFlagged,
    ObjectionDecided,
    ObjectionFiled,
    PositionType,
    SkpApproved,
    SkpReturned,
    SkpSubmitted,
)
from shared.mongo import MongoDocument

pytestmark = pytest.mark.infra


# ---------------------------------------------------------------- a real SMTP server and a real receiver


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp() -> Any:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@dataclass
class Receiver:
    secret: str = ""
    fail_first: int = 0
    attempts: list[str] = field(default_factory=list)
    verified: list[dict[str, Any]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


@asynccontextmanager
async def run(app: FastAPI) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, within=90)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


def receiver_app(receiver: Receiver) -> FastAPI:
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        body = await request.body()
        receiver.attempts.append(request.headers["webhook-id"])
        if len(receiver.attempts) <= receiver.fail_first:
            return Response(status_code=500)
        try:
            payload = Webhook(receiver.secret).verify(body, dict(request.headers))
        except WebhookVerificationError:
            return Response(status_code=401)
        if request.headers["webhook-id"] not in receiver.ids:  # what a receiver does with a repeat
            receiver.ids.append(request.headers["webhook-id"])
            receiver.verified.append(payload)
        return Response(status_code=204)

    return app


# ---------------------------------------------------------------- the service, served for real (SSE needs it)


@dataclass
class Service:
    url: str
    http: httpx.AsyncClient
    keys: Keys
    infra: Infra
    db: AsyncDatabase[MongoDocument]

    def as_(self, nip: str, *roles: str, opd_code: str | None = None) -> dict[str, str]:
        return self.keys.headers(nip, *(roles or ("pegawai",)), opd_code=opd_code)

    async def inbox(self, nip: str, *roles: str, opd_code: str | None = None) -> list[dict[str, Any]]:
        page = (await self.http.get("/api/v1/inbox?limit=100", headers=self.as_(nip, *roles, opd_code=opd_code))).json()
        return list(page["items"])

    async def tasks(self, nip: str, *roles: str) -> list[dict[str, Any]]:
        page = (await self.http.get("/api/v1/tasks?limit=100", headers=self.as_(nip, *roles))).json()
        return list(page["items"])

    async def publish(self, *events: Event) -> None:
        for event in events:
            await publish_raw(self.infra, event.topic, event.model_dump(mode="json"), event.key())

    async def kinds(self, nip: str, count: int, *roles: str) -> list[str]:
        async def enough() -> list[str]:
            items = await self.inbox(nip, *roles)
            return sorted(i["kind"] for i in items) if len(items) >= count else []

        return await eventually(enough, within=45)


@pytest.fixture
async def service(
    service_settings: Callable[..., Settings],
    infra: Infra,
    keys: Keys,
    smtp: Any,
    mongo_client: AsyncMongoClient[MongoDocument],
) -> AsyncIterator[Service]:
    controller, _ = smtp
    settings = service_settings(
        Settings,
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        webhook_allow_loopback_http=True,
        delivery_backoff_initial_s=0.3,
        delivery_poll_interval_s=0.2,
        stream_poll_interval_s=0.2,
        reminder_enabled=False,
        link_base_url="https://kinerja.example",
    )
    await skip_history(infra, settings.consumer_group, DEFINITION.consumes)
    async with run(create_app(settings)) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield Service(url, http, keys, infra, mongo_client[settings.mongodb_database])


def nip(n: int) -> str:
    return f"1986{n % 12 + 1:02d}{n // 12 % 28 + 1:02d}2015051{n // 336 % 999 + 1:03d}"


@dataclass(frozen=True)
class Cast:
    employee: str
    appraiser: str
    superior: str

    @classmethod
    def new(cls) -> Cast:
        base = uuid.uuid4().int % 300_000
        return cls(nip(base), nip(base + 1), nip(base + 2))

    def email(self, who: str) -> str:
        return f"{who}@palembang.example"


async def register(service: Service, cast: Cast) -> None:
    """The three in the service's copy of the registry (employee.registered.v1), waited for."""
    people = [
        (cast.employee, "Siti Rahmawati", cast.appraiser, cast.superior),
        (cast.appraiser, "Budi Santoso", cast.superior, "PPK"),
        (cast.superior, "Hendra Wijaya", "PPK", None),
    ]
    for who, name, appraiser, superior in people:
        snapshot = EmployeeSnapshot(
            nip=who,
            name=name,
            email=cast.email(who),
            employee_type=EmployeeType.PNS,
            position_type=PositionType.JF,
            opd_code="DINKES",
            pejabat_penilai_nip=appraiser,
            atasan_pejabat_penilai_nip=superior,
            version=1,
        )
        await service.publish(EmployeeRegistered.create(snapshot, producer="test"))

    async def known() -> bool:
        return await service.db["roster"].count_documents({"_id": {"$in": [n for n, *_ in people]}}) == 3

    await eventually(known, within=45)


def skp_fields(cast: Cast, skp_id: str) -> dict[str, Any]:
    return {
        "skp_id": skp_id,
        "nip": cast.employee,
        "year": 2035,
        "opd_code": "DINKES",
        "pejabat_penilai_nip": cast.appraiser,
        "due": "2035-03-05",
    }


def make(event_type: type[Any], payload: dict[str, Any]) -> Any:
    payload_type = event_type.model_fields["payload"].annotation
    return event_type.create(payload_type.model_validate(payload), producer="test")


def result_fields(cast: Cast, appraisal_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "appraisal_id": appraisal_id,
        "nip": cast.employee,
        "opd_code": "DINKES",
        "period": "2035",
        "pejabat_penilai_nip": cast.appraiser,
    } | extra


def completed(cast: Cast, appraisal_id: str, revision: int, predikat: str) -> AppraisalCompleted:
    fields = {"hasil_kerja": "sesuai_ekspektasi", "perilaku_kerja": "sesuai_ekspektasi", "predikat": predikat}
    return make(AppraisalCompleted, result_fields(cast, appraisal_id, revision=revision) | fields)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- the walks


async def test_an_skp_from_submission_to_approval_touches_every_inbox_and_task_it_should(
    service: Service, smtp: Any
) -> None:
    _, mailbox = smtp
    cast = Cast.new()
    await register(service, cast)
    skp_id = f"skp-{uuid.uuid4().hex[:8]}"
    first = make(SkpSubmitted, skp_fields(cast, skp_id))
    await service.publish(first)
    assert await service.kinds(cast.appraiser, 1) == ["skp.awaiting_approval"]
    [message] = await service.inbox(cast.appraiser)
    assert message["title"] == "SKP Siti Rahmawati tahun 2035 menunggu persetujuan Anda"
    assert "paling lambat 5 Maret 2035" in message["body"]
    assert message["link"] == f"https://kinerja.example/skp/{skp_id}"
    [task] = await service.tasks(cast.appraiser)
    assert (task["status"], task["due"], task["kind"]) == ("open", "2035-03-05", "skp.awaiting_approval")
    mail = await eventually(lambda: mailbox.to(cast.email(cast.appraiser)), within=30)
    assert mail[0]["Subject"] == f"[Kinerja ASN] {message['title']}"
    assert "Yth. Budi Santoso," in mail[0].get_payload()

    await service.publish(make(SkpReturned, skp_fields(cast, skp_id) | {"reason": "Target kuantitas belum terukur"}))
    assert await service.kinds(cast.employee, 1) == ["skp.returned"]
    assert "Target kuantitas belum terukur" in (await service.inbox(cast.employee))[0]["body"]
    assert (await service.tasks(cast.appraiser))[0]["status"] == "closed"

    await service.publish(make(SkpSubmitted, skp_fields(cast, skp_id)))  # submitted again: a new task
    assert await service.kinds(cast.appraiser, 2) == ["skp.awaiting_approval", "skp.awaiting_approval"]
    assert (await service.tasks(cast.appraiser))[0]["status"] == "open"
    approval = skp_fields(cast, skp_id) | {"approach": "kuantitatif", "rhk": [], "valid_from": "2035-01-01"}
    await service.publish(make(SkpApproved, approval | {"valid_to": "2035-12-31"}))
    assert await service.kinds(cast.employee, 2) == ["skp.approved", "skp.returned"]
    approved = next(i for i in await service.inbox(cast.employee) if i["kind"] == "skp.approved")
    assert "berlaku 1 Januari 2035 sampai 31 Desember 2035" in approved["body"]
    assert await eventually(lambda: len(mailbox.to(cast.email(cast.employee))) == 2, within=30)

    async def closed() -> bool:
        return [t["status"] for t in await service.tasks(cast.appraiser)] == ["closed"]

    await eventually(closed)
    assert await service.inbox(cast.superior) == []  # the atasan is not concerned by an SKP
    unread = (await service.http.get("/api/v1/inbox/unread-count", headers=service.as_(cast.appraiser))).json()
    assert unread == {"unread": 2}


async def test_an_objection_from_filing_to_decision_and_a_stale_revision_says_nothing(service: Service) -> None:
    cast = Cast.new()
    await register(service, cast)
    appraisal_id = f"ap-{uuid.uuid4().hex[:8]}"
    await service.publish(completed(cast, appraisal_id, 1, "butuh_perbaikan"))
    assert await service.kinds(cast.employee, 1) == ["appraisal.final"]
    filed = result_fields(cast, appraisal_id, reason="Data realisasi belum lengkap", decision_due="2036-01-20")
    await service.publish(make(ObjectionFiled, filed | {"atasan_pejabat_penilai_nip": cast.superior}))
    assert await service.kinds(cast.superior, 1) == ["objection.awaiting_decision"]
    [task] = await service.tasks(cast.superior)
    assert (task["status"], task["due"]) == ("open", "2036-01-20")
    assert "Data realisasi belum lengkap" in task["body"]

    decision = {"decision": "upheld", "decided_by": cast.superior, "revision": 2, "predikat": "baik"}
    await service.publish(make(ObjectionDecided, result_fields(cast, appraisal_id) | decision))
    await service.publish(completed(cast, appraisal_id, 2, "baik"))
    assert await service.kinds(cast.employee, 3) == ["appraisal.final", "appraisal.revised", "objection.upheld"]
    assert await service.kinds(cast.appraiser, 2) == ["appraisal.revised", "objection.upheld"]
    revised = next(i for i in await service.inbox(cast.employee) if i["kind"] == "appraisal.revised")
    assert "Mengikuti keputusan atas keberatan" in revised["body"]
    assert [t["status"] for t in await service.tasks(cast.superior)] == ["closed"]

    # A producer re-sends revision 1 under a new event id, then something new: only the new one shows.
    await service.publish(completed(cast, appraisal_id, 1, "butuh_perbaikan"))
    await service.publish(completed(cast, f"{appraisal_id}-next", 1, "baik"))
    kinds = await service.kinds(cast.employee, 4)
    assert kinds == ["appraisal.final", "appraisal.final", "appraisal.revised", "objection.upheld"]
    finals = [i for i in await service.inbox(cast.employee) if i["kind"] == "appraisal.final"]
    assert sorted(i["ref"] for i in finals) == sorted([appraisal_id, f"{appraisal_id}-next"])


async def test_an_escalation_reaches_the_bkpsdm_and_the_opd_admin_and_the_ppk_gets_its_task(service: Service) -> None:
    cast = Cast.new()
    await register(service, cast)
    appraisal_id = f"ap-{uuid.uuid4().hex[:8]}"
    weak = {"hasil_kerja": "di_bawah_ekspektasi", "perilaku_kerja": "di_bawah_ekspektasi", "predikat": "sangat_kurang"}
    await service.publish(
        make(LowScoreFlagged, result_fields(cast, appraisal_id) | weak | {"escalated_to_bkpsdm": True})
    )

    async def escalation(nip_: str, role: str, opd_code: str | None = None) -> list[dict[str, Any]]:
        items = await service.inbox(nip_, role, opd_code=opd_code)
        return [i for i in items if i["kind"] == "escalation" and i["ref"] == appraisal_id]

    [bkpsdm] = await eventually(lambda: escalation("197001012000011001", "admin_bkpsdm"), within=45)
    assert bkpsdm["link"] == f"https://kinerja.example/evaluations/{appraisal_id}"
    [opd] = await eventually(lambda: escalation("197101012000011002", "admin_opd", "DINKES"), within=45)
    assert opd["id"] != bkpsdm["id"]
    assert await escalation("197101012000011002", "admin_opd", "DISDIK") == []

    # The atasan's own SKP: their pejabat penilai is the PPK (the Wali Kota, no NIP).
    skp_id = f"skp-{uuid.uuid4().hex[:8]}"
    await service.publish(
        make(SkpSubmitted, skp_fields(cast, skp_id) | {"nip": cast.superior, "pejabat_penilai_nip": None})
    )

    async def ppk_task() -> list[dict[str, Any]]:
        page = (await service.http.get("/api/v1/tasks?limit=100", headers=service.as_("PPK", "ppk"))).json()
        return [t for t in page["items"] if t["link"].endswith(f"/skp/{skp_id}")]

    [task] = await eventually(ppk_task, within=45)
    assert (task["status"], task["kind"]) == ("open", "skp.awaiting_approval")
    inbox = (await service.http.get("/api/v1/inbox?limit=100", headers=service.as_("PPK", "ppk"))).json()
    assert any(i["ref"] == skp_id for i in inbox["items"])


async def test_a_line_break_in_a_registry_name_or_email_cannot_forge_a_mail_header(service: Service, smtp: Any) -> None:
    _, mailbox = smtp
    cast = Cast.new()
    await register(service, cast)
    forged = [
        (cast.employee, "Siti\r\nBcc: mallory@evil.example", cast.email(cast.employee), cast.appraiser),
        (cast.superior, "Hendra", f"{cast.email(cast.superior)}\r\nBcc: mallory@evil.example", "PPK"),
    ]
    for who, name, email, appraiser in forged:
        snapshot = EmployeeSnapshot(
            nip=who,
            name=name,
            email=email,
            employee_type=EmployeeType.PNS,
            position_type=PositionType.JF,
            opd_code="DINKES",
            pejabat_penilai_nip=appraiser,
            version=2,
        )
        await service.publish(EmployeeRegistered.create(snapshot, producer="test"))

    async def updated() -> bool:
        return (
            await service.db["roster"].count_documents({"_id": {"$in": [cast.employee, cast.superior]}, "version": 2})
            == 2
        )

    await eventually(updated, within=45)
    await service.publish(make(SkpSubmitted, skp_fields(cast, f"skp-{uuid.uuid4().hex[:8]}")))
    [mail] = await eventually(lambda: mailbox.to(cast.email(cast.appraiser)), within=30)
    subject = " ".join(str(mail["Subject"]).split())  # a long header is folded
    assert subject == "[Kinerja ASN] SKP Siti Bcc: mallory@evil.example tahun 2035 menunggu persetujuan Anda"
    assert mail["Bcc"] is None
    # An address that is not a plain addr-spec is refused: the inbox has the message, no email is queued.
    superior_skp = f"skp-{uuid.uuid4().hex[:8]}"
    await service.publish(make(SkpReturned, skp_fields(cast, superior_skp) | {"nip": cast.superior, "reason": "uji"}))
    assert await service.kinds(cast.superior, 1) == ["skp.returned"]
    assert await service.db["deliveries"].count_documents({"recipient": cast.superior, "channel": "email"}) == 0
    assert all("evil" not in str(m["To"]) for m in mailbox.messages)


async def test_any_error_of_a_send_is_a_counted_attempt_and_the_delivery_gives_up(service: Service) -> None:
    cast = Cast.new()
    now = dt.datetime.now(dt.UTC)
    delivery = {
        "_id": f"broken-{uuid.uuid4().hex[:8]}|email",
        "channel": "email",
        "notification_id": f"broken-{uuid.uuid4().hex[:8]}",
        "recipient": cast.employee,
        "kind": "skp.returned",
        "source_event_id": str(uuid.uuid4()),
        "status": "pending",
        "attempts": 5,  # the last of NOTIFICATION_DELIVERY_MAX_ATTEMPTS (6) comes next
        "next_at": now,
        "lease_until": None,
        "created_at": now,
        "to": cast.email(cast.employee),
        "subject": "uji",
        # no "text": the send raises KeyError, not a channel error
    }
    await service.db["deliveries"].insert_one(delivery)
    _, failed = await wait_for_event(
        service.infra,
        "notification.failed.v1",
        lambda v: v["payload"]["notification_id"] == delivery["notification_id"],
    )
    assert (failed["payload"]["attempts"], failed["payload"]["will_retry"]) == (6, False)
    assert "KeyError" in failed["payload"]["error"]
    stored = await service.db["deliveries"].find_one({"_id": delivery["_id"]})
    assert stored is not None
    assert (stored["status"], stored["attempts"]) == ("failed", 6)


# ---------------------------------------------------------------- channels


async def test_a_duplicate_event_sends_nothing_twice_on_any_channel(service: Service, smtp: Any) -> None:
    _, mailbox = smtp
    receiver = Receiver()
    async with run(receiver_app(receiver)) as receiver_url:
        created = await service.http.post(
            "/api/v1/webhooks",
            json={"url": f"{receiver_url}/hook", "event_types": ["skp.awaiting_approval"]},
            headers=service.as_("197001012000011001", "admin_bkpsdm"),
        )
        assert created.status_code == 201, created.text
        receiver.secret = created.json()["secret"]
        cast = Cast.new()
        await register(service, cast)
        event = make(SkpSubmitted, skp_fields(cast, f"skp-{uuid.uuid4().hex[:8]}"))
        await service.publish(event, event)  # delivered twice
        later = make(SkpSubmitted, skp_fields(cast, f"skp-{uuid.uuid4().hex[:8]}"))
        await service.publish(later)  # once this one is in, both copies were consumed
        assert await service.kinds(cast.appraiser, 2) == ["skp.awaiting_approval"] * 2
        await eventually(lambda: len(receiver.verified) == 2 and len(mailbox.to(cast.email(cast.appraiser))) == 2)
        await asyncio.sleep(1.5)  # anything sent twice would have arrived by now
        assert len(await service.inbox(cast.appraiser)) == 2
        assert len(mailbox.to(cast.email(cast.appraiser))) == 2
        assert len(receiver.attempts) == 2
        assert sorted(p["data"]["source_event_id"] for p in receiver.verified) == sorted(
            [str(event.event_id), str(later.event_id)]
        )


async def test_a_receiver_failing_twice_then_succeeding_gets_the_message_once(service: Service) -> None:
    receiver = Receiver(fail_first=2)
    admin = service.as_("197001012000011001", "admin_bkpsdm")
    async with run(receiver_app(receiver)) as receiver_url:
        created = (
            await service.http.post(
                "/api/v1/webhooks", json={"url": f"{receiver_url}/hook", "event_types": ["*"]}, headers=admin
            )
        ).json()
        receiver.secret = created["secret"]
        assert "secret" not in (await service.http.get(f"/api/v1/webhooks/{created['id']}", headers=admin)).json()
        cast = Cast.new()
        await register(service, cast)
        await service.publish(make(SkpReturned, skp_fields(cast, "skp-r") | {"reason": "Lengkapi indikator"}))
        await eventually(lambda: len(receiver.verified) == 1, within=30)
        await asyncio.sleep(1.0)
        assert len(receiver.attempts) == 3
        assert len(set(receiver.attempts)) == 1  # one webhook-id for every attempt
        [payload] = receiver.verified
        assert payload["type"] == "skp.returned"
        assert payload["data"]["recipient"] == cast.employee
        assert "Lengkapi indikator" in payload["data"]["body"]
        log = (await service.http.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=admin)).json()
        assert [(d["status"], d["attempts"]) for d in log["items"]] == [("delivered", 3)]
        key, value = await wait_for_event(
            service.infra,
            "notification.delivered.v1",
            lambda v: v["payload"]["channel"] == "webhook" and v["payload"]["nip"] == cast.employee,
        )
        assert key == cast.employee.encode()
        assert value["payload"]["kind"] == "skp.returned"


async def test_a_receiver_that_keeps_failing_is_disabled_and_its_owner_re_enables_it(
    service_settings: Callable[..., Settings], infra: Infra, keys: Keys
) -> None:
    settings = service_settings(
        Settings,
        webhook_allow_loopback_http=True,
        delivery_backoff_initial_s=0.1,
        delivery_poll_interval_s=0.1,
        delivery_max_attempts=2,
        webhook_disable_after=2,
        reminder_enabled=False,
    )
    await skip_history(infra, settings.consumer_group, DEFINITION.consumes)
    receiver = Receiver(fail_first=1000)
    admin = keys.headers("197001012000011001", "admin_bkpsdm")
    async with (
        run(receiver_app(receiver)) as receiver_url,
        run(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        created = (
            await http.post(
                "/api/v1/webhooks", json={"url": f"{receiver_url}/hook", "event_types": ["*"]}, headers=admin
            )
        ).json()
        cast = Cast.new()
        event = make(SkpReturned, skp_fields(cast, "skp-f") | {"reason": "uji"})
        await publish_raw(infra, event.topic, event.model_dump(mode="json"), event.key())

        async def disabled() -> dict[str, Any] | None:
            found = (await http.get(f"/api/v1/webhooks/{created['id']}", headers=admin)).json()
            return found if not found["enabled"] else None

        found = await eventually(disabled, within=30)
        assert found["disabled_reason"] == "repeated_failures"
        _, failed = await wait_for_event(
            infra, "notification.failed.v1", lambda v: v["payload"]["source_event_id"] == str(event.event_id)
        )
        assert (failed["payload"]["channel"], failed["payload"]["will_retry"]) == ("webhook", False)
        again = await http.patch(f"/api/v1/webhooks/{created['id']}", json={"enabled": True}, headers=admin)
        assert (again.json()["enabled"], again.json()["consecutive_failures"]) == (True, 0)
        refused = await http.post(
            "/api/v1/webhooks", json={"url": "http://10.1.2.3/hook", "event_types": ["*"]}, headers=admin
        )
        assert refused.json()["code"] == "webhook_url_refused"
        for url in ("https://100.64.0.1/hook", "https://2130706433/hook", "https://0x7f.0.0.1/hook", "https://127.1/"):
            refused = await http.post("/api/v1/webhooks", json={"url": url, "event_types": ["*"]}, headers=admin)
            assert refused.json()["code"] == "webhook_url_refused", url
        crlf = await http.post(
            "/api/v1/webhooks", json={"url": "https://example.go.id/h\r\nX: 1", "event_types": ["*"]}, headers=admin
        )
        assert crlf.json()["code"] == "webhook_url_refused"
        unknown = await http.post(
            "/api/v1/webhooks",
            json={"url": "https://example.go.id/h", "event_types": ["*"], "secret": "whsec_mine"},
            headers=admin,
        )
        assert unknown.status_code == 422
        rotated = (await http.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=admin)).json()
        assert rotated["secret"] != created["secret"]
        assert rotated["secret_rotating_until"] is not None
        not_admin = await http.get("/api/v1/webhooks", headers=keys.headers(cast.employee, "pegawai"))
        assert not_admin.status_code == 403


async def test_an_sse_client_sees_a_message_arrive(service: Service) -> None:
    cast = Cast.new()
    ticket = (await service.http.post("/api/v1/stream-tickets", headers=service.as_(cast.employee))).json()
    frames: list[dict[str, Any]] = []

    async def listen() -> None:
        path = f"/api/v1/stream?ticket={ticket['ticket']}&max_seconds=30"
        async with (
            httpx.AsyncClient(base_url=service.url, timeout=30) as browser,  # no Authorization header
            browser.stream("GET", path) as response,
        ):
            assert response.headers["content-type"].startswith("text/event-stream")
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event == "notification":
                    frames.append(json.loads(line.removeprefix("data: ")))
                    return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(1.0)  # the stream is open
    await service.publish(make(SkpReturned, skp_fields(cast, "skp-sse") | {"reason": "Perbaiki target"}))
    await asyncio.wait_for(listener, 40)
    [frame] = frames
    assert frame["kind"] == "skp.returned"
    assert "Perbaiki target" in frame["body"]
    wrong = await service.http.get("/api/v1/stream?ticket=not-a-ticket")
    assert wrong.status_code == 401


async def test_inbox_read_marks_and_privacy(service: Service) -> None:
    cast = Cast.new()
    for n in range(3):
        await service.publish(make(SkpReturned, skp_fields(cast, f"skp-{n}") | {"reason": f"alasan {n}"}))
    await service.kinds(cast.employee, 3)
    first = (await service.inbox(cast.employee))[0]
    other = await service.http.post(f"/api/v1/inbox/{first['id']}/read", headers=service.as_(cast.appraiser))
    assert other.status_code == 404
    mine = await service.http.post(f"/api/v1/inbox/{first['id']}/read", headers=service.as_(cast.employee))
    assert mine.json()["read"] is True
    # The first read publishes notification.read.v1 (keyed by the recipient); reading it again changes nothing.
    key, read = await wait_for_event(
        service.infra, "notification.read.v1", lambda v: v["payload"]["nip"] == cast.employee
    )
    assert key == cast.employee.encode()
    payload = read["payload"]
    assert (payload["notification_id"], payload["kind"]) == (first["id"], "skp.returned")
    assert read["producer"] == "notification"
    read_at = dt.datetime.fromisoformat(mine.json()["read_at"]).replace(tzinfo=dt.UTC)
    assert dt.datetime.fromisoformat(payload["read_at"]) == read_at  # the stored moment, to the millisecond
    assert payload["source_event_id"]
    again = await service.http.post(f"/api/v1/inbox/{first['id']}/read", headers=service.as_(cast.employee))
    assert (again.status_code, again.json()["read_at"]) == (200, mine.json()["read_at"])
    page = await service.inbox(cast.employee)
    assert [i["read"] for i in page] == [False, False, True]  # unread first
    marked = await service.http.post("/api/v1/inbox/read-all", headers=service.as_(cast.employee))
    assert marked.json() == {"marked": 2, "remaining": 0}
    assert (await service.http.get("/api/v1/inbox/unread-count", headers=service.as_(cast.employee))).json() == {
        "unread": 0
    }
    assert await service.inbox(cast.appraiser) == []
    # read-all published one event for each message it marked; the one read before got no second event.
    await wait_for_event(
        service.infra,
        "notification.read.v1",
        lambda v: v["payload"]["nip"] == cast.employee and v["payload"]["notification_id"] == page[0]["id"],
    )
    again_all = await service.http.post("/api/v1/inbox/read-all", headers=service.as_(cast.employee))
    assert again_all.json() == {"marked": 0, "remaining": 0}
    events = [json.loads(r.value) for r in await read_topic(service.infra, "notification.read.v1") if r.value]
    ids = [e["payload"]["notification_id"] for e in events if e["payload"].get("nip") == cast.employee]
    assert sorted(ids) == sorted(i["id"] for i in page)


async def test_preferences_turn_email_off_for_a_kind(service: Service, smtp: Any) -> None:
    _, mailbox = smtp
    cast = Cast.new()
    await register(service, cast)
    me = service.as_(cast.employee)
    assert "email" in (await service.http.get("/api/v1/preferences", headers=me)).json()["channels"]["skp.returned"]
    changed = await service.http.put("/api/v1/preferences", json={"channels": {"skp.returned": ["push"]}}, headers=me)
    assert changed.json()["channels"]["skp.returned"] == ["inbox", "push"]
    unknown = await service.http.put("/api/v1/preferences", json={"channels": {"nope": ["push"]}}, headers=me)
    assert unknown.json()["code"] == "unknown_kind"
    await service.publish(make(SkpReturned, skp_fields(cast, "skp-p") | {"reason": "uji"}))
    await service.publish(completed(cast, f"ap-{uuid.uuid4().hex[:6]}", 1, "baik"))
    await service.kinds(cast.employee, 2)
    mails = await eventually(lambda: mailbox.to(cast.email(cast.employee)), within=30)
    await asyncio.sleep(1.0)
    assert [m["Subject"] for m in mailbox.to(cast.email(cast.employee))] == [mails[0]["Subject"]]
    assert "Penilaian kinerja" in mails[0]["Subject"]
