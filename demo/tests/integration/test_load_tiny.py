"""The tiny city loaded through the public APIs of the four services, each run as its own process against
the real Kafka and Mongo-wire test instance: zero errors; the registry, the SKPs and the evaluations read
back through the APIs; the JP ledger holds the year's learning, approved; the reporting city view shows
the finalised evaluations; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from kinerja_demo.__main__ import main_async, parse
from kinerja_demo.city import ADMIN_NIP, City, Unit, build_city
from kinerja_demo.courses import choice_for
from kinerja_demo.learning import learning_of
from kinerja_demo.load import WIB, Loader, Urls, fetch_units
from kinerja_testing import Infra, Keys, ServiceProcess, eventually, running, skip_history
from notification.main import DEFINITION as NOTIFICATION
from reporting.main import DEFINITION as REPORTING

pytestmark = pytest.mark.infra

YEAR = dt.datetime.now(WIB).year


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def services(
    infra: Infra, keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, ServiceProcess]]:
    run_id = os.urandom(4).hex()
    logs = tmp_path_factory.mktemp("services")
    started = {
        name: ServiceProcess.configure(name, infra, keys, run_id, logs)
        for name in ("appraisal", "training", "notification", "reporting")
    }
    started["training"].env["TRAINING_SEED_CATALOGUE"] = "true"  # as `make run` does: the courses phase needs it
    for name, definition in (("notification", NOTIFICATION), ("reporting", REPORTING)):
        group = started[name].env[f"{name.upper()}_CONSUMER_GROUP"]
        await skip_history(infra, group, [str(t) for t in definition.consumes])
    with running(started):
        yield started


def urls(services: dict[str, ServiceProcess]) -> Urls:
    return Urls(*(services[name].url for name in ("appraisal", "training", "notification", "reporting")))


async def _city(services: dict[str, ServiceProcess], keys: Keys) -> City:
    units = [Unit.from_api(u) for u in await fetch_units(urls(services), keys.private)]
    return build_city("tiny", 1, units, YEAR)


async def test_the_tiny_city_loads_with_no_error_and_a_second_run_adds_nothing(
    services: dict[str, ServiceProcess], keys: Keys, tmp_path: Path
) -> None:
    city = await _city(services, keys)
    loader = Loader(city, urls(services), keys.private, concurrency=8, quiet=True)
    summary = await loader.run()
    assert summary.errors == []
    assert summary.error_count == 0
    assert summary.phases["registry"].done == len(city.people)
    assert summary.phases["skp"].done == len(city.people)
    assert summary.phases["history"].done == len(city.people)
    evaluated = summary.evaluated_periods
    assert evaluated == [p for p in city.periods if loader.ended(p)]

    appraisal = f"{services['appraisal'].url}/api/v1"
    admin = keys.headers(ADMIN_NIP, "admin_bkpsdm")
    async with httpx.AsyncClient(timeout=30) as client:
        # The registry: every person, with the links the city gave them.
        for person in (city.sekda, city.people[len(city.people) // 2], city.people[-1]):
            record = (await client.get(f"{appraisal}/employees/{person.nip}", headers=admin)).json()
            assert (record["name"], record["pejabat_penilai_nip"]) == (person.name, person.pejabat_penilai_nip)
            assert record["atasan_pejabat_penilai_nip"] == person.atasan_pejabat_penilai_nip
        listed = (await client.get(f"{appraisal}/employees?limit=1", headers=admin)).json()
        assert listed["total"] == len(city.people)
        # SKPs: approved, each RHK of a subordinate intervening one of the pejabat penilai's.
        skps = await _all(client, f"{appraisal}/skp?year={YEAR}", admin)
        assert len(skps) == len(city.people)
        assert {s["status"] for s in skps} == {"approved"}
        staff = city.people[-1]
        skp = (await client.get(f"{appraisal}/skp/{staff.nip}-{YEAR}", headers=admin)).json()
        assert [r["intervened_rhk_id"] for r in skp["rhk"]] == [r.intervened_rhk_id for r in staff.rhk]
        # Evaluations: every person's ended periods finalised, with the planned predikat.
        evaluations = await _all(client, f"{appraisal}/evaluations?year={YEAR}&status=finalised", admin)
        assert len(evaluations) == len(city.people) * len(evaluated)
        planned = {f"{p.nip}-{o.period}": o for p in city.people for o in p.outcomes}
        for evaluation in evaluations:
            outcome = planned[evaluation["id"]]
            if outcome.objection is None:
                assert evaluation["predikat"] == outcome.predikat, evaluation["id"]
            assert evaluation["realisations"][0]["evidence_links"]
        low = [e for e in evaluations if e["development_plan"] and e["development_plan"]["status"] == "active"]
        assert len(low) >= 1 if any(planned[e["id"]].low for e in evaluations) else True
        # History: last year's annual results.
        record = (await client.get(f"{appraisal}/appraisals/{staff.nip}-{YEAR - 1}", headers=admin)).json()
        assert record["predikat"] == staff.history[-1].predikat

        # The JP ledger: every person's learning of the year, approved, as learning_of planned it.
        today = dt.datetime.now(WIB).date()
        learners = [p for p in city.people if learning_of(p, YEAR, city.seed, today)]
        assert summary.phases["training"].done == len(learners)
        assert summary.phases["training"].errors == 0
        training = f"{services['training'].url}/api/v1/ledger"
        for person in learners[:10]:
            ledger = (await client.get(f"{training}/{person.nip}?year={YEAR}", headers=admin)).json()
            planned_jp = sum(i.jp for i in learning_of(person, YEAR, city.seed, today))
            assert {e["status"] for e in ledger["entries"]} == {"approved"}, person.nip
            assert ledger["standing"]["earned_jp"] == pytest.approx(planned_jp, abs=1.0), person.nip
            if person.employee_type == "PPPK":
                assert ledger["standing"]["over_cap"] == 0

        # Courses: each low result's recommendation was accepted, declined or left open as courses.choice_for
        # says; an accepted one holds an enrolment (a seat or a waiting place) in a session that has not ended.
        assert summary.phases["courses"].errors == 0
        recommendations = f"{services['training'].url}/api/v1/recommendations"
        low_people = [p for p in city.people if any(o.low and o.period in evaluated for o in p.outcomes)]
        met: set[str] = set()
        for person in low_people:
            items = (await client.get(f"{recommendations}?nip={person.nip}&limit=100", headers=admin)).json()["items"]
            for rec in items:
                choice = choice_for(city.seed, person.nip, rec["appraisal_id"], rec["reason"])
                if rec["status"] in ("withdrawn", "no_match") or not rec["programmes"]:
                    continue
                met.add(rec["status"])
                # An accepted one stays open when each of its sessions has ended or clashes with one held.
                wanted = {"accept": ("accepted", "open"), "decline": ("declined",), "leave": ("open",)}[choice.action]
                assert rec["status"] in wanted, (person.nip, rec)
                if rec["status"] == "accepted":
                    enrolment = (
                        await client.get(
                            f"{services['training'].url}/api/v1/enrolments/{rec['enrolment_id']}", headers=admin
                        )
                    ).json()
                    assert enrolment["status"] in ("enrolled", "waitlisted"), enrolment
                    assert dt.date.fromisoformat(enrolment["ends_on"]) >= today, enrolment
        assert "accepted" in met, "the tiny city has recommendations accepted"

        # The reporting city view counts the finalised evaluations (it follows the events).
        reporting = f"{services['reporting'].url}/api/v1/reports/city?year={YEAR}"

        async def counted() -> dict[str, Any] | None:
            view: dict[str, Any] = (await client.get(reporting, headers=admin)).json()
            totals = {t["period"]: t["total"] for t in view["trend"]}
            return view if all(totals.get(p) == len(city.people) for p in evaluated) else None

        view = await eventually(counted, within=90, interval=1.0)
        assert {row["opd_code"] for row in view["opds"]} >= {u.code for u in city.units}

    # A second run, through the command: nothing new, no error; the summary names whom to sign in as.
    u = urls(services)
    summary_file = tmp_path / "demo.json"
    args = ["--size", "tiny", "--seed", "1", "--year", str(YEAR), "--keys-dir", str(keys.private.parent)]
    args += ["--appraisal-url", u.appraisal, "--training-url", u.training, "--notification-url", u.notification]
    args += ["--reporting-url", u.reporting, "--quiet", "--summary-file", str(summary_file)]
    assert await main_async(parse(args)) == 0
    again = json.loads(summary_file.read_text())
    assert again["errors"] == 0
    assert {name: phase["done"] for name, phase in again["phases"].items()} == {name: 0 for name in again["phases"]}
    assert again["phases"]["registry"]["skipped"] == len(city.people)
    assert again["sign_in"]["sekda"]["nip"] == city.sekda.nip
    low_person = city.person(again["sign_in"]["pegawai_low_result"]["nip"])
    assert any(o.low for o in low_person.outcomes if o.period in evaluated)
    assert city.person(again["sign_in"]["kabid"]["nip"]).nip in {p.pejabat_penilai_nip for p in city.people}


async def _all(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = (await client.get(f"{url}&limit=100&offset={len(items)}", headers=headers)).json()
        items += page["items"]
        if len(items) >= page["total"] or not page["items"]:
            return items
