"""The roster (shared.roster): the newest registry version wins, in any order, redelivered or not."""

from __future__ import annotations

import pytest
from pymongo import AsyncMongoClient

from shared.events import EmployeeSnapshot, EmployeeUpdated, EmployeeUpdatedPayload
from shared.mongo import MongoDocument
from shared.roster import Roster

pytestmark = pytest.mark.infra

NIP = "198609262015051001"


def version(number: int, *, active: bool) -> EmployeeUpdated:
    snapshot = EmployeeSnapshot(
        nip=NIP, name="Siti", employee_type="PNS", position_type="JF", opd_code="DINKES", active=active, version=number
    )
    return EmployeeUpdated.create(EmployeeUpdatedPayload.model_validate(snapshot.model_dump()), producer="test")


async def test_the_newest_version_wins_whatever_the_order(
    mongo_client: AsyncMongoClient[MongoDocument], unique: str
) -> None:
    roster = Roster(mongo_client[f"test_{unique}"])
    assert not await roster.is_inactive(NIP)  # unknown to the registry: passes
    await roster.apply([version(1, active=True)])
    assert not await roster.is_inactive(NIP)
    await roster.apply([version(3, active=False), version(2, active=True)])  # one batch, out of order
    assert await roster.is_inactive(NIP)
    assert await roster.apply([version(2, active=True), version(1, active=True)]) == 0  # late: no effect
    assert await roster.is_inactive(NIP)
    await roster.apply([version(4, active=True)])  # reactivated
    assert not await roster.is_inactive(NIP)
    await mongo_client.drop_database(f"test_{unique}")
