"""The example consumer in examples/ runs against the local stack and does what the guide says."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kinerja_testing import Infra, appraisal_completed, publish_raw, skip_history
from shared.events import Predikat

pytestmark = pytest.mark.infra

LISTENER = Path(__file__).resolve().parents[2] / "examples" / "appraisal_listener" / "listener.py"


def listener_env(infra: Infra) -> dict[str, str]:
    """As an integration team runs it: the read-only ``integration`` principal (where the broker has
    ACLs), else the credentials the tests were given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_SASL_", "KAFKA_SECURITY_PROTOCOL"))}
    auth = infra.principal("integration") if infra.has_acls else infra.kafka_auth
    if auth.username is not None:
        env |= {
            "KAFKA_SECURITY_PROTOCOL": auth.security_protocol,
            "KAFKA_SASL_MECHANISM": auth.sasl_mechanism,
            "KAFKA_SASL_USERNAME": auth.username,
            "KAFKA_SASL_PASSWORD": auth.password or "",
        }
    return env


def run_listener(infra: Infra, group: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(LISTENER),
            "--group",
            group,
            "--db",
            str(db),
            "--until-idle",
            "3",
            "--bootstrap-servers",
            infra.kafka_bootstrap_servers,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=listener_env(infra),
    )


async def test_listener_applies_each_event_once_keeps_latest_revision_and_skips_invalid(
    infra: Infra, tmp_path: Path, unique: str
) -> None:
    group = f"ext.test-{unique}.appraisal-listener"
    # Start the example's group at the current end of the shared topic (it holds every earlier test's events).
    await skip_history(infra, group, ["appraisal.completed.v1"], exact_group=True)

    nip = "198609262015051001"
    first = appraisal_completed(appraisal_id=f"x-{unique}", nip=nip, predikat=Predikat.BAIK)
    revised = appraisal_completed(appraisal_id=f"x-{unique}", nip=nip, predikat=Predikat.SANGAT_BAIK, revision=2)
    other = appraisal_completed(appraisal_id=f"y-{unique}", nip=nip, predikat=Predikat.KURANG_MISCONDUCT)
    for event in (revised, first, first, other):  # out of order, with a duplicate
        await publish_raw(infra, event.topic, event.model_dump(mode="json"), event.key())
    await publish_raw(infra, "appraisal.completed.v1", {"event_id": "nonsense"}, nip.encode())

    db = tmp_path / "appraisals.sqlite"
    result = run_listener(infra, group, db)
    assert "applied 3 new event(s)" in result.stderr
    assert "skipping invalid message" in result.stderr
    rows = dict(sqlite3.connect(db).execute("SELECT appraisal_id, predikat FROM appraisals").fetchall())
    assert rows == {f"x-{unique}": "sangat_baik", f"y-{unique}": "kurang_misconduct"}

    again = run_listener(infra, group, db)  # offsets were committed: nothing is applied twice
    assert "applied 0 new event(s)" in again.stderr
