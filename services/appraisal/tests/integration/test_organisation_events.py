"""organisation.year_updated.v1: each change of an OPD's year record (its organisation predikat set or
changed, its year closed) is published once, with the record's version; a refused change publishes nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from kinerja_testing import Infra, Keys, read_topic, wait_for_event

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
TOPIC = "organisation.year_updated.v1"


async def test_setting_changing_and_closing_an_opd_year_each_publish_one_event(
    client: httpx.AsyncClient, keys: Keys, infra: Infra, unique: str
) -> None:
    bkpsdm = keys.headers(BKPSDM, "admin_bkpsdm")
    code = f"UPT-{unique.upper()}"  # a unit of its own: the topic is shared with other tests
    unit = {"name": "UPT Uji Peristiwa", "kind": "opd", "sector": "kesehatan"}
    assert (await client.put(f"/api/v1/opd/{code}", json=unit, headers=bkpsdm)).status_code == 201
    year = {"frequency": "quarterly", "skp_due": "2025-01-31"}
    assert (await client.put("/api/v1/performance-years/2025", json=year, headers=bkpsdm)).status_code in (200, 201)
    path = f"/api/v1/opd/{code}/years/2025"

    def ours(version: int) -> Any:
        return lambda v: v["payload"]["opd_code"] == code and v["payload"]["version"] == version

    assert (await client.put(f"{path}/predikat", json={"predikat": "baik"}, headers=bkpsdm)).status_code == 200
    key, first = await wait_for_event(infra, TOPIC, ours(1))
    assert key == code.encode()
    assert first["payload"] == {"opd_code": code, "year": 2025, "predikat": "baik", "closed": False, "version": 1}
    assert (first["event_type"], first["producer"]) == ("organisation.year_updated", "appraisal")

    assert (await client.put(f"{path}/predikat", json={"predikat": "istimewa"}, headers=bkpsdm)).status_code == 200
    _, changed = await wait_for_event(infra, TOPIC, ours(2))
    assert (changed["payload"]["predikat"], changed["payload"]["closed"]) == ("istimewa", False)

    assert (await client.post(f"{path}/close", headers=bkpsdm)).status_code == 200
    _, closed = await wait_for_event(infra, TOPIC, ours(3))
    assert (closed["payload"]["predikat"], closed["payload"]["closed"]) == ("istimewa", True)

    # Refused changes publish nothing: a change after closing, and a caller who may not set it.
    late = await client.put(f"{path}/predikat", json={"predikat": "baik"}, headers=bkpsdm)
    assert (late.status_code, late.json()["code"]) == (409, "year_closed")
    stranger = keys.headers("198001012005011002", "pejabat_penilai")
    assert (await client.put(f"{path}/predikat", json={"predikat": "baik"}, headers=stranger)).status_code == 403
    published = [json.loads(r.value) for r in await read_topic(infra, TOPIC) if r.value]
    assert [e["payload"]["version"] for e in published if e["payload"].get("opd_code") == code] == [1, 2, 3]
