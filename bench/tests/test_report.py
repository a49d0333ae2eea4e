"""The whole-system benchmark's report: the verdicts, the missed goals' bottlenecks, the Markdown and the
README block that ``--update-readme`` writes (``bench/system.py``). Pure functions of a saved report;
``system-small.json`` is a real ``--size small`` run (4bf7965), kept here as it was written."""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent


def _load_system() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_system", HERE.parent / "system.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


system = _load_system()


@pytest.fixture
def report() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HERE / "system-small.json").read_text())
    return loaded


def met_everywhere(report: dict[str, Any]) -> dict[str, Any]:
    """The same run with every figure inside its goal."""
    good = copy.deepcopy(report)
    good["e2e"]["both"]["p99_ms"] = 90.0
    good["burst"]["consistent_after_s"] = 4.0
    for service in system.CONSUMERS:
        good["consumers"][service]["ratio"] = 0.8
    good["replay"]["seconds"] = 30.0
    return good


# ------------------------------------------------------------------------------------------- verdict


@pytest.mark.parametrize(
    ("value", "goal", "at_most", "expected"),
    [
        (100.0, 100.0, True, "met"),
        (100.1, 100.0, True, "**missed**"),
        (0, 0, True, "met"),
        (1, 0, True, "**missed**"),
        (0.70, 0.70, False, "met"),
        (0.69, 0.70, False, "**missed**"),
        (None, 1.0, True, "not measured"),
        (None, 1.0, False, "not measured"),
    ],
)
def test_verdict_holds_the_goal_itself_as_met(value: float | None, goal: float, at_most: bool, expected: str) -> None:
    assert system.verdict(value, goal, at_most=at_most) == expected


def test_saturation_names_the_share_of_the_cores_and_the_largest_users() -> None:
    spent = {"cpu_s": {"mongo": 6.0, "reporting": 2.0, "kafka": 1.0, "harness": 0.5}, "wall_s": 10.0, "cores": 2}
    text = system.saturation(spent)
    assert "9.5 of 20.0 CPU seconds" in text
    assert "48% of the cores" in text
    assert "most: mongo 6.0, reporting 2.0, kafka 1.0)" in text
    assert "harness" not in text
    assert system.saturation(None) == "not measured"


# ------------------------------------------------------------------------------------------- missed goals


def test_every_missed_goal_of_the_small_run_is_named_with_its_bottleneck(report: dict[str, Any]) -> None:
    text = "\n".join(system.missed_goals(report))
    assert "### Missed goals" in text
    assert f"**e2e p99 {report['e2e']['both']['p99_ms']} ms** against 100 ms" in text
    assert "appraisal's outbox relay" in text
    assert "notification's consumer" in text
    for service in system.CONSUMERS:
        assert f"**{service}: ratio {report['consumers'][service]['ratio']}**" in text
    assert "the service's own Python per event is the limit" in text
    # the goals met in that run are not listed
    assert "consistent after" not in text
    assert "replay" not in text.lower().split("what was tried")[0]


def test_no_missed_goal_section_when_every_goal_is_met(report: dict[str, Any]) -> None:
    assert system.missed_goals(met_everywhere(report)) == []


def test_a_slow_burst_and_replay_are_named(report: dict[str, Any]) -> None:
    slow = met_everywhere(report)
    slow["burst"]["consistent_after_s"] = 12.5
    slow["replay"]["seconds"] = 75.0
    text = "\n".join(system.missed_goals(slow))
    assert "**consistent after 12.5 s** against 5 s" in text
    assert "lag 0 after" in text
    assert "the city view after" in text
    assert "**replay 75.0 s** against 60 s" in text
    assert "e2e p99" not in text
    assert "ratio" not in text


def test_a_consumer_held_back_by_the_database_is_told_apart(report: dict[str, Any]) -> None:
    slow = met_everywhere(report)
    slow["consumers"]["reporting"]["ratio"] = 0.3
    slow["consumers"]["reporting"]["cpu_s"] = {"reporting": 1.0, "mongo": 1.5}
    text = "\n".join(system.missed_goals(slow))
    assert "**reporting: ratio 0.3**" in text
    assert "the database server's share is as large as the service's" in text
    assert "training: ratio" not in text


