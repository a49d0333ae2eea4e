"""Pure appraisal rules: no I/O, no framework imports.

Rules that come from regulation are data with their citation (``rules.py``, ``predikat.py``), so a
new regulation is a data change.
"""

from appraisal.domain.predikat import PREDIKAT_MATRIX_2022, PredikatMatrix

__all__ = ["PREDIKAT_MATRIX_2022", "PredikatMatrix"]
