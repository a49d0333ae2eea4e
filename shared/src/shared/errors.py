"""Errors the use cases of every service raise. Each is a ProblemError, so it reaches the client as
problem+json with a stable code, whichever route raised it. Every text is a ``Text`` (Bahasa Indonesia
and English)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from shared.http import BAD_REQUEST, CONFLICT, FORBIDDEN, NOT_FOUND, PRECONDITION_FAILED, ProblemError
from shared.i18n import Text


class UseCaseError(ProblemError):
    status_code: ClassVar[int] = 400
    error_code: ClassVar[str] = "bad_request"
    error_title: ClassVar[Text] = BAD_REQUEST

    def __init__(self, detail: Text, *, errors: Sequence[Text] | None = None, code: str | None = None) -> None:
        super().__init__(
            self.status_code,
            code or self.error_code,
            self.error_title,
            detail,
            errors=[{"message": e} for e in errors] if errors else None,
        )
        self.messages: list[Text] = list(errors or [])


class NotFoundError(UseCaseError):
    status_code, error_code, error_title = 404, "not_found", NOT_FOUND


class ForbiddenError(UseCaseError):
    status_code, error_code, error_title = 403, "forbidden", FORBIDDEN


class ConflictError(UseCaseError):
    status_code, error_code, error_title = 409, "conflict", CONFLICT


class InvalidError(UseCaseError):
    """Well-formed, but against the rules (an invalid NIP, an incomplete SKP, a closed window)."""

    status_code, error_code, error_title = (
        422,
        "rule_violation",
        Text("Tidak diizinkan oleh aturan", "Not allowed by the rules"),
    )


class VersionConflictError(UseCaseError):
    status_code, error_code, error_title = 412, "version_conflict", PRECONDITION_FAILED


def at_version(what: Text, version: object) -> Text:
    """The If-Match named another version than the stored one (``what``: "Data pegawai …", "Employee …")."""
    return Text(f"{what.ind} kini pada versi {version}", f"{what.en} is at version {version}")


def changed_concurrently(what: Text) -> Text:
    return Text(f"{what.ind} diubah oleh pihak lain pada saat yang sama", f"{what.en} was changed concurrently")