def test_a_part_not_run_is_not_a_missed_goal(report: dict[str, Any]) -> None:
    partial = met_everywhere(report)
    partial["consumers"] = {}
    del partial["replay"]
    assert system.missed_goals(partial) == []


# ------------------------------------------------------------------------------------------- Markdown


def test_markdown_states_the_command_commit_and_every_figure(report: dict[str, Any]) -> None:
    text = system.markdown(report)
    assert text.startswith("# System benchmark\n")
    assert report["environment"]["command"] in text
    assert f"`{report['environment']['commit']}`" in text
    assert "### Missed goals" in text
    for service in system.CONSUMERS:
        assert service in text


# ------------------------------------------------------------------------------------------- the README block


def test_readme_figures_carry_the_run_and_its_verdicts(report: dict[str, Any]) -> None:
    text = system.readme_figures(report)
    assert text.startswith("## Performance: the whole system")
    assert "**The `small` run**" in text
    assert "--out" not in text, "the command is given as a reader would run it, without the output folder"
    assert '`make bench-system BENCH_ARGS="--size small"`' in text
    assert f"commit `{report['environment']['commit']}`" in text
    e2e = report["e2e"]["both"]
    assert f"{e2e['p50_ms']:,.0f} / {e2e['p99_ms']:,.0f} ms" in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert sum("**missed**" in row for row in rows) == 4, "e2e and the three consumers"
    assert sum(row.endswith("| met |") for row in rows) == 3, "burst errors, consistency, replay"
    assert f"{report['replay']['result']['applied']:,} records" in text


def test_readme_figures_of_a_run_without_a_consumer_leave_its_row_out(report: dict[str, Any]) -> None:
    del report["consumers"]["notification"]
    text = system.readme_figures(report)
    assert "| training draining" in text
    assert "| reporting draining" in text
    assert "| notification draining" not in text


