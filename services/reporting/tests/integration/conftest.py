"""What the reporting integration tests share: the service in process, a fresh OPD, a reader."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from kinerja_testing import Infra, Keys, serve, skip_history
from kinerja_testing.reports import ReportReader
from reporting.config import Settings
from reporting.main import DEFINITION, create_app


@pytest.fixture
async def client(service_settings: Callable[..., Settings], infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    """The service in process, its consumer groups starting at the end of the shared topics."""
    settings = service_settings(Settings)
    await skip_history(infra, settings.consumer_group, DEFINITION.consumes)
    async with serve(create_app(settings)) as http:
        yield http


@pytest.fixture
def opd(unique: str) -> str:
    """An OPD no other test uses."""
    return f"T{unique.upper()}"


@pytest.fixture
def reader(client: httpx.AsyncClient, keys: Keys) -> ReportReader:
    return ReportReader(client, keys)
