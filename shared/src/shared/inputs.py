"""What every request body shares: no control characters in any string it carries.

A control character in a name or a text is never meant (a paste from a spreadsheet, or an attack
on the logs, a terminal or a later export), so it is refused with 422 naming where it was, before
any rule runs: U+0000-U+001F except tab, line feed and carriage return, U+007F-U+009F, and the
bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) that make text read otherwise
than it is stored. CSV rows are validated by the same models, so a file is held to the same rule.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import BaseModel, model_validator

from shared.i18n import Text, TextError, join

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_DEPTH = 32


def control_characters(value: Any, where: str = "", depth: int = 0) -> list[Text]:
    """Where ``value`` (JSON-like: dicts, lists, strings) holds a control character, as dotted paths
    with the first offending character's code point."""
    if depth > MAX_DEPTH:
        return []
    if isinstance(value, str):
        found = CONTROL.search(value)
        if not found:
            return []
        point = f"U+{ord(found.group()):04X}"
        return [
            Text(
                f"{where or 'body'}: karakter kontrol {point} tidak diizinkan",
                f"{where or 'body'}: control character {point} is not allowed",
            )
        ]
    if isinstance(value, dict):
        return [
            problem
            for key, item in value.items()
            for problem in (
                *control_characters(str(key), f"{where}.{key}" if where else str(key), depth + 1),
                *control_characters(item, f"{where}.{key}" if where else str(key), depth + 1),
            )
        ]
    if isinstance(value, list | tuple):
        return [p for i, item in enumerate(value) for p in control_characters(item, f"{where}[{i}]", depth + 1)]
    return []


class InputModel(BaseModel):
    """The base of every request body model (tests/contracts/test_input_bounds.py checks it).

    A response model built on a request model sets ``checks_input = False``: what is stored is
    shown as it is (a record written before this rule must not make a read fail)."""

    checks_input: ClassVar[bool] = True

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        if not cls.checks_input:
            return data
        problems = control_characters(data)
        if problems:
            raise TextError(join(problems[:10]))
        return data
