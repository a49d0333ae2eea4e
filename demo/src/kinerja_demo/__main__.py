"""python -m kinerja_demo --size tiny|small|city --seed 1 [--year Y] [--summary-file PATH]

Builds a seeded Palembang and loads it through the services' public HTTP APIs (``make run``'s services by
default). FOR LOCAL DEMO AND BENCHMARK MACHINES ONLY: it mints every caller's token with the local private
key that ``make keys`` writes (.run/keys/jwt-private.pem). Prints what each phase did, the errors (the exit
status is non-zero when there is any), the time taken, and whom to sign in as.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

from kinerja_demo.city import ADMIN_NIP, LOW, PPK, SIZES, City, Person, Unit, build_city
from kinerja_demo.load import WIB, Loader, Summary, Urls, fetch_units


def parse(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m kinerja_demo", description=__doc__.split("\n\n")[1])
    parser.add_argument("--size", choices=SIZES, default="small", help="tiny (~60), small (~600, default), city")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=dt.datetime.now(WIB).year, help="default: this year")
    parser.add_argument("--appraisal-url", default=env("KINERJA_DEMO_APPRAISAL_URL", Urls.appraisal))
    parser.add_argument("--training-url", default=env("KINERJA_DEMO_TRAINING_URL", Urls.training))
    parser.add_argument("--notification-url", default=env("KINERJA_DEMO_NOTIFICATION_URL", Urls.notification))
    parser.add_argument("--reporting-url", default=env("KINERJA_DEMO_REPORTING_URL", Urls.reporting))
    parser.add_argument(
        "--keys-dir",
        type=Path,
        default=Path(env("KINERJA_DEMO_KEYS_DIR", ".run/keys")),
        help="where make keys wrote jwt-private.pem (default .run/keys)",
    )
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    parser.add_argument("--summary-file", type=Path, help="also write the summary as JSON here")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def sign_in(city: City, summary: Summary) -> dict[str, dict[str, Any]]:
    """A few people worth signing in as, with the roles to pick in the portal's local sign-in."""
    people = city.people
    evaluated = set(summary.evaluated_periods)
    kadis = next((p for p in people if p.level == 1 and p.position_type == "JPT"), city.sekda)
    appraisers = {p.pejabat_penilai_nip for p in people}
    kabid = next(
        (p for p in people if p.position_type == "ADMINISTRATOR" and p.level == 2 and p.nip in appraisers), None
    )
    lows = [p for p in people if any(o.low and o.period in evaluated for o in p.outcomes)]
    low = next((p for p in lows if p.history[-1].predikat in LOW), lows[0] if lows else None)
    admin_opd = next((p for p in people if p.opd_code == kadis.opd_code and p.position_type == "PELAKSANA"), None)

    superiors = {p.atasan_pejabat_penilai_nip for p in people}

    def who(person: Person | None, extra_roles: Sequence[str] = (), **more: Any) -> dict[str, Any]:
        """The person's roles are those their place in the hierarchy gives them (whom they appraise, whose
        atasan they are), plus ``extra_roles``."""
        if person is None:
            return {}
        roles = ["pegawai"]
        roles += ["pejabat_penilai"] if person.nip in appraisers else []
        roles += ["atasan_pejabat_penilai"] if person.nip in superiors else []
        return {
            "nip": person.nip,
            "name": person.name,
            "title": person.position_title,
            "opd_code": person.opd_code,
            "roles": roles + list(extra_roles),
            **more,
        }

    return {
        "sekda": who(city.sekda, ["pimpinan"]),
        "kepala_dinas": who(kadis),
        "kabid": who(kabid),
        "pegawai_low_result": who(low),
        "admin_opd": who(admin_opd, ["admin_opd"], admin_opd_code=kadis.opd_code),
        "bkpsdm": {"nip": ADMIN_NIP, "roles": ["admin_bkpsdm"], "name": "Admin BKPSDM (loads the demo)"},
        "wali_kota": {"nip": PPK, "roles": ["ppk"], "name": "PPK (Wali Kota)"},
    }


def report(city: City, summary: Summary, people: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "size": city.size,
        "seed": city.seed,
        "year": city.year,
        "people": len(city.people),
        "pppk": sum(p.employee_type == "PPPK" for p in city.people),
        "units": [u.code for u in city.units],
        "evaluated_periods": summary.evaluated_periods,
        "phases": {name: asdict(result) for name, result in summary.phases.items()},
        "errors": summary.error_count,
        "error_messages": summary.errors,
        "notes": summary.notes,
        "seconds": round(summary.seconds, 1),
        "sign_in": people,
    }


def show(result: dict[str, Any]) -> str:
    lines = [
        f"Demo city: {result['size']} (seed {result['seed']}, year {result['year']}): {result['people']} people "
        f"({result['pppk']} PPPK) in {len(result['units'])} units; periods evaluated: "
        f"{', '.join(result['evaluated_periods']) or 'none'}",
        f"{'phase':<12} {'done':>7} {'skipped':>8} {'errors':>7} {'seconds':>8}",
    ]
    for name, phase in result["phases"].items():
        lines.append(
            f"{name:<12} {phase['done']:>7} {phase['skipped']:>8} {phase['errors']:>7} {phase['seconds']:>8.1f}"
        )
    lines += [*result["notes"], f"errors: {result['errors']}", f"time: {result['seconds']} s", "", "Sign in as:"]
    for role, person in result["sign_in"].items():
        if person:
            opd = f" ({person['opd_code']})" if "opd_code" in person else ""
            extra = f", admin OPD code {person['admin_opd_code']}" if "admin_opd_code" in person else ""
            lines.append(
                f"  {role:<19} {person['nip']:<19} {person['name']}{opd}  roles: {','.join(person['roles'])}{extra}"
            )
    lines += ["", "A token for the APIs (8 hours): make token NIP=<nip> ROLE=<roles as above> [OPD=<admin OPD code>]"]
    lines += [f"  error: {m}" for m in result["error_messages"][:20]]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> int:
    urls = Urls(args.appraisal_url, args.training_url, args.notification_url, args.reporting_url)
    private_key = args.keys_dir / "jwt-private.pem"
    if not private_key.exists():
        print(f"no local private key at {private_key}: run make keys (local machines only)", file=sys.stderr)
        return 2
    try:
        units = [Unit.from_api(u) for u in await fetch_units(urls, private_key)]
    except httpx.HTTPError as exc:
        print(f"the appraisal service at {urls.appraisal} did not answer ({exc!r}): is make run up?", file=sys.stderr)
        return 2
    city = build_city(args.size, args.seed, units, args.year)
    loader = Loader(city, urls, private_key, concurrency=args.concurrency, quiet=args.quiet)
    summary = await loader.run()
    result = report(city, summary, sign_in(city, summary))
    print(show(result))
    if args.summary_file:
        args.summary_file.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 1 if summary.error_count else 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(main_async(parse(argv)))


if __name__ == "__main__":
    sys.exit(main())