def test_update_readme_replaces_only_the_block(report: dict[str, Any], tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    before, after = "# Title\n\nIntro.\n\n", "\n**Why the goals are missed** (hand-written).\n"
    readme.write_text(before + system.README_START + "old figures\n" + system.README_END + after)
    system.update_readme(report, readme)
    text = readme.read_text()
    assert text == before + system.README_START + system.readme_figures(report) + system.README_END + after
    system.update_readme(report, readme)
    assert readme.read_text() == text, "writing the same run twice changes nothing"


def test_update_readme_refuses_a_readme_without_the_markers(report: dict[str, Any], tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n" + system.README_START + "no end marker\n")
    with pytest.raises(SystemExit, match="no bench-system figures block"):
        system.update_readme(report, readme)
    assert readme.read_text() == "# Title\n" + system.README_START + "no end marker\n"


def test_the_repository_readme_has_the_block(report: dict[str, Any]) -> None:
    text = (HERE.parent.parent / "README.md").read_text()
    assert text.count(system.README_START) == 1
    assert text.count(system.README_END) == 1
    assert text.index(system.README_START) < text.index(system.README_END)


def test_markdown_from_writes_the_report_and_the_readme_again(
    report: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = tmp_path / "system.json"
    saved.write_text(json.dumps(report))
    readme = tmp_path / "README.md"
    readme.write_text(system.README_START + system.README_END)
    monkeypatch.setattr(system, "update_readme", functools.partial(system.update_readme, readme=readme))
    assert system.main(["--markdown-from", str(saved), "--out", str(tmp_path), "--update-readme"]) == 0
    assert (tmp_path / "system.md").read_text() == system.markdown(report)
    assert readme.read_text() == system.README_START + system.readme_figures(report) + system.README_END


def test_a_drain_too_short_to_time_is_not_measured_not_missed(report: dict[str, Any]) -> None:
    """A small city's backlog fits in the first batch: no rate, and so no verdict on it."""
    short = met_everywhere(report)
    short["consumers"]["training"] |= {"events_per_s": None, "ratio": None}
    assert system.missed_goals(short) == []
    row = next(line for line in system.readme_figures(short).splitlines() if line.startswith("| training draining"))
    assert "n/a / " in row
    assert "(ratio n/a)" in row
    assert row.endswith("| not measured |")
    assert "too few to time" in system.markdown(short)


def test_a_drain_is_timed_only_when_long_enough_and_mostly_after_the_first_commit() -> None:
    def samples(*points: tuple[float, int]) -> list[tuple[float, tuple[int, int]]]:
        return [(t, (done, 1_000)) for t, done in points]

    # 62 records in 0.28 s after the first commit (the tiny run): too short to time.
    first, last_t, drained, share, rate = system.timed_drain(samples((0.0, 0), (1.6, 10), (1.88, 72)), 0)
    assert (first, drained, rate) == ((1.6, 10), 62, None)
    assert share == pytest.approx(62 / 72)
    # The first commit held most of the backlog: not timed however long the rest took.
    *_, rate = system.timed_drain(samples((0.0, 0), (1.0, 800), (3.0, 1_000)), 0)
    assert rate is None
    # 900 records over 2 s after a first commit of 100: 450/s.
    first, last_t, drained, share, rate = system.timed_drain(samples((0.0, 0), (1.0, 100), (2.0, 600), (3.0, 1_000)), 0)
    assert (first, last_t, drained, share, rate) == ((1.0, 100), 3.0, 900, 0.9, 450.0)
    # No commit at all: nothing timed.
    *_, drained, share, rate = system.timed_drain(samples((0.0, 0), (0.5, 0)), 0)
    assert (drained, rate) == (0, None)


def test_the_json_report_holds_the_goals_their_verdicts_and_the_bottlenecks(report: dict[str, Any]) -> None:
    saved = system.with_goals(report)
    goals = {g["figure"].split(":")[0]: g for g in saved["goals"]}
    assert set(goals) >= {"burst", "training", "notification", "reporting", "reporting replay"}
    assert {g["verdict"] for g in saved["goals"]} == {"met", "missed"}
    e2e = next(g for g in saved["goals"] if g["figure"].startswith("e2e p99"))
    assert (e2e["value"], e2e["unit"], e2e["goal"], e2e["at_most"]) == (
        report["e2e"]["both"]["p99_ms"],
        "ms",
        system.GOALS["e2e_p99_ms"],
        True,
    )
    assert saved["missed_goals"] == [line for line in system.missed_goals(report) if line]
    # The Markdown's table is the same rows.
    text = system.markdown(report)
    for goal in saved["goals"]:
        shown = "**missed**" if goal["verdict"] == "missed" else goal["verdict"]
        assert f"| {goal['figure']} | {goal['shown']} | {goal['goal_shown']} | {shown} |" in text
    json.dumps(saved)  # it is written as JSON


def test_a_failed_run_reports_what_it_measured_and_where_it_failed(report: dict[str, Any]) -> None:
    failed = {k: report[k] for k in ("environment", "prepare", "api")}
    failed["failed"] = {"part": "e2e", "error": "ReadError('')", "traceback": "..."}
    text = system.markdown(failed)
    assert "### The run failed in its part `e2e`" in text
    assert "## 2. API latency" in text
    assert "## 3. End-to-end" not in text


def test_a_run_that_failed_before_its_preparation_ended_still_renders(report: dict[str, Any]) -> None:
    failed = {"environment": report["environment"], "failed": {"part": "prepare", "error": "x", "traceback": ""}}
    text = system.markdown(failed)
    assert "failed in its part `prepare`" in text
    assert "## 1. Prepare" not in text


def test_the_readme_takes_only_a_whole_run(report: dict[str, Any], tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(system.README_START + system.README_END)
    failed = report | {"failed": {"part": "burst", "error": "x", "traceback": ""}}
    with pytest.raises(SystemExit, match="failed in burst"):
        system.update_readme(failed, readme)
    partial = {k: v for k, v in report.items() if k != "replay"}
    with pytest.raises(SystemExit, match=r"this one lacks replay$"):
        system.update_readme(partial, readme)
    assert readme.read_text() == system.README_START + system.README_END
