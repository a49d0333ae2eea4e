#!/usr/bin/env python3
"""Write (or check) ``deploy/kafka/acls.json``: the Kafka principals and ACLs derived from the code.

    .venv/bin/python deploy/kafka/acls.py write     # after a service starts publishing or consuming a topic
    .venv/bin/python deploy/kafka/acls.py check     # exit 1 when the file and the code disagree

The derivation is ``shared.kafka_acl``; the topics come from each service's ``DEFINITION``
(``publishes``, ``consumes``). ``deploy/local/stack.py`` and the compose set-up apply the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from appraisal.main import DEFINITION as APPRAISAL
from notification.main import DEFINITION as NOTIFICATION
from reporting.main import DEFINITION as REPORTING
from shared.kafka_acl import plan, to_json
from training.main import DEFINITION as TRAINING

FILE = Path(__file__).resolve().parent / "acls.json"
SERVICES = (APPRAISAL, TRAINING, NOTIFICATION, REPORTING)


def expected() -> str:
    return to_json(plan(SERVICES))


def main(argv: list[str]) -> int:
    if argv[1:] == ["write"]:
        FILE.write_text(expected())
        print(f"wrote {FILE}")
        return 0
    if argv[1:] == ["check"]:
        if not FILE.exists() or FILE.read_text() != expected():
            print(f"{FILE} is out of date: run .venv/bin/python deploy/kafka/acls.py write", file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
