"""Exports and charts (issue 12, point 3): each one is built from its view's own use case
(``services.views``), so it has exactly the view's access check and figures; nothing here queries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reporting.domain import charts, exports
from reporting.domain.access import Actor
from reporting.domain.exports import ViewKind
from reporting.services import views
from reporting.services.context import Reporting
from shared.errors import NotFoundError
from shared.i18n import Text
from shared.mongo import MongoDocument


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SVG = "image/svg+xml"


@dataclass(frozen=True)
class File:
    content: bytes
    media_type: str
    filename: str


async def view_of(ctx: Reporting, actor: Actor, kind: ViewKind, key: str | None, year: int) -> MongoDocument:
    """The view itself, with its access check (403/404 exactly as the JSON view answers)."""
    if kind is ViewKind.EMPLOYEE:
        return await views.employee_view(ctx, actor, str(key), year)
    if kind is ViewKind.TEAM:
        return await views.team_view(ctx, actor, str(key), year)
    if kind is ViewKind.OPD:
        return await views.opd_view(ctx, actor, str(key), year)
    return await views.city_view(ctx, actor, year)


async def table_file(
    ctx: Reporting, actor: Actor, kind: ViewKind, key: str | None, year: int, name: str, fmt: ExportFormat
) -> File:
    if not exports.known(kind, name):
        tables = ", ".join(exports.TABLES[kind])
        raise NotFoundError(
            Text(f"Tabel '{name}' tidak ada (tabel: {tables})", f"There is no table '{name}' (tables: {tables})"),
            code="table_not_found",
        )
    table = exports.build(kind, name, await view_of(ctx, actor, kind, key, year))
    content = exports.to_csv(table) if fmt is ExportFormat.CSV else exports.to_xlsx(table)
    return File(content, MEDIA_TYPES[fmt], exports.filename(kind, key, year, name, fmt.value))


async def opd_distribution_chart(ctx: Reporting, actor: Actor, opd_code: str, year: int, period: str | None) -> File:
    view = await view_of(ctx, actor, ViewKind.OPD, opd_code, year)
    svg = charts.distribution(opd_code, year, view, period)
    name = exports.filename(ViewKind.OPD, opd_code, year, f"distribusi-{period}" if period else "distribusi", "svg")
    return File(svg.encode("utf-8"), SVG, name)


async def city_trend_chart(ctx: Reporting, actor: Actor, year: int) -> File:
    view = await view_of(ctx, actor, ViewKind.CITY, None, year)
    return File(
        charts.trend(year, view).encode("utf-8"), SVG, exports.filename(ViewKind.CITY, None, year, "tren", "svg")
    )


async def city_adoption_chart(ctx: Reporting, actor: Actor, year: int) -> File:
    view = await view_of(ctx, actor, ViewKind.CITY, None, year)
    name = exports.filename(ViewKind.CITY, None, year, "adopsi", "svg")
    return File(charts.adoption(year, view).encode("utf-8"), SVG, name)
