"""Errors the use cases raise. Each is a ProblemError, so it reaches the client as problem+json with
a stable code, whichever route raised it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from shared.http import ProblemError, Said


class UseCaseError(ProblemError):
    status_code: ClassVar[int] = 400
    error_code: ClassVar[str] = "bad_request"
    error_title: ClassVar[Said] = "Bad request"

    def __init__(self, detail: Said, *, errors: Sequence[Said] | None = None, code: str | None = None) -> None:
        super().__init__(
            self.status_code,
            code or self.error_code,
            self.error_title,
            detail,
            errors=[{"message": e} for e in errors] if errors else None,
        )
        self.messages = list(errors or [])


class NotFoundError(UseCaseError):
    status_code, error_code, error_title = 404, "not_found", "Not found"


class ForbiddenError(UseCaseError):
    status_code, error_code, error_title = 403, "forbidden", "Forbidden"


class ConflictError(UseCaseError):
    status_code, error_code, error_title = 409, "conflict", "Conflict"


class InvalidError(UseCaseError):
    """Well-formed, but against the rules (an invalid NIP, an incomplete SKP, a closed window)."""

    status_code, error_code, error_title = 422, "rule_violation", "Not allowed by the rules"


class VersionConflictError(UseCaseError):
    status_code, error_code, error_title = 412, "version_conflict", "Precondition failed"
