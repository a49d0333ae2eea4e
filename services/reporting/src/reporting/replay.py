"""Rebuild every read model of the reporting service from the start of the topics, into a fresh
generation, and swap it in when done: ``python -m reporting.replay`` (``services.replay``).

Reads the same environment as the service (REPORTING_MONGODB_DATABASE, MONGODB_URL, KAFKA_BOOTSTRAP_SERVERS,
the service's credentials). The service may keep running meanwhile: it writes every live batch into the
generation being built too, and its views read the active one until the swap. Prints a progress bar to
standard error and the result as JSON to standard output; exit code 1 when the replay failed (the
active generation is then untouched)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from reporting.config import Settings
from reporting.repository.store import Generations
from reporting.services.context import Reporting
from reporting.services.replay import Progress, as_dict, describe, replay
from shared.mongo import create_mongo_client
from shared.roster import Roster


async def main(settings: Settings, *, quiet: bool = False) -> int:
    client = create_mongo_client(settings.mongodb_url, "reporting-replay", auth=settings.mongo_auth)
    tty = sys.stderr.isatty()
    last = [-1]

    def show(state: Progress) -> None:
        if quiet:
            return
        if tty:
            print("\r" + describe(state), end="", file=sys.stderr, flush=True)
            return
        tenth = int(10 * state.done / state.total) if state.total else 10
        if tenth != last[0] or state.phase == "summaries":
            last[0] = tenth
            print(describe(state), file=sys.stderr, flush=True)

    try:
        db = client[settings.mongodb_database]
        ctx = Reporting(generations=Generations(db), roster=Roster(db))
        result = await replay(ctx, settings.kafka_bootstrap_servers, settings.kafka_auth, show)
    except Exception as exc:
        print(f"\nreplay failed, the active read models are untouched: {exc!r}", file=sys.stderr)
        return 1
    finally:
        await client.close()
    if tty and not quiet:
        print(file=sys.stderr)
    print(json.dumps(as_dict(result)))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    sys.exit(asyncio.run(main(Settings(), quiet=parser.parse_args().quiet)))
