"""Which document each event leaves, and which one stands when several arrive in any order."""

import datetime as dt
import itertools

import pytest

from kinerja_testing import events as ev
from reporting.domain.facts import FACTS, Fact, InvalidEvent, Model, facts_of, marks_of, newest
from shared.events import EVENT_TYPES, Predikat

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
NIP = "198001012005011001"


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def standing(*events: object) -> list[Fact]:
    """What stands after ``events`` in every arrival order (the same each time, or the test fails)."""
    results = []
    for order in itertools.permutations(events):
        facts = newest(f for e in order for f in facts_of(e))  # type: ignore[arg-type]
        results.append(sorted((f.key, f.document.get("status"), f.order) for f in facts))
    assert all(r == results[0] for r in results)
    return newest(f for e in events for f in facts_of(e))  # type: ignore[arg-type]


def test_reporting_reads_every_published_event() -> None:
    assert set(FACTS) == set(EVENT_TYPES.values())


def test_the_highest_appraisal_revision_stands_in_any_order() -> None:
    facts = standing(
        ev.completed("a1", NIP, "2026-Q1", Predikat.BAIK, revision=1),
        ev.completed("a1", NIP, "2026-Q1", Predikat.SANGAT_BAIK, revision=3),
        ev.completed("a1", NIP, "2026-Q1", Predikat.BUTUH_PERBAIKAN, revision=2),
    )
    assert [f.document["predikat"] for f in facts] == ["sangat_baik"]
    assert facts[0].document["year"] == 2026
    assert facts[0].document["annual"] is False


def test_an_skp_shows_its_latest_step_and_its_first_approval() -> None:
    facts = standing(
        ev.skp("submitted", "s1", NIP, at=at(1)),
        ev.skp("returned", "s1", NIP, at=at(2)),
        ev.skp("submitted", "s1", NIP, at=at(3)),
        ev.skp("approved", "s1", NIP, at=at(4), late=True),
        ev.skp("approved", "s1", NIP, at=at(9), revision=1),
    )
    by_model = {f.model: f.document for f in facts}
    assert by_model[Model.SKPS]["status"] == "approved"
    assert by_model[Model.SKPS]["revision"] == 1
    assert by_model[Model.SKP_APPROVALS]["revision"] == 0
    assert by_model[Model.SKP_APPROVALS]["late"] is True


def test_a_later_step_wins_whatever_its_time() -> None:
    # the decision wins over the filing even if clocks made the filing look newer
    facts = standing(
        ev.objection("rejected", "a1", NIP, "2026", at=at(1)), ev.objection("filed", "a1", NIP, "2026", at=at(5))
    )
    assert facts[0].document["status"] == "decided"
    facts = standing(ev.recommendation_withdrawn("r1", NIP, at=at(1)), ev.recommended("r1", NIP, at=at(5)))
    assert facts[0].document["status"] == "withdrawn"
    facts = standing(ev.training_completed("e1", NIP, 8, at=at(1)), ev.enrolled("e1", NIP))
    assert facts[0].document["status"] == "completed"
    assert facts[0].document["jp"] == 8


def test_messages_read_beats_delivered_and_a_final_failure_beats_a_retry() -> None:
    facts = standing(ev.message("read", "n1", NIP, at=at(1)), ev.message("delivered", "n1", NIP, at=at(5)))
    assert facts[0].key == (Model.MESSAGES, "n1:inbox")
    assert facts[0].document["status"] == "read"
    facts = standing(
        ev.message("failed", "n2", NIP, channel="email", at=at(1)),
        ev.message("retrying", "n2", NIP, channel="email", at=at(5)),
    )
    assert facts[0].document["status"] == "failed"


def test_a_message_and_a_recommendation_count_in_the_year_in_palembang() -> None:
    """18:00 UTC on 31 December is 1 January, 01:00, in Palembang (16:00 UTC is still 31 December there)."""
    new_year = dt.datetime(2025, 12, 31, 18, 0, tzinfo=dt.UTC)
    assert facts_of(ev.message("delivered", "n3", NIP, at=new_year))[0].document["year"] == 2026
    assert facts_of(ev.message("delivered", "n4", NIP, at=new_year - dt.timedelta(hours=2)))[0].document["year"] == 2025
    assert marks_of(facts_of(ev.recommended("r1", NIP, at=new_year))[0]) == {"city:2026"}


