"""Bahasa Indonesia first, English on request: the language of the text people read in an answer
(a problem's ``title``, ``detail`` and field messages). Codes, field names and data stay as they are.

Every such text is written at its source in both languages, as a ``Text``; the answer picks one from
the request's ``Accept-Language`` (``negotiate``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["id", "en"]
DEFAULT_LANGUAGE: Language = "id"
MAX_ACCEPT_LANGUAGE = 512
"""Characters of an ``Accept-Language`` header that are read; the rest is ignored."""
MAX_LANGUAGE_RANGES = 16
"""Language ranges of an ``Accept-Language`` header that are read; the rest are ignored."""


@dataclass(frozen=True, slots=True)
class Text:
    """One message in Bahasa Indonesia (``ind``, the default) and English (``en``)."""

    ind: str
    en: str

    def __str__(self) -> str:
        return self.ind

    def in_(self, language: Language) -> str:
        return self.en if language == "en" else self.ind

    def __add__(self, other: Text) -> Text:
        return Text(self.ind + other.ind, self.en + other.en)


def verbatim(text: str) -> Text:
    """A text that was said in one language only (a library's own message, a value stored before
    texts were kept in both languages): shown as it is, whatever the language asked for."""
    return Text(text, text)


def stored(text: Text) -> dict[str, str]:
    """``text`` as a database keeps it, both languages (``{"id": ..., "en": ...}``), to be said later
    in the language of whoever reads it (``from_stored``)."""
    return {"id": text.ind, "en": text.en}


def from_stored(value: object) -> Text:
    """What ``stored`` kept; a plain string stored before both languages were kept is said as it is."""
    if isinstance(value, dict) and isinstance(value.get("id"), str) and isinstance(value.get("en"), str):
        return Text(value["id"], value["en"])
    return verbatim(str(value))


class TextError(ValueError):
    """A validator's refusal in both languages. Pydantic reports it as a ``value_error`` whose English
    message is ``text.en``; the problem answer says ``text`` in the caller's language
    (``shared.field_errors``)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def join(texts: list[Text], separator: str = "; ") -> Text:
    """The texts one after another, in each language."""
    return Text(separator.join(t.ind for t in texts), separator.join(t.en for t in texts))


def negotiate(accept_language: str | None) -> Language:
    """The language of the answer: English when the caller's ``Accept-Language`` (RFC 9110 12.5.4)
    ranks English above Indonesian, Bahasa Indonesia otherwise (also for ``*``, a missing or a
    malformed header). ``in`` is the old code of Indonesian and counts as ``id``."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best: dict[Language, float] = {}
    for entry in accept_language[:MAX_ACCEPT_LANGUAGE].split(",")[:MAX_LANGUAGE_RANGES]:
        tag, _, params = entry.strip().partition(";")
        primary = tag.strip().lower().partition("-")[0]
        language: Language | None = "en" if primary == "en" else "id" if primary in ("id", "in") else None
        if language is None:
            continue
        weight = _quality(params)
        if weight > best.get(language, -1.0):
            best[language] = weight
    english, indonesian = best.get("en", 0.0), best.get("id", 0.0)
    return "en" if english > 0 and english > indonesian else DEFAULT_LANGUAGE


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip()[:5])
            except ValueError:
                return 0.0
            return weight if 0.0 <= weight <= 1.0 else 0.0
    return 1.0
