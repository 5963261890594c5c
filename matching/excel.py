"""The city's industry figures from an Excel sheet shaped like a statistical yearbook table: one row per sector
and year, columns found by their headers (Chinese or English) in the first rows —

    年份 | 行业代码 | 行业 | 增加值（亿元） | 从业人员（万人）

The sector is named by its code (a GB/T section letter, or a chain sector's code) or by its name; value added in
yuan, 万元 or 亿元 and jobs in persons or 万人, as the header says. Every row is checked before any is kept: a
file with one bad row saves nothing and answers a report of (row, column, reason) for each problem.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook

from kernel.downloads import XLSX, attachment
from kernel.errors import DomainError
from kernel.xlsx import read_first_sheet, safe_row
from matching.models import MAX_VALUE_ADDED, MAX_YEAR, MIN_YEAR, Sector
from matching.services import figures_import

MAX_ROWS = 2000
MAX_COLUMNS = 20
HEADER_ROWS = 5
COLUMNS = {
    "year": ("年份", "年度", "year"),
    "code": ("行业代码", "代码", "code"),
    "sector": ("行业", "产业链", "sector", "industry"),
    "value_added": ("增加值", "value added"),
    "jobs": ("从业人员", "就业人数", "就业", "jobs", "employment"),
}
UNITS = [("亿元", Decimal("100000000")), ("万元", Decimal("10000")), ("100 million", Decimal("100000000")),
         ("10,000 yuan", Decimal("10000")), ("万人", Decimal("10000")), ("10,000", Decimal("10000"))]


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Report:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    def as_dict(self) -> dict:
        return {"ok": not self.errors, "created": self.created, "updated": self.updated,
                "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors]}


def _header(rows) -> tuple[int, dict, dict]:
    """(index of the header row, {column key: position}, {column key: multiplier from the header's unit})."""
    for index, values in enumerate(rows[:HEADER_ROWS]):
        texts = [str(value or "").strip().lower() for value in values]
        positions, multipliers = {}, {}
        for position, text in enumerate(texts):
            for key, names in COLUMNS.items():
                if key not in positions and any(name in text for name in names):
                    if key == "sector" and "代码" in text:
                        continue
                    positions[key] = position
                    multipliers[key] = next((m for unit, m in UNITS if unit in text), Decimal(1))
                    break
        if {"year", "value_added", "jobs"} <= set(positions) and ({"code", "sector"} & set(positions)):
            return index, positions, multipliers
    raise DomainError(_("No header row found: the sheet needs the columns 年份 (year), 行业代码 or 行业 (sector), "
                        "增加值 (value added) and 从业人员 (jobs)."), field="file")


def _number(value, multiplier: Decimal) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return Decimal(str(value).replace(",", "").strip()) * multiplier
    except InvalidOperation:
        return None


def import_figures(*, city, upload, actor) -> dict:
    rows = read_first_sheet(upload, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
    report = Report()
    try:
        start, positions, multipliers = _header(rows)
    except DomainError as exc:
        report.errors.append(RowError(1, "", exc.message))
        return report.as_dict()
    sectors = list(Sector.objects.filter(city=city)) + list(Sector.objects.filter(city__isnull=True))
    by_code = {sector.code.upper(): sector for sector in sectors}
    by_name = {name: sector for sector in sectors for name in (sector.name, sector.name.removesuffix("产业链"),
                                                               f"{sector.name.removesuffix('产业链')}产业链")}
    labels = {"year": _("Year"), "sector": pgettext_lazy("industry", "Sector"), "value_added": _("Value added"), "jobs": _("Jobs")}
    parsed, seen = [], {}

    def cell(values, key):
        position = positions.get(key)
        return values[position] if position is not None and position < len(values) else None

    for offset, values in enumerate(rows[start + 1:], start=start + 2):
        if not any(value not in (None, "") for value in values):
            continue
        problems = []
        year = cell(values, "year")
        try:
            year = int(str(year).strip().removesuffix("年"))
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(("year", _("A year from %(min)d to %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}))
        code, name = str(cell(values, "code") or "").strip().upper(), str(cell(values, "sector") or "").strip()
        sector = by_code.get(code) or by_name.get(name)
        if sector is None:
            problems.append(("sector", _("No GB/T section and no chain of the city has this code or name.")))
        value_added = _number(cell(values, "value_added"), multipliers["value_added"])
        if value_added is None or not 0 <= value_added <= MAX_VALUE_ADDED:
            problems.append(("value_added", _("A number of at least 0.")))
        jobs = _number(cell(values, "jobs"), multipliers["jobs"])
        if jobs is None or jobs < 0 or jobs != jobs.to_integral_value() or jobs > 100_000_000:
            problems.append(("jobs", _("A whole number of at least 0.")))
        if not problems:
            key = (year, sector.pk)
            if key in seen:
                problems.append(("sector", _("The same sector and year as row %(row)d.") % {"row": seen[key]}))
            seen[key] = offset
        if problems:
            report.errors += [RowError(offset, str(labels[key]), str(message)) for key, message in problems]
        else:
            parsed.append({"year": year, "sector": sector, "value_added": value_added.quantize(Decimal("0.01")),
                           "jobs": int(jobs)})
    if not parsed and not report.errors:
        report.errors.append(RowError(start + 2, "", _("The sheet has no rows of figures.")))
    if report.errors:
        return report.as_dict()
    try:
        with transaction.atomic():
            counts = figures_import(city=city, rows=parsed, actor=actor)
    except DomainError as exc:
        report.errors.append(RowError(0, exc.field or "", exc.message))
        return report.as_dict()
    report.created, report.updated = counts["created"], counts["updated"]
    return report.as_dict()


def template_response(city) -> HttpResponse:
    """An empty yearbook-shaped sheet with the city's sectors, to fill in."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "industry"
    sheet.append(safe_row(["年份", "行业代码", "行业", "增加值（亿元）", "从业人员（万人）"]))
    for sector in list(Sector.objects.filter(city=city).order_by("code")) + list(
            Sector.objects.filter(city__isnull=True).order_by("code")):
        sheet.append(safe_row(["", sector.code, sector.name, "", ""]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return attachment(buffer.getvalue(), XLSX, "industry-figures.xlsx")
