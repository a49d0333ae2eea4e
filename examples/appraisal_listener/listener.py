#!/usr/bin/env python3
"""Example consumer for an integration team: keeps a local table of completed appraisals.

It depends only on aiokafka and jsonschema, not on this repo's code, the way a team outside the
project would write it. What it shows:

- its own consumer group, named ``ext.<team>.<purpose>``, starting from the earliest offset;
- each value validated against the published JSON Schema (contracts/schemas/*.json); an invalid
  one is logged and skipped (a real team would park it in its own dead-letter store);
- idempotency by ``event_id``: the dedupe record and the effect are written in ONE SQLite
  transaction, so a redelivered event changes nothing;
- offsets committed only after that transaction, so a crash redelivers instead of losing;
- the latest ``revision`` of an appraisal wins, whatever order the events arrive in;
- credentials from the environment: the broker requires SASL/SCRAM, and integration teams get the
  read-only ``integration`` principal (READ on the event topics and on groups ``ext.*``):
  ``KAFKA_SASL_USERNAME``, ``KAFKA_SASL_PASSWORD_FILE`` (or ``KAFKA_SASL_PASSWORD``),
  ``KAFKA_SECURITY_PROTOCOL`` (``SASL_PLAINTEXT`` when a username is set; ``SASL_SSL`` over TLS) and
  ``KAFKA_SASL_MECHANISM`` (``SCRAM-SHA-512``).

    python examples/appraisal_listener/listener.py --db appraisals.sqlite [--until-idle 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sqlite3
import ssl
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from jsonschema import Draft202012Validator, ValidationError

TOPIC = "appraisal.completed.v1"
SCHEMA = Path(__file__).resolve().parents[2] / "contracts" / "schemas" / f"{TOPIC}.json"

log = logging.getLogger("appraisal-listener")


def kafka_credentials() -> dict[str, Any]:
    """aiokafka's SASL options from the environment (none without ``KAFKA_SASL_USERNAME``)."""
    username = os.environ.get("KAFKA_SASL_USERNAME")
    if not username:
        return {}
    password_file = os.environ.get("KAFKA_SASL_PASSWORD_FILE")
    password = Path(password_file).read_text().strip() if password_file else os.environ["KAFKA_SASL_PASSWORD"]
    protocol = os.environ.get("KAFKA_SECURITY_PROTOCOL") or "SASL_PLAINTEXT"
    options: dict[str, Any] = {
        "security_protocol": protocol,
        "sasl_mechanism": os.environ.get("KAFKA_SASL_MECHANISM") or "SCRAM-SHA-512",
        "sasl_plain_username": username,
        "sasl_plain_password": password,
    }
    if protocol == "SASL_SSL":
        options["ssl_context"] = ssl.create_default_context()
    return options


def open_db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS processed_events (event_id TEXT PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS appraisals (
            appraisal_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, nip TEXT NOT NULL,
            opd_code TEXT NOT NULL, period TEXT NOT NULL, predikat TEXT NOT NULL
        );
        """
    )
    return db


def apply(db: sqlite3.Connection, event: dict[str, Any]) -> bool:
    """Apply one event; False when it was seen before. Guard and effect commit together."""
    payload = event["payload"]
    with db:  # one transaction
        seen = db.execute("INSERT OR IGNORE INTO processed_events VALUES (?)", (event["event_id"],)).rowcount == 0
        if seen:
            return False
        db.execute(
            """INSERT INTO appraisals VALUES (:appraisal_id, :revision, :nip, :opd_code, :period, :predikat)
               ON CONFLICT(appraisal_id) DO UPDATE SET revision = excluded.revision, predikat = excluded.predikat,
                   opd_code = excluded.opd_code, period = excluded.period
               WHERE excluded.revision > appraisals.revision""",
            payload,
        )
    return True


async def run(bootstrap: str, group: str, db_path: Path, until_idle: float | None) -> int:
    validator = Draft202012Validator(json.loads(SCHEMA.read_text()))
    db = open_db(db_path)
    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **kafka_credentials(),
    )
    await consumer.start()
    applied = 0
    idle_since = asyncio.get_running_loop().time()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=200)
            if not batches:
                if until_idle is not None and asyncio.get_running_loop().time() - idle_since > until_idle:
                    return applied
                continue
            idle_since = asyncio.get_running_loop().time()
            for tp, records in batches.items():
                for record in records:
                    try:
                        event = json.loads(record.value)
                        validator.validate(event)
                    except (ValueError, ValidationError) as exc:  # not JSON, or not the contract
                        log.error("skipping invalid message at %s/%d: %s", tp, record.offset, exc)
                        continue
                    applied += apply(db, event)
                await consumer.commit({TopicPartition(tp.topic, tp.partition): records[-1].offset + 1})
    finally:
        await consumer.stop()
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap-servers", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--group", default="ext.example-team.appraisal-listener")
    parser.add_argument("--db", type=Path, default=Path("appraisals.sqlite"))
    parser.add_argument("--until-idle", type=float, default=None, help="exit after this many idle seconds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    applied = asyncio.run(run(args.bootstrap_servers, args.group, args.db, args.until_idle))
    log.info("applied %d new event(s)", applied)


if __name__ == "__main__":
    main()
