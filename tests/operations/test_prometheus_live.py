"""The four services run as their own processes against the real broker and database.

- A real Prometheus (Debian's, fetched by the stack script) scrapes them while an appraisal is finalised
  and consumed; its HTTP API then answers a business metric, a messaging metric and a lag metric, and
  the alert rules load without error.
- Every metric a Grafana dashboard panel queries (deploy/grafana/dashboards) is one the running
  services expose."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from kinerja_testing import (
    Infra,
    Keys,
    ServiceProcess,
    eventually,
    free_port,
    prometheus_tools,
    record_appraisal,
    register_employee,
    running,
)

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
APPRAISER = "197501012000031001"
FAST = {"LAG_PROBE_INTERVAL_S": "0.5"}


@pytest.fixture(scope="module")
def services(infra: Infra, keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServiceProcess]]:
    """The four services, started once for the module (their consumer groups start at the end of the
    shared topics)."""
    run_id = os.urandom(4).hex()
    logs = tmp_path_factory.mktemp("services")
    started = {
        name: ServiceProcess.configure(name, infra, keys, run_id, logs, **FAST)
        for name in ("appraisal", "training", "notification", "reporting")
    }
    with running(started):
        yield started


def prometheus(tmp_path: Path, targets: dict[str, ServiceProcess]) -> tuple[subprocess.Popen[bytes], str]:
    binary = prometheus_tools() / "prometheus"
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(ROOT / "deploy" / "prometheus" / "alerts.yml")],
        "scrape_configs": [
            {
                "job_name": f"kinerja-{name}",
                "metrics_path": "/metrics",
                "static_configs": [{"targets": [f"127.0.0.1:{process.port}"], "labels": {"service": name}}],
            }
            for name, process in targets.items()
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = (tmp_path / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            str(binary),
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=log,
    )
    return proc, f"http://127.0.0.1:{port}"


def query(url: str, promql: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{url}/api/v1/query", params={"query": promql}, timeout=5)
    response.raise_for_status()
    body = response.json()
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def rules_of(url: str) -> dict[str, dict[str, Any]]:
    groups = httpx.get(f"{url}/api/v1/rules", timeout=5).json()["data"]["groups"]
    return {rule["name"]: rule for group in groups for rule in group["rules"]}


def value_of(url: str, promql: str) -> float | None:
    try:
        result = query(url, promql)
    except httpx.HTTPError:
        return None
    return float(result[0]["value"][1]) if result else None


async def test_prometheus_scrapes_the_services_and_answers_lag_messaging_and_business_metrics(
    infra: Infra, keys: Keys, tmp_path: Path, services: dict[str, ServiceProcess], new_nip: Callable[[], str]
) -> None:
    appraisal = services["appraisal"]
    proc, url = prometheus(tmp_path, services)
    try:
        assert await eventually(lambda: value_of(url, "count(up == 1)") == len(services), within=60)

        nip = new_nip()
        admin = keys.headers(APPRAISER, "admin_bkpsdm")
        async with httpx.AsyncClient() as http:
            await register_employee(http, admin, nip, url=appraisal.url)
            created = await record_appraisal(http, admin, nip, url=appraisal.url)
            assert created.status_code == 201, created.text

        business = 'sum(appraisals_finalised_total{service="appraisal", opd="DINKES", predikat="baik"})'
        assert await eventually(lambda: (value_of(url, business) or 0) >= 1, within=60)
        messaging = (
            'sum(faststream_received_processed_messages_total{service="training", handler=~".*appraisal.completed.*"})'
        )
        assert await eventually(lambda: (value_of(url, messaging) or 0) >= 1, within=60), query(
            url, 'faststream_received_processed_messages_total{service="training"}'
        )
        lag = 'sum(consumer_lag_records{service="training", topic="appraisal.completed.v1"})'
        assert await eventually(lambda: value_of(url, lag) == 0, within=60)
        partitions = query(url, 'consumer_lag_records{service="training", topic="appraisal.completed.v1"}')
        assert {series["metric"]["partition"] for series in partitions} == {"0", "1", "2"}

        loaded = rules_of(url)
        assert "KinerjaConsumerLagHigh" in loaded
        assert all(rule["health"] != "err" for rule in loaded.values()), [
            r for r in loaded.values() if r["health"] == "err"
        ]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


PROMQL_WORDS = {
    "sum", "max", "min", "avg", "count", "by", "without", "rate", "increase", "deriv", "time",
    "histogram_quantile", "label_values", "and", "or", "unless", "on", "ignoring", "offset",
}  # fmt: skip


def metrics_of(expression: str) -> set[str]:
    """The metric names an expression reads: what is left once label matchers, ``by (...)``
    groupings, ranges, strings and numbers are taken out, less PromQL's own words."""
    text = re.sub(r"\{[^}]*\}", " ", expression)
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\$\w+", " ", text)
    names = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", text))
    return {name for name in names if name not in PROMQL_WORDS}


def exposed(process: ServiceProcess) -> set[str]:
    text = httpx.get(f"{process.url}/metrics", timeout=5).text
    return set(re.findall(r"^# TYPE (\S+) ", text, flags=re.M))


def test_every_metric_a_dashboard_panel_queries_is_exposed_by_a_running_service(
    services: dict[str, ServiceProcess],
) -> None:
    names = set().union(*(exposed(process) for process in services.values()))
    boards = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
    assert len(boards) >= 3
    uids = set()
    queried: set[str] = set()
    for path in boards:
        board = json.loads(path.read_text())
        assert board["uid"] not in uids
        uids.add(board["uid"])
        assert board["panels"], path.name
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] == "prometheus", (path.name, panel["title"])
            assert panel["targets"], (path.name, panel["title"])
            for target in panel["targets"]:
                for metric in metrics_of(target["expr"]):
                    base = re.sub(r"_(bucket|count|sum)$", "", metric)
                    assert metric in names or base in names or metric == "up", (
                        f"{path.name}, panel {panel['title']!r}: no running service exposes {metric}"
                    )
                    queried.add(metric)
        for variable in board["templating"]["list"]:
            queried |= metrics_of(variable["query"]["query"])
    assert {
        "consumer_lag_records",
        "faststream_received_processed_messages_total",
        "appraisals_finalised_total",
    } <= queried
    provisioned = (ROOT / "deploy" / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    assert "uid: prometheus" in provisioned
