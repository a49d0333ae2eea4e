from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from appraisal.config import Settings
from appraisal.main import create_app
from kinerja_testing import serve


@pytest.fixture
async def client(service_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(service_settings(Settings))) as http:
        yield http
