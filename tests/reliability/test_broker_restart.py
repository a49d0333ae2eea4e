"""A Kafka broker restart while a service runs: readiness reports it, writes still succeed, and the
events they produced are published once the broker is back."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from kinerja_testing import Infra, Keys, ServiceProcess, eventually, register_employee, wait_for_event

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
BKPSDM = "197001012000011001"


def local_stack() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stack", ROOT / "deploy" / "local" / "stack.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["stack"] = module
    spec.loader.exec_module(module)
    return module


async def test_events_written_while_kafka_is_down_are_published_after_it_returns(
    infra: Infra, keys: Keys, tmp_path: Path, new_nip: Callable[[], str]
) -> None:
    if infra.stack_instance is None:
        pytest.skip("needs a Kafka of the project's own local test stack, to stop and start it")
    stack = local_stack()
    instance = stack.instance(infra.stack_instance)
    appraisal = ServiceProcess.configure("appraisal", infra, keys, os.urandom(4).hex(), tmp_path)
    appraisal.start().wait_ready()
    nip = new_nip()
    async with httpx.AsyncClient(base_url=appraisal.url) as http:  # registered first: history needs a registered NIP
        await register_employee(http, keys.headers(BKPSDM, "admin_bkpsdm"), nip)
    try:
        stack.stop(instance.kafka)
        async with httpx.AsyncClient(base_url=appraisal.url) as http:

            async def kafka_unreachable() -> bool:
                response = await http.get("/readyz")
                return response.status_code == 503 and response.json()["checks"]["kafka"] == "unreachable"

            await eventually(kafka_unreachable, within=30)
            created = await http.post(
                "/api/v1/appraisals",
                json={
                    "nip": nip,
                    "opd_code": "DINKES",
                    "period": "2025",
                    "hasil_kerja": "sesuai_ekspektasi",
                    "perilaku_kerja": "sesuai_ekspektasi",
                },
                headers=keys.headers(BKPSDM, "admin_bkpsdm"),
            )
            assert created.status_code == 201, created.text
    finally:
        stack.start_kafka(instance)
    try:
        _, event = await wait_for_event(
            infra, "appraisal.completed.v1", lambda v: v["payload"]["nip"] == nip, within=120
        )
        assert event["payload"]["appraisal_id"] == f"{nip}-2025"
        assert appraisal.ready()
    finally:
        appraisal.stop()
