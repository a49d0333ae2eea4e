"""Each service's README lists every index the service creates, with the queries it serves; this
keeps that table true: the indexes a freshly started service creates are exactly the ones listed."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from kinerja_testing import Infra, serve, skip_history
from shared.config import ServiceSettings
from shared.mongo import MongoDocument

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| `(?P<collection>[a-z0-9_]+)` \| `(?P<index>[a-z_]+)` \| `(?P<keys>[^`]+)` \| (?P<serves>.+) \|$")


def documented(service: str) -> set[tuple[str, str, str]]:
    rows = set()
    for line in (ROOT / "services" / service / "README.md").read_text().splitlines():
        match = ROW.match(line)
        if match:
            assert match["serves"].strip(), line
            rows.add((match["collection"], match["index"], match["keys"]))
    return rows


def keys_of(key: list[tuple[str, int]]) -> str:
    return ", ".join(field if direction == 1 else f"{field} desc" for field, direction in key)


@pytest.mark.parametrize("service", ["appraisal", "training", "notification", "reporting"])
async def test_the_readme_lists_exactly_the_indexes_the_service_creates(
    service: str,
    infra: Infra,
    service_settings: Callable[..., ServiceSettings],
    mongo_client: AsyncMongoClient[MongoDocument],
) -> None:
    config = importlib.import_module(f"{service}.config")
    main = importlib.import_module(f"{service}.main")
    settings = service_settings(config.Settings)
    await skip_history(infra, settings.consumer_group, main.DEFINITION.consumes)
    async with serve(main.create_app(settings)):
        db = mongo_client[settings.mongodb_database]
        created = set()
        for collection in await db.list_collection_names():
            for name, index in (await db[collection].index_information()).items():
                created.add((collection, name, keys_of(index["key"])))
    listed = documented(service)
    assert {row for row in created if row[1] != "_id_"} == {row for row in listed if row[1] != "_id_"}
    assert {row for row in created if row[1] == "_id_"} <= listed, "a collection is missing from the README"
