"""The alert rules: valid for Prometheus (``promtool check``), behaving as their unit tests say
(``promtool test rules``), and documented: each alert has its section in docs/runbook.md and its row
in the README, and every metric the rules read is one a service exposes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from kinerja_testing import prometheus_tools

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RULES = PROMETHEUS / "alerts.yml"


@pytest.fixture(scope="module")
def promtool() -> Path:
    """Debian's promtool, fetched once into the cache by the stack script."""
    tool = prometheus_tools() / "promtool"
    assert tool.exists(), tool
    return tool


def alerts() -> list[dict[str, object]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_the_rules_and_the_scrape_configuration_pass_promtool_check(promtool: Path) -> None:
    checked = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(yaml.safe_load(RULES.read_text())['groups'][0]['rules']) + len(alerts())} rules found" in (
        checked.stdout
    )
    for name in ("prometheus.yml", "local.yml"):  # compose's and `make prometheus`'s, both with the rules
        config = subprocess.run([promtool, "check", "config", name], cwd=PROMETHEUS, capture_output=True, text=True)
        assert config.returncode == 0, config.stdout + config.stderr
        assert "SUCCESS" in config.stdout + config.stderr


def test_the_rule_unit_tests_pass_and_cover_every_alert(promtool: Path) -> None:
    tests = yaml.safe_load((PROMETHEUS / "alerts.test.yml").read_text())
    tested = {case["alertname"] for test in tests["tests"] for case in test["alert_rule_test"] if case["exp_alerts"]}
    assert tested == {rule["alert"] for rule in alerts()}, "every alert has a test in which it fires"
    result = subprocess.run(
        [promtool, "test", "rules", "alerts.test.yml"], cwd=PROMETHEUS, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_a_broken_rule_fails_its_unit_test(promtool: Path, tmp_path: Path) -> None:
    """The unit tests can fail: a rule whose threshold moved is caught."""
    (tmp_path / "alerts.yml").write_text(
        RULES.read_text().replace("kinerja:consumer_lag:sum > 5000", "kinerja:consumer_lag:sum > 7000")
    )
    (tmp_path / "alerts.test.yml").write_text((PROMETHEUS / "alerts.test.yml").read_text())
    result = subprocess.run(
        [promtool, "test", "rules", "alerts.test.yml"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "KinerjaConsumerLagHigh" in result.stdout + result.stderr


def test_every_alert_has_its_runbook_section_and_readme_row() -> None:
    runbook = (ROOT / "docs" / "runbook.md").read_text()
    readme = (ROOT / "README.md").read_text()
    headings = set(re.findall(r"^## (\w+)$", runbook, flags=re.M))
    for rule in alerts():
        name = str(rule["alert"])
        assert name in headings, f"docs/runbook.md has no section '## {name}'"
        annotations = rule["annotations"]
        assert isinstance(annotations, dict)
        assert annotations["runbook"] == f"docs/runbook.md#{name.lower()}"
        assert f"| `{name}` |" in readme, f"the README's alert table has no row for {name}"
    documented = {h for h in headings if h.startswith("Kinerja")}
    assert documented == {str(rule["alert"]) for rule in alerts()}, "the runbook documents no alert that is gone"


def test_every_metric_the_rules_read_is_defined_by_the_code() -> None:
    """Metric names in the expressions (less PromQL's own words and the recorded series) are all
    created somewhere in the services or the shared package."""
    groups = yaml.safe_load(RULES.read_text())["groups"]
    expressions = " ".join(str(rule["expr"]) for group in groups for rule in group["rules"])
    recorded = {str(rule["record"]) for group in groups for rule in group["rules"] if "record" in rule}
    words = set(re.findall(r"\b([a-z_][a-z0-9_]*)\s*(?:\{|\[|\)|\s*[<>=!]|$)", expressions))
    promql = {"sum", "by", "rate", "increase", "deriv", "max", "time", "histogram_quantile", "and", "le", "up"}
    metrics = {w for w in words if w not in promql and "_" in w} - recorded
    code = "\n".join(
        path.read_text()
        for folder in (ROOT / "shared" / "src", ROOT / "services")
        for path in folder.rglob("*.py")
        if "tests" not in path.parts
    )
    suffixes = ("_bucket", "_count", "_sum")
    for metric in sorted(metrics):
        base = next((metric.removesuffix(s) for s in suffixes if metric.endswith(s)), metric)
        assert f'"{base}"' in code, f"{metric} is read by an alert rule but no code defines {base!r}"
    assert {"consumer_lag_records", "dead_letters_waiting", "notifications_failed_total"} <= metrics
