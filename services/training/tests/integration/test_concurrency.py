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

from kinerja_testing import Infra, Keys, ServiceProcess

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
    today = dt.datetime.now(dt.UTC).date()
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
    finally:
        for replica in replicas:
            replica.stop()
