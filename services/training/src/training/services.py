"""Training use cases."""

from __future__ import annotations

from training.domain import JP_OBLIGATIONS, EmployeeType, JpObligation


def jp_obligation(employee_type: EmployeeType) -> JpObligation | None:
    """The yearly JP obligation for an employee type, or None where the rules set none."""
    return JP_OBLIGATIONS.get(employee_type)
