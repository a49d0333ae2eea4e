"""The one error the training rules raise: a ValueError with a stable code and a bilingual text."""

from __future__ import annotations

from shared.i18n import Text


class RuleError(ValueError):
    """An input the rules refuse. ``code`` is the contract (the API maps it to a problem's code);
    ``text`` says why, in Bahasa Indonesia and English."""

    def __init__(self, code: str, text: Text) -> None:
        super().__init__(f"{code}: {text.en}")
        self.code = code
        self.text = text
