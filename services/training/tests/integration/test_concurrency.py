"""No overbooking under concurrent requests: two replicas of the training service (two processes, one
database), many enrol requests at once on one session; the seats taken never exceed the capacity and the
waiting list holds the rest, in request order; a cancellation promotes the first waiting."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from kinerja_testing import Infra, Keys, ServiceProcess, wait_for_event
from shared.clock import LOCAL_TIME

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
CAPACITY = 7
REQUESTS = 40


async def test_two_replicas_never_overbook_a_session(
    infra: Infra, keys: Keys, tmp_path: Path, new_nip: Callable[[], str]
) -> None:
    run_id = os.urandom(4).hex()
    replicas = []
    for n in range(2):
        (tmp_path / f"replica-{n}").mkdir()
        replicas.append(ServiceProcess.configure("training", infra, keys, run_id, tmp_path / f"replica-{n}"))
    for replica in replicas:
        replica.start()
    admin = keys.headers(BKPSDM, "admin_bkpsdm", opd_code="BKPSDM")
    today = dt.datetime.now(LOCAL_TIME).date()
    programme: dict[str, Any] = {
        "title": "Pelatihan Manajemen Waktu dan Prioritas Kerja",
        "form": "e_learning",
        "jp": 10,
        "minutes": 450,
        "competencies": ["manajemen_waktu"],
        "sessions": [
            {
                "code": "MW-CONC-A",
                "starts_on": (today + dt.timedelta(days=10)).isoformat(),
                "ends_on": (today + dt.timedelta(days=12)).isoformat(),
                "capacity": CAPACITY,
                "online_link": "https://elearning.palembang.example/mw-conc-a",
            }
        ],
    }
    try:
        for replica in replicas:
            replica.wait_ready()
        async with httpx.AsyncClient(timeout=60) as http:
            put = await http.put(f"{replicas[0].url}/api/v1/programmes/MW-CONC-01", json=programme, headers=admin)
            assert put.status_code == 201, put.text
            nips = [new_nip() for _ in range(REQUESTS)]

            async def enrol(i: int, nip: str) -> dict[str, Any]:
                replica = replicas[i % 2]
                response = await http.post(
                    f"{replica.url}/api/v1/enrolments", json={"nip": nip, "session_code": "MW-CONC-A"}, headers=admin
                )
                assert response.status_code == 201, response.text
                body: dict[str, Any] = response.json()
                return body

            answers = await asyncio.gather(*(enrol(i, nip) for i, nip in enumerate(nips)))
            listed = await http.get(
                f"{replicas[1].url}/api/v1/enrolments?session_code=MW-CONC-A&limit=200", headers=admin
            )
            items = listed.json()["items"]
        enrolled = [e for e in items if e["status"] == "enrolled"]
        waiting = [e for e in items if e["status"] == "waitlisted"]
        assert len(items) == REQUESTS
        assert len(enrolled) == CAPACITY, [e["status"] for e in items]
        assert len(waiting) == REQUESTS - CAPACITY
        # Seats went in request order: nobody enrolled asked after anybody still waiting.
        assert max(e["requested_at"] for e in enrolled) <= min(w["requested_at"] for w in waiting)
        assert sum(a["status"] == "enrolled" for a in answers) <= CAPACITY
        mongo: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_url)
        try:
            session = mongo[replicas[0].database]["sessions"].find_one({"_id": "MW-CONC-A"})
        finally:
            mongo.close()
        assert session is not None
        assert session["seats_free"] == 0

        # A cancellation promotes the first on the waiting list (request order), never more than the seat freed.
        first_waiting = sorted(waiting, key=lambda e: (e["priority"], e["requested_at"], e["id"]))[0]
        async with httpx.AsyncClient(timeout=60) as http:
            cancelled = await http.post(
                f"{replicas[0].url}/api/v1/enrolments/{enrolled[0]['id']}/cancel", headers=admin
            )
            assert cancelled.status_code == 200, cancelled.text
            promoted = await http.get(f"{replicas[1].url}/api/v1/enrolments/{first_waiting['id']}", headers=admin)
            assert promoted.json()["status"] == "enrolled"
            after = await http.get(
                f"{replicas[1].url}/api/v1/enrolments?session_code=MW-CONC-A&status=enrolled&limit=200", headers=admin
            )
            assert after.json()["total"] == CAPACITY
        _, event = await wait_for_event(
            infra, "training.enrolled.v1", lambda v: v["payload"]["enrolment_id"] == first_waiting["id"]
        )
        assert event["payload"]["promoted_from_waiting_list"] is True
        _, direct = await wait_for_event(
            infra, "training.enrolled.v1", lambda v: v["payload"]["enrolment_id"] == enrolled[1]["id"]
        )
        assert direct["payload"]["promoted_from_waiting_list"] is False
    finally:
        for replica in replicas:
            replica.stop()


ROUNDS = 12


def _programme(code: str, starts: dt.date, days: int, capacity: int) -> dict[str, Any]:
    return {
        "title": "Pelatihan Manajemen Waktu dan Prioritas Kerja",
        "form": "e_learning",
        "jp": 10,
        "minutes": 450,
        "competencies": ["manajemen_waktu"],
        "sessions": [
            {
                "code": code,
                "starts_on": starts.isoformat(),
                "ends_on": (starts + dt.timedelta(days=days)).isoformat(),
                "capacity": capacity,
                "online_link": "https://elearning.palembang.example/mw",
            }
        ],
    }


async def test_the_same_person_never_gets_two_overlapping_sessions_from_concurrent_requests(
    infra: Infra, keys: Keys, tmp_path: Path, new_nip: Callable[[], str]
) -> None:
    run_id = os.urandom(4).hex()
    replicas = []
    for n in range(2):
        (tmp_path / f"replica-{n}").mkdir()
        replicas.append(ServiceProcess.configure("training", infra, keys, run_id, tmp_path / f"replica-{n}"))
    for replica in replicas:
        replica.start()
    admin = keys.headers(BKPSDM, "admin_bkpsdm", opd_code="BKPSDM")
    today = dt.datetime.now(LOCAL_TIME).date()
    try:
        for replica in replicas:
            replica.wait_ready()
        async with httpx.AsyncClient(timeout=60) as http:
            # Two programmes whose sessions share a day.
            for code, start in (("OVL-A", 20), ("OVL-B", 22)):
                body = _programme(f"{code}-S", today + dt.timedelta(days=start), 3, 50)
                put = await http.put(f"{replicas[0].url}/api/v1/programmes/{code}", json=body, headers=admin)
                assert put.status_code == 201, put.text
            for _ in range(ROUNDS):
                nip = new_nip()
                answers = await asyncio.gather(
                    *(
                        http.post(
                            f"{replica.url}/api/v1/enrolments",
                            json={"nip": nip, "session_code": session},
                            headers=admin,
                        )
                        for replica, session in zip(replicas, ("OVL-A-S", "OVL-B-S"), strict=True)
                    )
                )
                codes = sorted((a.status_code, a.json().get("code", "")) for a in answers)
                assert codes[0][0] == 201, codes
                assert codes[1] == (409, "session_overlap"), codes
                listed = await http.get(f"{replicas[1].url}/api/v1/enrolments?nip={nip}", headers=admin)
                assert listed.json()["total"] == 1
    finally:
        for replica in replicas:
            replica.stop()


async def test_a_seat_left_by_a_crash_is_recovered_and_capacity_stays_exact(
    infra: Infra, keys: Keys, tmp_path: Path, new_nip: Callable[[], str]
) -> None:
    """The two crash points, written directly as a crashed request leaves them: a promotion that took a seat but
    did not mark its enrolment (a holder still waiting), and a cancellation that did not give its seat back (a
    cancelled holder). The next request on the session puts both right; so does a restart."""
    (tmp_path / "replica").mkdir()
    replica = ServiceProcess.configure("training", infra, keys, os.urandom(4).hex(), tmp_path / "replica")
    replica.start()
    admin = keys.headers(BKPSDM, "admin_bkpsdm", opd_code="BKPSDM")
    today = dt.datetime.now(LOCAL_TIME).date()
    mongo: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_url, tz_aware=True)
    try:
        replica.wait_ready()
        db = mongo[replica.database]
        a, b, c, d = (new_nip() for _ in range(4))
        async with httpx.AsyncClient(timeout=60) as http:
            body = _programme("CRASH-S", today + dt.timedelta(days=30), 1, 2)
            put = await http.put(f"{replica.url}/api/v1/programmes/CRASH-01", json=body, headers=admin)
            assert put.status_code == 201, put.text

            async def enrol(nip: str) -> dict[str, Any]:
                response = await http.post(
                    f"{replica.url}/api/v1/enrolments", json={"nip": nip, "session_code": "CRASH-S"}, headers=admin
                )
                assert response.status_code == 201, response.text
                answer: dict[str, Any] = response.json()
                return answer

            assert (await enrol(a))["status"] == "enrolled"
            assert (await enrol(b))["status"] == "enrolled"
            assert (await enrol(c))["status"] == "waitlisted"
            # Crash 1: A's cancellation wrote `cancelled` and died before giving the seat back.
            db["enrolments"].update_one(
                {"_id": f"CRASH-S:{a}"}, {"$set": {"status": "cancelled"}, "$inc": {"version": 1}}
            )
            # Crash 2: B's cancellation went through, and the promotion of C that followed took B's seat and
            # died before marking C `enrolled`.
            db["enrolments"].update_one(
                {"_id": f"CRASH-S:{b}"}, {"$set": {"status": "cancelled"}, "$inc": {"version": 1}}
            )
            # (the freed seat went straight to C: seats_free stays 0)
            db["sessions"].update_one({"_id": "CRASH-S"}, {"$pull": {"holders": f"CRASH-S:{b}"}})
            db["sessions"].update_one({"_id": "CRASH-S"}, {"$push": {"holders": f"CRASH-S:{c}"}})
            long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
            db["enrolments"].update_one({"_id": f"CRASH-S:{c}"}, {"$set": {"updated_at": long_ago}})
            told = db["enrolments"].find_one({"_id": f"CRASH-S:{c}"}, {"told_waiting": 1})
            assert told is not None
            assert told["told_waiting"] is True
            session = db["sessions"].find_one({"_id": "CRASH-S"})
            assert session is not None
            assert (session["seats_free"], sorted(session["holders"])) == (0, sorted([f"CRASH-S:{a}", f"CRASH-S:{c}"]))

            # The next request: A's seat comes back and goes to D, C is enrolled (and told).
            assert (await enrol(d))["status"] == "enrolled"
            listed = await http.get(f"{replica.url}/api/v1/enrolments?session_code=CRASH-S", headers=admin)
            status = {e["nip"]: e["status"] for e in listed.json()["items"]}
            assert status == {a: "cancelled", b: "cancelled", c: "enrolled", d: "enrolled"}
            session = db["sessions"].find_one({"_id": "CRASH-S"})
            assert session is not None
            assert (session["seats_free"], sorted(session["holders"])) == (0, sorted([f"CRASH-S:{c}", f"CRASH-S:{d}"]))
            _, event = await wait_for_event(
                infra, "training.enrolled.v1", lambda v: v["payload"]["enrolment_id"] == f"CRASH-S:{c}"
            )
            assert event["payload"]["promoted_from_waiting_list"] is True

            # A crash again (C's cancellation did not give its seat back), then a restart: the start-up
            # reconciliation frees it; the capacity is exact.
            db["enrolments"].update_one(
                {"_id": f"CRASH-S:{c}"}, {"$set": {"status": "cancelled"}, "$inc": {"version": 1}}
            )
            replica.stop()
            replica.start()
            replica.wait_ready()
            session = db["sessions"].find_one({"_id": "CRASH-S"})
            assert session is not None
            assert (session["seats_free"], session["holders"]) == (1, [f"CRASH-S:{d}"])
    finally:
        replica.stop()
        mongo.close()
