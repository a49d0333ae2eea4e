"""Pagination and optimistic concurrency for HTTP APIs."""

from __future__ import annotations

import re
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Header, Query
from pydantic import BaseModel

from shared.http import PRECONDITION_FAILED, ProblemError
from shared.i18n import Text

T = TypeVar("T")

MAX_PAGE = 200
MAX_OFFSET = 10_000_000
IF_MATCH = re.compile(r'(W/)?"?([0-9]{1,15})"?')
IF_MATCH_DOC = {"pattern": r'^(W/)?"?[0-9]{1,15}"?$'}
"""``IF_MATCH`` in the OpenAPI document. Checked by ``expected_version`` (400 when it does not match),
not by FastAPI (which would answer 422)."""


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            max_length=32,
            description='The ETag of the version being changed (from the last GET), e.g. "3".',
            json_schema_extra=IF_MATCH_DOC,
        ),
    ] = None,
) -> int:
    """The version an update expects, from ``If-Match``: 428 when missing, 400 when malformed."""
    if if_match is None:
        raise ProblemError(
            428,
            "precondition_required",
            Text("If-Match diperlukan", "If-Match required"),
            Text(
                "Kirim If-Match berisi ETag versi yang Anda ubah, agar perubahan bersamaan tidak hilang.",
                "Send If-Match with the ETag of the version you are changing, so concurrent edits are not lost.",
            ),
        )
    match = IF_MATCH.fullmatch(if_match.strip())
    if match is None:
        raise ProblemError(
            400,
            "bad_if_match",
            Text("If-Match tidak valid", "Malformed If-Match"),
            Text('Diharapkan ETag seperti "3"', 'Expected an ETag such as "3"'),
        )
    return int(match.group(2))


ExpectedVersion = Annotated[int, Depends(expected_version)]


def version_conflict(current: int | None) -> ProblemError:
    detail = Text(
        "Data ini telah diubah orang lain sejak Anda membacanya", "It was changed by someone else since you read it"
    )
    if current is not None:
        detail += Text(f" (kini versi {current})", f" (now at version {current})")
    detail += Text("; baca ulang lalu terapkan kembali perubahan Anda.", "; read it again and reapply.")
    return ProblemError(412, "version_conflict", PRECONDITION_FAILED, detail)


def optional_version(
    if_match: Annotated[
        str | None,
        Header(
            max_length=32,
            description="The ETag of the version being replaced; required when it exists.",
            json_schema_extra=IF_MATCH_DOC,
        ),
    ] = None,
) -> int | None:
    return None if if_match is None else expected_version(if_match)


OptionalVersion = Annotated[int | None, Depends(optional_version)]
