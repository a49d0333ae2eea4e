"""Events of the employee registry (owned by the appraisal service)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from shared.events.envelope import EmployeeType, Event, Payload, PositionType, Topic, nip_field


class EmployeeSnapshot(Payload):
    """The full registry record of one employee after the change."""

    nip: str = nip_field()
    name: str = Field(description="Full name with academic titles, as in the registry.")
    email: str | None = Field(None, description="Work email for notifications.")
    employee_type: EmployeeType = Field(description="PNS or PPPK.")
    position_type: PositionType = Field(description="JPT, Administrator, Pengawas, Pelaksana or JF.")
    position_title: str | None = Field(None, description="Nama jabatan, e.g. 'Analis Kebijakan Ahli Muda'.")
    opd_code: str = Field(description="Code of the employee's OPD (agency).")
    unit_code: str | None = Field(None, description="Code of the unit within the OPD.")
    pejabat_penilai_nip: str | None = Field(
        None, description="NIP of the appraiser (direct superior); or 'PPK', the Wali Kota, who has no NIP."
    )
    atasan_pejabat_penilai_nip: str | None = Field(
        None, description="NIP of the appraiser's superior; or 'PPK', the Wali Kota, who has no NIP."
    )
    active: bool = Field(True, description="False once the employee has left the city government.")
    contract_start: dt.date | None = Field(
        None,
        description="PPPK only: the first day of the work agreement (perjanjian kerja); the contract years that "
        "count the 24 JP cap run from it. Absent for a PNS, or when the registry does not know it.",
    )
    version: int = Field(ge=1, description="Registry version of this record; higher wins.")


class EmployeeRegistered(Event):
    """An employee was added to the registry."""

    topic: ClassVar[Topic] = Topic.EMPLOYEE_REGISTERED
    event_type: Literal["employee.registered"] = "employee.registered"
    schema_version: Literal[1] = 1
    payload: EmployeeSnapshot


class EmployeeUpdatedPayload(EmployeeSnapshot):
    changed_fields: list[str] = Field(default_factory=list, description="Names of the fields that changed.")


class EmployeeUpdated(Event):
    """An employee's registry record changed (position, OPD, appraiser, contact, ...)."""

    topic: ClassVar[Topic] = Topic.EMPLOYEE_UPDATED
    event_type: Literal["employee.updated"] = "employee.updated"
    schema_version: Literal[1] = 1
    payload: EmployeeUpdatedPayload
