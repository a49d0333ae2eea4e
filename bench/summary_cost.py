"""Time one recompute of OPD year summaries on the data an instance holds (read-only: each summary is
computed, not saved; bench/README.md, "The city, second attempt").

    python3 deploy/local/stack.py --instance bench up      # the data a city run left (not wiped by `up`)
    eval "$(python3 deploy/local/stack.py --instance bench env --as reporting)"
    .venv/bin/python bench/summary_cost.py DISDIK:2025 DISDIK:2026 [--generation N] [--repeat 3]

Prints the best of ``--repeat`` for each ``OPD:YEAR``, with the summary's inbox figures. To compare two
versions of the code, run it with ``PYTHONPATH`` pointing at the other version's ``services/reporting/src``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# As in system.py: bench/reporting.py would hide the service's ``reporting`` package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

import argparse
import asyncio
import datetime as dt
import os
import re
import time

from pymongo import AsyncMongoClient

from reporting.repository.store import Generations, Store
from reporting.services import summaries
from shared.clock import LOCAL_TIME
from shared.credentials import MongoAuth, mongodb_url_with
from shared.mongo import MongoDocument

TARGET = re.compile(r"^[A-Z0-9-]{1,40}:(19|20)\d\d$")


async def measure(targets: list[str], generation: int | None, repeat: int) -> None:
    url = mongodb_url_with(os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27019/"), MongoAuth.from_env())
    client: AsyncMongoClient[MongoDocument] = AsyncMongoClient(url, tz_aware=True)
    try:
        db = client[os.environ.get("REPORTING_MONGODB_DATABASE", "kinerja_reporting")]
        if generation is None:
            generation, _ = await Generations(db).state()
        store = Store(db, generation)
        print(f"{summaries.__file__}, generation {generation}")
        today = dt.datetime.now(LOCAL_TIME).date()  # the service's day (WIB)
        for target in targets:
            opd, _, year = target.partition(":")
            best = float("inf")
            document: MongoDocument = {}
            for _ in range(repeat):
                began = time.perf_counter()
                document = await summaries._year(store, opd, int(year), today)
                best = min(best, time.perf_counter() - began)
            print(f"{target}: {best * 1000:,.0f} ms (best of {repeat}); inbox {document.get('inbox')}")
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="+", metavar="OPD:YEAR")
    parser.add_argument("--generation", type=int, help="the reporting generation to read (default: the active one)")
    parser.add_argument("--repeat", type=int, default=3, choices=range(1, 21), metavar="1-20")
    args = parser.parse_args(argv)
    if bad := [t for t in args.targets if not TARGET.match(t)]:
        parser.error(f"not OPD:YEAR: {', '.join(bad)}")
    asyncio.run(measure(args.targets, args.generation, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
