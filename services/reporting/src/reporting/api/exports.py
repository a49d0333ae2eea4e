"""Exports of the views: every table as CSV or XLSX, the main charts as SVG. Each answers with the
access of the view it comes from (it is built from that view's use case)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from reporting.api.common import PROBLEMS, ActorDep, AppraiserPath, Ctx, NipPath, OpdPath, YearQuery, year_or_now
from reporting.domain.exports import TABLES, ViewKind
from reporting.services import exports
from reporting.services.exports import MEDIA_TYPES, SVG, ExportFormat, File
from shared.events import PERIOD_PATTERN

router = APIRouter(prefix="/api/v1/reports", tags=["exports"])

TablePath = Annotated[
    str, Path(min_length=2, max_length=40, pattern=r"^[a-z][a-z-]*$", description="The table's name (see above).")
]
FormatPath = Annotated[ExportFormat, Path(description="csv (UTF-8 with BOM, comma, ISO dates) or xlsx.")]

TABLE_FILE: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    200: {
        "description": "The table as a file (Content-Disposition: attachment).",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            MEDIA_TYPES[ExportFormat.XLSX]: {"schema": {"type": "string", "format": "binary"}},
        },
    },
}
SVG_FILE: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    200: {
        "description": "The chart (SVG, with a title and a description).",
        "content": {SVG: {"schema": {"type": "string"}}},
    },
}


def _tables(kind: ViewKind) -> str:
    return "Tables: " + ", ".join(f"`{name}`" for name in TABLES[kind]) + ". An unknown table is 404 `table_not_found`."


def answer(file: File) -> Response:
    return Response(
        file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"', "Cache-Control": "no-store"},
    )


@router.get(
    "/employees/{nip}/tables/{table}.{format}",
    summary="A table of the employee view as CSV or XLSX (the view's access)",
    description=_tables(ViewKind.EMPLOYEE),
    response_class=Response,
    responses=TABLE_FILE,
)
async def employee_table(
    nip: NipPath, table: TablePath, format: FormatPath, ctx: Ctx, actor: ActorDep, year: YearQuery = None
) -> Response:
    year = year_or_now(year, ctx)
    return answer(await exports.table_file(ctx, actor, ViewKind.EMPLOYEE, nip, year, table, format))


@router.get(
    "/teams/{nip}/tables/{table}.{format}",
    summary="A table of the team view as CSV or XLSX (the view's access)",
    description=_tables(ViewKind.TEAM),
    response_class=Response,
    responses=TABLE_FILE,
)
async def team_table(
    nip: AppraiserPath, table: TablePath, format: FormatPath, ctx: Ctx, actor: ActorDep, year: YearQuery = None
) -> Response:
    year = year_or_now(year, ctx)
    return answer(await exports.table_file(ctx, actor, ViewKind.TEAM, nip, year, table, format))


@router.get(
    "/opd/{opd_code}/tables/{table}.{format}",
    summary="A table of the OPD view as CSV or XLSX (the view's access)",
    description=_tables(ViewKind.OPD),
    response_class=Response,
    responses=TABLE_FILE,
)
async def opd_table(
    opd_code: OpdPath, table: TablePath, format: FormatPath, ctx: Ctx, actor: ActorDep, year: YearQuery = None
) -> Response:
    year = year_or_now(year, ctx)
    return answer(await exports.table_file(ctx, actor, ViewKind.OPD, opd_code, year, table, format))


@router.get(
    "/city/tables/{table}.{format}",
    summary="A table of the city view as CSV or XLSX (the view's access)",
    description=_tables(ViewKind.CITY),
    response_class=Response,
    responses=TABLE_FILE,
)
async def city_table(
    table: TablePath, format: FormatPath, ctx: Ctx, actor: ActorDep, year: YearQuery = None
) -> Response:
    year = year_or_now(year, ctx)
    return answer(await exports.table_file(ctx, actor, ViewKind.CITY, None, year, table, format))


@router.get(
    "/opd/{opd_code}/charts/distribusi.svg",
    summary="An OPD's predikat distribution in one period against its curve, as SVG (the OPD view's access)",
    description="`period` defaults to the latest period with appraisals in `year` (or the period's own year).",
    response_class=Response,
    responses=SVG_FILE,
)
async def opd_distribution_chart(
    opd_code: OpdPath,
    ctx: Ctx,
    actor: ActorDep,
    year: YearQuery = None,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="2026-Q1 or 2026 (annual).")] = None,
) -> Response:
    year = year if year is not None else (int(period[:4]) if period else year_or_now(None, ctx))
    return answer(await exports.opd_distribution_chart(ctx, actor, opd_code, year, period))


@router.get(
    "/city/charts/tren.svg",
    summary="The city's predikat distribution per period across the year, stacked, as SVG (the city view's access)",
    response_class=Response,
    responses=SVG_FILE,
)
async def city_trend_chart(ctx: Ctx, actor: ActorDep, year: YearQuery = None) -> Response:
    return answer(await exports.city_trend_chart(ctx, actor, year_or_now(year, ctx)))


@router.get(
    "/city/charts/adopsi.svg",
    summary="The OPD ranked by adoption score, as SVG (the city view's access)",
    response_class=Response,
    responses=SVG_FILE,
)
async def city_adoption_chart(ctx: Ctx, actor: ActorDep, year: YearQuery = None) -> Response:
    return answer(await exports.city_adoption_chart(ctx, actor, year_or_now(year, ctx)))
