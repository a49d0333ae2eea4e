"""An import's status as readers see it: a running import whose process stopped reads as interrupted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appraisal.services.employees import IMPORT_SILENCE, import_status

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def job(status: str, heartbeat: datetime | None) -> dict[str, object]:
    return {"status": status, "started_at": NOW - timedelta(hours=1), "heartbeat_at": heartbeat}


def test_a_running_import_that_reports_is_running() -> None:
    assert import_status(job("running", NOW - timedelta(seconds=5)), NOW) == "running"


def test_a_running_import_silent_for_longer_than_the_limit_reads_as_interrupted() -> None:
    assert import_status(job("running", NOW - IMPORT_SILENCE - timedelta(seconds=1)), NOW) == "interrupted"


def test_an_import_from_before_heartbeats_is_judged_by_its_start() -> None:
    assert import_status(job("running", None), NOW) == "interrupted"


def test_a_finished_import_keeps_its_status_however_old() -> None:
    for status in ("completed", "failed", "interrupted"):
        assert import_status(job(status, NOW - timedelta(days=30)), NOW) == status


def test_rows_are_written_in_waves_after_the_rows_they_rely_on() -> None:
    from appraisal.services.employees import _Chunk

    plan = _Chunk()
    plan.inserts = dict.fromkeys((2, 3, 5), ({}, None))  # type: ignore[arg-type]
    plan.updates = dict.fromkeys((4, 6), ({}, None))  # type: ignore[arg-type]
    plan.depends_on = {3: {2}, 4: set(), 5: {3, 4}, 6: {2}}
    assert plan.waves() == [[2, 4], [3, 6], [5]]
    assert _Chunk().waves() == []
