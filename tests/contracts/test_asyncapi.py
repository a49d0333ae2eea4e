"""Each service's AsyncAPI document, checked against the official AsyncAPI 3.0.0 JSON Schema
(the @asyncapi/specs npm package) and against the event contracts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from appraisal.main import DEFINITION as APPRAISAL
from notification.main import DEFINITION as NOTIFICATION
from reporting.main import DEFINITION as REPORTING
from shared.app import ServiceDefinition
from shared.events import EVENT_TYPES
from training.main import DEFINITION as TRAINING

SPECS_PACKAGE = "@asyncapi/specs@6.11.1"
DEFINITIONS = [APPRAISAL, TRAINING, NOTIFICATION, REPORTING]


@pytest.fixture(scope="module")
def asyncapi_schema() -> dict[str, Any]:
    cache = Path(os.environ.get("KINERJA_CACHE_DIR", Path.home() / ".cache" / "kinerja-asn")) / "asyncapi-specs"
    schema_file = cache / "package" / "schemas" / "3.0.0-without-$id.json"
    if not schema_file.exists():
        npm = shutil.which("npm")
        assert npm, "missing prerequisite 'npm' (needed to fetch the AsyncAPI JSON Schema)"
        cache.mkdir(parents=True, exist_ok=True)
        packed = (
            subprocess.run(
                [npm, "pack", SPECS_PACKAGE, "--silent", "--pack-destination", str(cache)],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        with tarfile.open(cache / packed) as archive:
            archive.extractall(cache, filter="data")
    schema: dict[str, Any] = json.loads(schema_file.read_text())
    return schema


def validator(schema: dict[str, Any]) -> Draft7Validator:
    return Draft7Validator(schema)


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.name)
def test_asyncapi_document_is_valid_asyncapi_3(definition: ServiceDefinition, asyncapi_schema: dict[str, Any]) -> None:
    document = definition.asyncapi()
    errors = sorted(validator(asyncapi_schema).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_validation_catches_a_broken_document(asyncapi_schema: dict[str, Any]) -> None:
    document = APPRAISAL.asyncapi()
    document["operations"]["publishAppraisalCompleted"]["action"] = "publish"  # AsyncAPI 2 word, invalid in 3
    assert list(validator(asyncapi_schema).iter_errors(document))


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.name)
def test_asyncapi_names_every_published_and_consumed_topic_with_its_contract(definition: ServiceDefinition) -> None:
    document = definition.asyncapi()
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {t.value for t in (*definition.publishes, *definition.consumes)}
    actions = {(op["action"], op["channel"]["$ref"].split("/")[-1]) for op in document["operations"].values()}
    assert actions == {("send", EVENT_TYPES[t].__name__) for t in definition.publishes} | {
        ("receive", EVENT_TYPES[t].__name__) for t in definition.consumes
    }
    for topic in (*definition.publishes, *definition.consumes):
        name = EVENT_TYPES[topic].__name__
        payload_ref = document["components"]["messages"][name]["payload"]["$ref"]
        schema = document["components"]["schemas"][payload_ref.split("/")[-1]]
        assert set(schema["properties"]) == set(EVENT_TYPES[topic].model_fields)


def test_the_slice_is_documented_end_to_end() -> None:
    assert "appraisal.completed.v1" in {t.value for t in APPRAISAL.publishes}
    assert "appraisal.completed.v1" in {t.value for t in NOTIFICATION.consumes}
    assert "appraisal.completed.v1" in {t.value for t in REPORTING.consumes}
