"""Pure training rules: no I/O, no framework imports.

Rules from regulation are data with their citation (``rules.py``), so a new regulation is a data change.
Modules: ``rules`` (rule data), ``jp`` (JP conversion, ledger, who is behind), ``catalogue`` (the programme
model and its checks), ``catalogue_seed`` (the starting catalogue), ``matching`` (recommendations),
``enrolment`` (seats, waiting list, enrolment states), ``effectiveness`` (did results improve after training).
"""

from shared.events import EmployeeType
from training.domain.errors import RuleError
from training.domain.jp import jp_shortfall
from training.domain.rules import MINUTES_PER_JP

__all__ = [
    "MINUTES_PER_JP",
    "EmployeeType",
    "RuleError",
    "jp_shortfall",
]
