"""Each service against its own OpenAPI document, with Schemathesis.

The four services run as processes (``python -m <service>``, as deployed) on the real test stack.
Schemathesis reads each one's ``/openapi.json`` and sends every operation a few generated requests,
valid and invalid, with a bearer token, and checks each answer with its default checks: no server
error, no status code, content type or header the document does not declare, a body that fits
its schema, invalid input refused and valid input not refused for being invalid, a missing
required header refused, and 405 with ``Allow`` for a method a path does not have.

Bounded so that the four take about a minute: a few examples per operation and phase, with a fixed
seed (``KINERJA_SCHEMATHESIS_SEED`` chooses another, to explore further).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from kinerja_testing import Infra, Keys, ServiceProcess

pytestmark = pytest.mark.infra

SERVICES = ("appraisal", "training", "notification", "reporting")
BKPSDM = "197001012000011001"
PEGAWAI = "198609262015051001"
MAX_EXAMPLES = int(os.environ.get("KINERJA_SCHEMATHESIS_EXAMPLES", "5"))


@pytest.fixture(scope="module")
def services(infra: Infra, keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The four services, each on its own fresh database; their base URLs."""
    run_id = os.urandom(4).hex()
    log_dir = tmp_path_factory.mktemp("schemathesis-logs")
    processes = [ServiceProcess.configure(name, infra, keys, run_id, log_dir) for name in SERVICES]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_ready()
        yield {process.name: process.url for process in processes}
    finally:
        for process in processes:
            if process.proc is not None:
                process.stop()


def openapi_document(service: str) -> dict[str, Any]:
    """The document the service serves at ``/openapi.json`` (built from its code, as it does)."""
    document: dict[str, Any] = importlib.import_module(f"{service}.main").create_app().openapi()
    return document


CONFIG = {
    "seed": int(os.environ.get("KINERJA_SCHEMATHESIS_SEED", "20261129")),
    # The token is the test's (``call_and_validate(headers=...)``), not drawn from the bearer scheme;
    # the ``ignored_auth`` check still tries each operation without it and with an invalid one.
    "generation": {"max-examples": MAX_EXAMPLES, "database": "none", "with-security-parameters": False},
    "checks": {
        # Valid by the schema is not always acceptable: a rule across fields (a pejabat penilai is not the
        # employee), the state of the registry or of the year (the caller must be registered, a period
        # must be one of the year's) or the current version (If-Match) can refuse it, with 422 (a
        # rule_violation or a validation_error naming the rule) or 412. Every other refusal of
        # schema-valid input still fails (400, 415, 428, ...).
        "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 412, 422, 429, "5xx"]},
        # RFC 6585: a missing If-Match on a conditional update is 428 Precondition Required; the
        # default list (400, 401, 403, 406, 415, 422) predates it.
        "missing_required_header": {"expected-statuses": [400, 401, 403, 406, 415, 422, 428]},
    },
}


def conformance_test(service: str, nip: str, role: str) -> Any:
    """A test of every operation of ``service``, called with a token of ``nip`` as ``role``."""
    schema = schemathesis.openapi.from_dict(openapi_document(service), config=SchemathesisConfig.from_dict(CONFIG))

    @schema.parametrize()
    def test(case: Any, services: dict[str, str], keys: Keys) -> None:
        case.call_and_validate(base_url=services[service], headers=keys.headers(nip, role))

    return test


def test_the_documents_tested_are_the_ones_the_services_serve(services: dict[str, str]) -> None:
    for name, url in services.items():
        assert httpx.get(f"{url}/openapi.json").json() == openapi_document(name), name


test_appraisal_as_bkpsdm = conformance_test("appraisal", BKPSDM, "admin_bkpsdm")
test_appraisal_as_pegawai = conformance_test("appraisal", PEGAWAI, "pegawai")
test_training_as_bkpsdm = conformance_test("training", BKPSDM, "admin_bkpsdm")
test_training_as_pegawai = conformance_test("training", PEGAWAI, "pegawai")
test_notification_as_bkpsdm = conformance_test("notification", BKPSDM, "admin_bkpsdm")
test_notification_as_pegawai = conformance_test("notification", PEGAWAI, "pegawai")
test_reporting_as_bkpsdm = conformance_test("reporting", BKPSDM, "admin_bkpsdm")
test_reporting_as_pegawai = conformance_test("reporting", PEGAWAI, "pegawai")
