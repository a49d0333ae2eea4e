"""Pure rules of the notification service: who hears what, the words, channels, deadlines, webhooks."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from notification.domain import routing
from notification.domain.deadlines import (
    PlanWindow,
    evaluation_reminders,
    jp_reminders,
    plan_reminders,
    skp_reminders,
)
from notification.domain.messages import environment, header_text, link_path, plain_address, render
from notification.domain.periods import describe_date, describe_period
from notification.domain.preferences import channels_for, effective
from notification.domain.routing import Person
from notification.domain.webhooks import backoff_s, encode_secret, message_id, sign, signature_header, url_problem
from notification.services.stream import _event
from shared.events import (
    AppraisalCompleted,
    DevelopmentPlanChanged,
    Event,
    LowScoreFlagged,
    ObjectionDecided,
    ObjectionFiled,
    SkpApproved,
    SkpReturned,
    SkpSubmitted,
    TrainingCompleted,
    TrainingEnrolled,
    TrainingRecommended,
)

E = TypeVar("E", bound=Event)
NIP = "198609262015051001"
PP = "197501012000031002"
AT = "196801012000031003"


def skp(**extra: Any) -> dict[str, Any]:
    return {"skp_id": "skp-1", "nip": NIP, "year": 2035, "opd_code": "DINKES", "pejabat_penilai_nip": PP} | extra


def submitted(**extra: Any) -> SkpSubmitted:
    return make(SkpSubmitted, skp(due="2035-03-05") | extra)


def returned(**extra: Any) -> SkpReturned:
    payload = skp(reason="Target kuantitas belum terukur") | extra
    return make(SkpReturned, payload)


def approved(**extra: Any) -> SkpApproved:
    payload = skp(approach="kuantitatif", rhk=[], valid_from="2035-01-01", valid_to="2035-12-31") | extra
    return make(SkpApproved, payload)


def result(**extra: Any) -> dict[str, Any]:
    return {
        "appraisal_id": "ap-1",
        "nip": NIP,
        "opd_code": "DINKES",
        "period": "2035",
        "pejabat_penilai_nip": PP,
    } | extra


def completed(**extra: Any) -> AppraisalCompleted:
    payload = result(hasil_kerja="sesuai_ekspektasi", perilaku_kerja="sesuai_ekspektasi", predikat="baik") | extra
    return make(AppraisalCompleted, payload)


def flagged(**extra: Any) -> LowScoreFlagged:
    payload = (
        result(hasil_kerja="di_bawah_ekspektasi", perilaku_kerja="di_bawah_ekspektasi", predikat="kurang_misconduct")
        | extra
    )
    return make(LowScoreFlagged, payload)


def plan_changed(status: str, **extra: Any) -> DevelopmentPlanChanged:
    payload = result(status=status, due_on="2036-06-30") | extra
    return make(DevelopmentPlanChanged, payload)


def filed(**extra: Any) -> ObjectionFiled:
    payload = (
        result(reason="Data realisasi belum lengkap", decision_due="2036-01-20", atasan_pejabat_penilai_nip=AT) | extra
    )
    return make(ObjectionFiled, payload)


def decided(decision: str, **extra: Any) -> ObjectionDecided:
    payload = (
        result(decision=decision, decided_by=AT, revision=2, predikat="baik", note="Data susulan diterima") | extra
    )
    return make(ObjectionDecided, payload)


def recommended(**extra: Any) -> TrainingRecommended:
    payload = {
        "recommendation_id": "rec-1",
        "nip": NIP,
        "reason": "low_score",
        "programs": [{"program_code": "MW-01", "title": "Manajemen Waktu", "jp": 20}],
        "due_by": "2035-09-30",
    } | extra
    return make(TrainingRecommended, payload)


def enrolled(**extra: Any) -> TrainingEnrolled:
    payload: dict[str, Any] = {"enrolment_id": "S1:" + NIP, "nip": NIP, "program_code": "MW-01"}
    payload |= {
        "title": "Manajemen Waktu",
        "jp_planned": 20,
        "starts_on": "2035-05-02",
        "ends_on": "2035-05-04",
    } | extra
    return make(TrainingEnrolled, payload)


def training_completed(**extra: Any) -> TrainingCompleted:
    payload: dict[str, Any] = {"enrolment_id": "S1:" + NIP, "nip": NIP, "program_code": "MW-01"}
    payload |= {"title": "Manajemen Waktu", "jp_earned": 20, "completed_on": "2035-05-04", "year": 2035} | extra
    return make(TrainingCompleted, payload)


TODAY = dt.date(2035, 3, 3)


def make(event_type: type[E], payload: dict[str, Any]) -> E:
    """A valid event of ``event_type`` with ``payload`` (checked against the contract)."""
    payload_type = event_type.model_fields["payload"].annotation
    assert isinstance(payload_type, type)
    return event_type.create(payload_type.model_validate(payload), producer="test")


# ---------------------------------------------------------------- who hears what

ENV = environment()


def planned(event: Event, employee: Person | None = None) -> list[tuple[str, str, str | None]]:
    plan = routing.plan(routing.fact_of(event), employee)
    return [(n.kind, n.recipient, n.task) for n in plan.notices]


def task_changes(event: Event) -> list[tuple[str, str]]:
    return [(t.key, t.action.value) for t in routing.plan(routing.fact_of(event), None).tasks]


def test_submitted_skp_is_a_task_for_the_pejabat_penilai_and_returned_or_approved_closes_it() -> None:
    assert planned(submitted()) == [("skp.awaiting_approval", PP, "skp_approval|skp:skp-1")]
    assert task_changes(submitted()) == [("skp_approval|skp:skp-1", "open")]
    assert planned(returned()) == [("skp.returned", NIP, None)]
    assert task_changes(returned()) == [("skp_approval|skp:skp-1", "close")]
    assert planned(approved()) == [("skp.approved", NIP, None)]
    assert task_changes(approved()) == [("skp_approval|skp:skp-1", "close")]


def test_the_pejabat_penilai_comes_from_the_local_registry_when_the_event_names_none() -> None:
    event = submitted(pejabat_penilai_nip=None)
    assert planned(event) == []
    assert planned(event, Person(NIP, pejabat_penilai="PPK")) == [
        ("skp.awaiting_approval", "PPK", "skp_approval|skp:skp-1")
    ]


def test_a_final_result_goes_to_the_employee_and_a_revised_one_also_to_the_pejabat_penilai() -> None:
    assert planned(completed()) == [("appraisal.final", NIP, None)]
    assert sorted(planned(completed(revision=2))) == [("appraisal.revised", PP, None), ("appraisal.revised", NIP, None)]


def test_a_plan_awaiting_input_is_a_task_for_the_pejabat_penilai_and_news_for_the_employee() -> None:
    assert planned(plan_changed("awaiting_input")) == [
        ("plan.awaiting_input", PP, "plan_input|appraisal:ap-1"),
        ("plan.opened", NIP, None),
    ]
    assert planned(plan_changed("active")) == [("plan.recorded", NIP, None)]
    assert task_changes(plan_changed("active")) == [("plan_input|appraisal:ap-1", "close")]
    assert planned(plan_changed("withdrawn")) == []
    assert task_changes(plan_changed("withdrawn")) == [("plan_input|appraisal:ap-1", "close")]


def test_an_objection_is_a_task_for_the_atasan_and_its_decision_goes_to_employee_and_pejabat_penilai() -> None:
    assert planned(filed()) == [("objection.awaiting_decision", AT, "objection_decision|appraisal:ap-1")]
    assert planned(filed(atasan_pejabat_penilai_nip=None), Person(NIP, atasan="PPK"))[0][1] == "PPK"
    for decision in ("upheld", "rejected"):
        assert planned(decided(decision)) == [(f"objection.{decision}", NIP, None), (f"objection.{decision}", PP, None)]
        assert task_changes(decided(decision)) == [("objection_decision|appraisal:ap-1", "close")]


def test_only_an_escalated_low_result_reaches_the_bkpsdm_and_the_opd_admin() -> None:
    assert planned(flagged()) == []
    assert planned(flagged(escalated_to_bkpsdm=True)) == [
        ("escalation", "group:bkpsdm", None),
        ("escalation", "group:opd:DINKES", None),
    ]


def test_training_news_goes_to_the_employee_and_the_pejabat_penilai_from_the_registry() -> None:
    person = Person(NIP, pejabat_penilai=PP)
    for event in (recommended(), enrolled(), training_completed()):
        assert [(k, r) for k, r, _ in planned(event, person)] == [(event.event_type, NIP), (event.event_type, PP)]
        assert [(k, r) for k, r, _ in planned(event)] == [(event.event_type, NIP)]


def test_message_ids_are_stable_per_revision_and_per_event_otherwise() -> None:
    one, again = completed(), completed()  # the same revision under two event ids
    ids = [routing.plan(routing.fact_of(e), None).notices[0].notification_id for e in (one, again)]
    assert ids[0] == ids[1] == f"appraisal.final|appraisal:ap-1|r1|{NIP}"
    first, second = submitted(), submitted()  # two submissions (after a return): two messages
    ids = [routing.plan(routing.fact_of(e), None).notices[0].notification_id for e in (first, second)]
    assert ids[0] != ids[1]


def test_every_rule_names_a_known_condition_and_kind_and_every_kind_has_its_templates() -> None:
    assert {r.condition for r in routing.RULES} <= set(routing.CONDITIONS)
    for kind in routing.KINDS:
        for channel in ("inbox", "email"):
            ENV.get_template(f"{channel}/{kind}.j2")


def test_audiences_are_the_own_inbox_and_the_roles_group_inboxes() -> None:
    assert routing.audiences(NIP, frozenset({"pegawai"}), None) == [NIP]
    assert routing.audiences(NIP, frozenset({"admin_bkpsdm"}), None) == [NIP, "group:bkpsdm"]
    assert routing.audiences(NIP, frozenset({"admin_opd"}), "DINKES") == [NIP, "group:opd:DINKES"]
    assert routing.audiences(NIP, frozenset({"admin_opd"}), None) == [NIP]


# ---------------------------------------------------------------- words


@pytest.mark.parametrize(
    ("period", "text"),
    [
        ("2026", "tahun 2026"),
        ("2026-Q1", "Triwulan I 2026"),
        ("2026-Q4", "Triwulan IV 2026"),
        ("2026-S2", "Semester II 2026"),
        ("2026-03", "Maret 2026"),
        ("2026-12", "Desember 2026"),
    ],
)
def test_describes_period_in_bahasa_indonesia(period: str, text: str) -> None:
    assert describe_period(period) == text


def test_dates_are_written_with_month_names() -> None:
    assert describe_date("2035-03-05") == "5 Maret 2035"
    assert describe_date(dt.date(2035, 12, 31)) == "31 Desember 2035"
    assert describe_date(None) == "-"


def context(event: Event, audience: str = "employee", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = event.payload.model_dump(mode="json")
    return (
        data
        | {
            "audience": audience,
            "employee_name": "Siti Rahmawati",
            "recipient_name": "Budi",
            "link": "https://kinerja.example/x",
            "preferences_link": "https://kinerja.example/p",
            "objection_until": None,
        }
        | extra
    )


def test_every_event_kind_renders_on_both_channels_without_a_missing_fact() -> None:
    cases = [
        (submitted(), "skp.awaiting_approval"), (returned(), "skp.returned"), (approved(), "skp.approved"),
        (completed(), "appraisal.final"), (completed(revision=2), "appraisal.revised"),
        (plan_changed("awaiting_input"), "plan.awaiting_input"), (plan_changed("awaiting_input"), "plan.opened"),
        (plan_changed("active", actions=["coaching"]), "plan.recorded"), (filed(), "objection.awaiting_decision"),
        (decided("upheld"), "objection.upheld"), (decided("rejected"), "objection.rejected"),
        (flagged(escalated_to_bkpsdm=True), "escalation"), (recommended(), "training.recommended"),
        (enrolled(), "training.enrolled"), (training_completed(), "training.completed"),
    ]  # fmt: skip
    for event, kind in cases:
        for audience in ("employee", "pejabat_penilai"):
            for channel in ("inbox", "email"):
                rendered = render(ENV, kind, channel, context(event, audience))
                assert rendered.title, (kind, channel)
                assert rendered.body, (kind, channel)
                assert "None" not in rendered.body, (kind, rendered.body)


def test_the_words_carry_the_facts_with_month_names() -> None:
    text = render(ENV, "skp.awaiting_approval", "inbox", context(submitted(), "pejabat_penilai"))
    assert text.title == "SKP Siti Rahmawati tahun 2035 menunggu persetujuan Anda"
    assert "paling lambat 5 Maret 2035" in text.body
    assert "03/2035" not in text.body
    back = render(ENV, "skp.returned", "inbox", context(returned()))
    assert "Target kuantitas belum terukur" in back.body
    # An event's text cannot break the message into lines or turn the text around it.
    hostile = render(ENV, "skp.returned", "inbox", context(returned(reason="Lengkapi\r\nSubject: x\u202etxt.exe")))
    assert "Lengkapi  Subject: x txt.exe" in hostile.body
    assert not any(c in hostile.body + hostile.title for c in "\r\u202e")
    final = render(
        ENV, "appraisal.final", "inbox", context(completed(predikat="butuh_perbaikan"), objection_until="2035-01-20")
    )
    assert "predikat Butuh Perbaikan" in final.body
    assert "keberatan kepada atasan pejabat penilai paling lambat 20 Januari 2035" in final.body
    assert "rencana pengembangan" in final.body
    good = render(ENV, "appraisal.final", "inbox", context(completed(predikat="sangat_baik")))
    assert "rencana pengembangan" not in good.body
    revised = render(ENV, "appraisal.revised", "inbox", context(completed(revision=2)))
    assert "Mengikuti keputusan atas keberatan" in revised.body
    email = render(ENV, "objection.awaiting_decision", "email", context(filed(), "atasan"))
    assert email.title.startswith("[Kinerja ASN] Keberatan Siti Rahmawati")
    assert "Yth. Budi," in email.body
    assert "Buka: https://kinerja.example/x" in email.body
    assert "paling lambat 20 Januari 2036" in email.body


def test_links_point_at_the_record() -> None:
    assert link_path("skp.awaiting_approval", {"skp_id": "s1"}) == "/skp/s1"
    assert link_path("objection.upheld", {"appraisal_id": "a1"}) == "/evaluations/a1/objection"
    assert link_path("plan.awaiting_input", {"appraisal_id": "a1"}) == "/evaluations/a1/development-plan"
    assert link_path("training.enrolled", {"enrolment_id": "e1"}) == "/training/enrolments/e1"
    assert link_path("skp.returned", {"skp_id": "../x\r\n?y#z"}) == "/skp/..%2Fx%0D%0A%3Fy%23z"


# ---------------------------------------------------------------- channels


def test_default_channels_and_a_persons_choice() -> None:
    assert channels_for("skp.awaiting_approval", None) == {"inbox", "push", "email"}
    assert channels_for("training.enrolled", None) == {"inbox", "push"}
    assert channels_for("skp.awaiting_approval", {"skp.awaiting_approval": []}) == {"inbox"}
    assert channels_for("training.enrolled", {"training.enrolled": ["email"]}) == {"inbox", "email"}
    assert set(effective(None)) == set(routing.KINDS)


# ---------------------------------------------------------------- webhooks


def test_signatures_verify_with_the_standard_webhooks_library_also_during_a_rotation() -> None:
    old, new = encode_secret(b"o" * 32), encode_secret(b"n" * 32)
    body = b'{"type":"skp.approved","data":{}}'
    now = int(dt.datetime.now(dt.UTC).timestamp())
    header = signature_header([new, old], "msg_1", now, body)
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": header}
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {"type": "skp.approved", "data": {}}
    with pytest.raises(WebhookVerificationError):
        Webhook(encode_secret(b"x" * 32)).verify(body, headers)
    stale = headers | {"webhook-timestamp": str(now - 600), "webhook-signature": sign(new, "msg_1", now - 600, body)}
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body, stale)
    assert message_id("d1") == message_id("d1") != message_id("d2")


@pytest.mark.parametrize(
    ("url", "loopback", "refused"),
    [
        ("https://siasn.example.go.id/hooks", False, False),
        ("http://siasn.example.go.id/hooks", False, True),
        ("http://127.0.0.1:9000/hook", True, False),
        ("http://127.0.0.1:9000/hook", False, True),
        ("https://127.0.0.1/hook", False, True),
        ("https://10.0.0.5/hook", False, True),
        ("https://192.168.1.1/hook", True, True),
        ("https://169.254.169.254/latest", False, True),
        ("https://[fe80::1]/hook", False, True),
        ("https://user:pw@example.go.id/hook", False, True),
        ("ftp://example.go.id/hook", False, True),
        ("https:///nohost", False, True),
        ("https://100.64.0.1/hook", False, True),  # shared address space: not global
        ("https://192.0.2.10/hook", False, True),  # documentation
        ("https://[::ffff:10.0.0.1]/hook", False, True),  # IPv4-mapped private
        ("https://8.8.8.8/hook", False, False),
        ("https://2130706433/hook", True, True),  # numeric host forms of 127.0.0.1
        ("https://0x7f.0.0.1/hook", True, True),
        ("https://0177.0.0.1/hook", True, True),
        ("https://127.1/hook", True, True),
        ("https://example.go.id/hook\r\nX-Forged: 1", False, True),
        ("https://example.go.id/ho\x00ok", False, True),
        ("https://example.go.id/a b", False, True),
    ],
)
def test_webhook_targets(url: str, loopback: bool, refused: bool) -> None:
    assert (url_problem(url, allow_loopback_http=loopback) is not None) is refused


def test_mail_header_values_lose_line_breaks_and_only_plain_addresses_pass() -> None:
    assert header_text("SKP Siti\r\nBcc: mallory@evil.example tahun 2035") == (
        "SKP Siti Bcc: mallory@evil.example tahun 2035"
    )
    assert header_text("a\x00b\u202ec\td") == "a b c d"
    assert plain_address("siti.rahma@palembang.go.id") == "siti.rahma@palembang.go.id"
    for refused in (
        "siti@palembang.go.id\r\nBcc: mallory@evil.example",
        "Siti <siti@palembang.go.id>",
        "siti@palembang.go.id, mallory@evil.example",
        '"s i"@palembang.go.id',
        "siti@localhost",
        "siti@@palembang.go.id",
        "",
        None,
    ):
        assert plain_address(refused) is None, refused


def test_an_sse_frame_never_carries_a_line_break_from_a_record_id() -> None:
    document = {
        "_id": "skp.returned|skp:x\nevent: forged\ndata: {}|e1|198609262015051001",
        "kind": "skp.returned",
        "title": "t\r\nx",
        "body": "b",
        "link": "/skp/x",
        "created_at": dt.datetime(2035, 1, 1, tzinfo=dt.UTC),
    }
    frame = _event(document)
    assert frame.endswith("\n\n")
    lines = frame.removesuffix("\n\n").split("\n")
    assert [line.split(":", 1)[0] for line in lines] == ["id", "event", "data"]
    assert "\r" not in frame
    assert lines[0] == "id: skp.returned|skp:x%0Aevent:%20forged%0Adata:%20%7B%7D|e1|198609262015051001"


def test_backoff_doubles_up_to_its_cap() -> None:
    assert [backoff_s(n, 5, 60) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 40, 60]


# ---------------------------------------------------------------- deadlines

A, B, C = "198001012005011001", "198001012005011002", "198001012005011003"


def people() -> list[Person]:
    return [
        Person(A, "Ani", pejabat_penilai=PP),
        Person(B, "Budi", pejabat_penilai=PP),
        Person(C, "Cici", pejabat_penilai=PP),
    ]


def test_skp_reminders_go_to_whoever_must_act_within_the_lead_days_only() -> None:
    due = dt.date(2035, 3, 5)
    status = {A: "submitted", B: "returned", C: "approved"}
    found = skp_reminders(dt.date(2035, 3, 3), 2035, due, people(), status, lead_days=3)
    assert [(r.key, r.kind, r.recipient) for r in found] == [
        (f"skp_due:2035|{B}", "reminder.skp_due", B),
        (f"skp_approval_due:2035|{PP}", "reminder.skp_approval_due", PP),
    ]
    assert found[1].data["count"] == 1
    assert skp_reminders(dt.date(2035, 3, 1), 2035, due, people(), status, lead_days=3) == []
    assert skp_reminders(dt.date(2035, 3, 6), 2035, due, people(), status, lead_days=3) == []
    inactive = [Person(B, active=False, pejabat_penilai=PP)]
    assert skp_reminders(dt.date(2035, 3, 5), 2035, due, inactive, {}, lead_days=3) == []


def test_evaluation_reminders_list_the_unfinished_results_per_pejabat_penilai() -> None:
    found = evaluation_reminders(
        dt.date(2035, 4, 8), {"2035-Q1": dt.date(2035, 4, 10), "2035-Q2": dt.date(2035, 7, 10)}, people(),
        approved={A, B}, completed={(A, "2035-Q1")}, lead_days=3,
    )  # fmt: skip
    assert [(r.key, r.recipient, r.data["count"]) for r in found] == [(f"evaluation_due:2035-Q1|{PP}", PP, 1)]


def test_plan_reminders_only_for_open_plans_near_their_end() -> None:
    plans = [
        PlanWindow("ap-1", A, "2035", "active", dt.date(2035, 6, 30), PP),
        PlanWindow("ap-2", B, "2035", "withdrawn", dt.date(2035, 6, 30), PP),
        PlanWindow("ap-3", C, "2035", "awaiting_input", dt.date(2035, 9, 30), PP),
    ]
    found = plan_reminders(dt.date(2035, 6, 28), plans, {A: "Ani"}, lead_days=3)
    assert [(r.key, r.data["employee_name"]) for r in found] == [(f"plan_due:ap-1|{PP}", "Ani")]


def test_jp_behind_at_mid_year_tells_the_employee_and_lists_them_for_the_pejabat_penilai() -> None:
    earned = {A: 12.0, B: 4.0}
    found = jp_reminders(dt.date(2035, 7, 2), people(), earned, obligation=20, share=0.5, window_days=30)
    assert [(r.recipient, r.audience) for r in found] == [(B, "employee"), (C, "employee"), (PP, "pejabat_penilai")]
    assert found[-1].data["count"] == 2
    assert jp_reminders(dt.date(2035, 6, 30), people(), earned, obligation=20, share=0.5, window_days=30) == []
    assert jp_reminders(dt.date(2035, 8, 15), people(), earned, obligation=20, share=0.5, window_days=30) == []
    for reminder in found:
        rendered = render(ENV, reminder.kind, "inbox", {**reminder.data, "audience": reminder.audience})
        assert "JP" in rendered.body


def test_a_seat_from_the_waiting_list_says_so() -> None:
    seated = render(ENV, "training.enrolled", "inbox", context(enrolled()))
    assert seated.title == "Anda terdaftar pada Manajemen Waktu"
    assert "daftar tunggu" not in seated.body
    promoted = render(ENV, "training.enrolled", "inbox", context(enrolled(promoted_from_waiting_list=True)))
    assert promoted.title == "Anda mendapat tempat dari daftar tunggu pada Manajemen Waktu"
    assert "diberikan dari daftar tunggu karena ada peserta yang membatalkan" in promoted.body
    email = render(
        ENV, "training.enrolled", "email", context(enrolled(promoted_from_waiting_list=True), "pejabat_penilai")
    )
    assert "Siti Rahmawati mendapat tempat dari daftar tunggu" in email.title