def test_a_withdrawn_flag_stands_until_a_later_revision_flags_again() -> None:
    facts = standing(ev.flagged("a1", NIP, "2026-Q1", revision=1), ev.withdrawn("a1", NIP, "2026-Q1", revision=2))
    assert facts[0].document["status"] == "withdrawn"
    facts = standing(
        ev.flagged("a1", NIP, "2026-Q1", revision=1),
        ev.withdrawn("a1", NIP, "2026-Q1", revision=2),
        ev.flagged("a1", NIP, "2026-Q1", revision=3),
    )
    assert facts[0].document["status"] == "flagged"


def test_development_plan_latest_change_stands() -> None:
    facts = standing(
        ev.plan("a1", NIP, "2026", "awaiting_input", at=at(1)),
        ev.plan("a1", NIP, "2026", "active", at=at(2), cause="kompetensi", actions=["coaching"]),
        ev.plan("a1", NIP, "2026", "withdrawn", at=at(3)),
    )
    assert facts[0].document["status"] == "withdrawn"


def test_people_years_and_org_years_keep_the_highest_version() -> None:
    facts = standing(ev.person(NIP, "DINKES", version=1), ev.person(NIP, "DISDIK", version=2))
    assert facts[0].document["opd_code"] == "DISDIK"
    facts = standing(ev.org_year("DINKES", 2026, "baik", version=2), ev.org_year("DINKES", 2026, "istimewa", version=1))
    assert facts[0].document["predikat"] == "baik"
    facts = standing(ev.year_configured(2026, version=1), ev.year_configured(2026, version=2, finalise_grace_days=3))
    assert facts[0].document["_id"] == "2026"
    assert facts[0].order.endswith("2")


def test_long_texts_are_clipped() -> None:
    fact = facts_of(ev.person(NIP, name="A" * 500))[0]
    assert len(fact.document["name"]) == 300


@pytest.mark.parametrize(
    ("event", "marks"),
    [
        (ev.completed("a1", NIP, "2026-Q1"), {"dist:DINKES:2026-Q1", "city:2026"}),
        (ev.flagged("a1", NIP, "2026-Q1"), {"dist:DINKES:2026-Q1"}),
        (ev.skp("approved", "s1", NIP, year=2025), {"year:DINKES:2025"}),
        (ev.plan("a1", NIP, "2026", "active"), {"year:DINKES:2026"}),
        (ev.objection("filed", "a1", NIP, "2026-Q2"), {"year:DINKES:2026"}),
        (ev.org_year("DINKES", 2026, "baik"), set()),
        (ev.year_configured(2026), set()),
    ],
)
def test_marks_name_the_summaries_a_fact_touches(event: object, marks: set[str]) -> None:
    assert set().union(*(marks_of(f) for f in facts_of(event))) == marks  # type: ignore[arg-type]


def test_facts_of_one_employee_mark_the_years_of_their_opd_once_it_is_known() -> None:
    fact = facts_of(ev.training_completed("e1", NIP, 8))[0]
    assert marks_of(fact) == {"city:2026"}  # OPD not known (yet): the person's own event marks it
    fact.document["opd_code"] = "DINKES"  # placed when applied
    assert marks_of(fact) == {"year:DINKES:2026", "city:2026"}
    person = facts_of(ev.person(NIP, "DISDIK"))[0]
    assert marks_of(person, [2025, 2026]) == {"year:DISDIK:2025", "year:DISDIK:2026"}


def test_lists_from_events_are_bounded() -> None:
    many = [
        {"rhk_id": "r", "indicator_id": f"i{n}", "indicator_text": "x" * 1000, "target": "9" * 100} for n in range(100)
    ]
    doc = facts_of(ev.completed("a1", NIP, "2026-Q1", indicators=many))[0].document
    assert len(doc["indicators"]) == 60
    assert len(doc["indicators"][0]["indicator"]) == 300
    assert len(doc["indicators"][0]["target"]) == 40
    plan = facts_of(ev.plan("a1", NIP, "2026", "active", actions=["coaching"] * 50))[0].document
    assert len(plan["actions"]) == 20


@pytest.mark.parametrize("code", ["", " ", "A:", "X<svg onload=alert(1)>", "dinkes", "A" * 33])
def test_an_opd_code_no_api_accepts_makes_the_event_invalid(code: str) -> None:
    with pytest.raises(InvalidEvent):
        facts_of(ev.completed("a1", NIP, "2026-Q1", opd_code=code))
    with pytest.raises(InvalidEvent):
        facts_of(ev.person(NIP, code))
    assert facts_of(ev.completed("a1", NIP, "2026-Q1", opd_code="DINKES-2"))
