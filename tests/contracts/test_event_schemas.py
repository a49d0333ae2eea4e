"""Schema discipline: the committed JSON Schema snapshots may only grow additively within a major version."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from shared.events import EVENT_TYPES, Topic
from shared.events.envelope import Event, Payload
from shared.events.schemas import breaking_changes, check, event_schema

SNAPSHOTS = Path(__file__).resolve().parents[2] / "contracts" / "schemas"


def test_every_event_matches_its_committed_snapshot_additively() -> None:
    assert check(SNAPSHOTS) == []


def test_there_is_one_snapshot_per_topic_and_no_stale_ones() -> None:
    assert {path.name for path in SNAPSHOTS.glob("*.json")} == {f"{topic.value}.json" for topic in EVENT_TYPES}


def test_every_topic_has_an_event_and_dlq_name() -> None:
    assert set(EVENT_TYPES) == set(Topic)
    for topic, event in EVENT_TYPES.items():
        assert event.topic is topic
        assert topic.value.endswith(".v1")
        assert event.model_fields["event_type"].default == topic.value.removesuffix(".v1")
        assert topic.dlq == f"{topic.value}.dlq"


# ---------------------------------------------------------------- a sample contract and its changes


class Level(StrEnum):
    LOW = "low"
    HIGH = "high"


class SamplePayload(Payload):
    nip: str
    score: int = Field(description="the score")
    level: Level


class Sample(Event):
    topic: ClassVar[Topic] = Topic.APPRAISAL_COMPLETED
    event_type: Literal["sample.happened"] = "sample.happened"
    schema_version: Literal[1] = 1
    payload: SamplePayload


def changed(payload: type[Payload]) -> list[str]:
    class Changed(Sample):
        payload: payload  # type: ignore[valid-type]

    schema = event_schema(Changed)
    schema["$defs"]["SamplePayload"] = schema["$defs"].pop(payload.__name__)
    schema["properties"]["payload"]["$ref"] = "#/$defs/SamplePayload"
    schema["title"] = "Sample"
    return breaking_changes(event_schema(Sample), schema)


def test_adding_an_optional_field_is_additive() -> None:
    class WithComment(Payload):
        nip: str
        score: int = Field(description="the score, 0-100")  # text changes are fine too
        level: Level
        comment: str | None = None

    assert changed(WithComment) == []


def test_removing_a_field_is_breaking() -> None:
    class WithoutScore(Payload):
        nip: str
        level: Level

    assert changed(WithoutScore) == ["$defs/SamplePayload/score: property removed"]


def test_changing_a_field_type_is_breaking() -> None:
    class ScoreAsText(Payload):
        nip: str
        score: str
        level: Level

    assert changed(ScoreAsText) == ["$defs/SamplePayload/score: schema changed"]


def test_adding_a_required_field_is_breaking() -> None:
    class WithRequiredUnit(Payload):
        nip: str
        score: int
        level: Level
        unit: str

    assert changed(WithRequiredUnit) == ["$defs/SamplePayload/unit: newly required"]


def test_making_a_field_optional_is_breaking() -> None:
    class OptionalScore(Payload):
        nip: str
        score: int | None = None
        level: Level

    problems = changed(OptionalScore)
    assert "$defs/SamplePayload/score: no longer required" in problems


def test_changing_an_enum_is_breaking() -> None:
    class Level2(StrEnum):
        LOW = "low"
        HIGH = "high"
        EXTREME = "extreme"

    class WithExtreme(Payload):
        nip: str
        score: int
        level: Level2

    class Changed(Sample):
        payload: WithExtreme  # type: ignore[assignment]

    new = event_schema(Changed)
    new["$defs"]["Level"] = new["$defs"].pop("Level2")
    new["$defs"]["SamplePayload"] = new["$defs"].pop("WithExtreme")
    new["$defs"]["SamplePayload"]["properties"]["level"]["$ref"] = "#/$defs/Level"
    new["properties"]["payload"]["$ref"] = "#/$defs/SamplePayload"
    assert breaking_changes(event_schema(Sample), new) == ["$defs/Level: schema changed"]


def test_integration_guide_and_readme_list_every_topic() -> None:
    root = SNAPSHOTS.parents[1]
    guide = (root / "docs" / "integration.md").read_text()
    readme = (root / "README.md").read_text()
    for topic in Topic:
        assert f"`{topic.value}`" in guide, topic
        assert f"`{topic.value}`" in readme, topic
