"""The year's construction self-assessment report (年度建设自评报告) of an alliance: its data, drawn from the records
of the year (members, governance, cooperation, training, outcomes, matching, the work plan's execution), with
the narratives the secretariat writes per section, and its PDF in Chinese with bar charts drawn as inline SVG.

`report_data` gives one JSON-able dict of everything the document shows; a submitted report keeps that dict
(AnnualReport.data) and the PDF built from it, so what was submitted does not move when records change later.
"""

import datetime
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.annual.plans import execution_of, plan_due, report_due
from assessments.metrics import Unit, compute_figures, metric
from assessments.metrics.registry import present
from assessments.models import AnnualPlan
from cooperation.models import Outcome, Project
from cooperation.selectors import participation, project_figures
from kernel.downloads import safe_filename
from kernel.names import display_name
from kernel.pdf import FONT_FAMILY, LANGUAGE, render_pdf
from members.models import Organization
from members.selectors import active_member_counts_by_type

# The sections of the report, each with the metrics of the registry it shows (in this order) and a narrative.
SECTIONS = [
    ("overview", gettext_lazy("Overview of the year"), []),
    ("members", gettext_lazy("Members"), ["members_total", "member_types", "enterprise_share"]),
    ("governance", gettext_lazy("Governance"), ["council_established", "meetings_held", "quorum_rate",
                                                "resolutions_adopted", "tasks_on_time", "plan_documents"]),
    ("cooperation", gettext_lazy("Cooperation"), [
        "projects_started", "supply_demand_events_held", "technology_needs_posted", "technology_needs_matched",
        "responses_accepted", "responses_accepted_at_events", "talent_needs_posted", "talent_headcount",
        "talent_filled", "talent_fill_rate"]),
    ("training", gettext_lazy("Training and talent"), [
        "students_enrolled", "trainees", "graduates_placed_local", "interns", "teachers_in_enterprise",
        "engineers_teaching"]),
    ("outcomes", gettext_lazy("Research and technical services"), [
        "patents", "standards", "contract_value", "problems_solved"]),
    ("matching", gettext_lazy("Matching of majors and industry"), ["mean_abs_deviation", "similarity",
                                                                    "coupling_d"]),
    ("plan", gettext_lazy("The year's work plan"), []),
    ("problems", gettext_lazy("Problems and shortcomings"), []),
    ("next_year", gettext_lazy("Plans for the next year"), []),
]
SECTION_CODES = [code for code, _label, _keys in SECTIONS]
NARRATIVE_MAX = 20_000
# Bump when the template or the drawing changes.
LAYOUT_VERSION = 1


def _number(value) -> str:
    if value is None:
        return "—"
    return formats.number_format(Decimal(value), decimal_pos=None, use_l10n=True, force_grouping=True)


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _figure_row(key: str, figure) -> dict:
    one = metric(key)
    value = figure.value if figure is not None else None
    return {"key": key, "label": str(one.label), "unit": str(Unit(one.unit).label), "value": present(value),
            "shown": _number(value) + ("%" if one.unit == Unit.PERCENT and value is not None else "")}


def report_data(alliance, year: int, narratives: dict | None = None, *, today: datetime.date | None = None,
                language: str = LANGUAGE) -> dict:
    """Everything the year's report of the alliance shows, as JSON-able values in `language` (Chinese, the
    language of the submission and of the PDF; a page shows a draft in its reader's). A fixed number of queries
    whatever the alliance's size (the registry's batch, the members by type, the projects and the plan)."""
    today = today or timezone.localdate()
    start, end = datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), max(today, datetime.date(year, 1, 1)))
    narratives = narratives or {}
    with translation.override(language):
        keys = [key for _code, _label, section_keys in SECTIONS for key in section_keys if metric(key)]
        figures = compute_figures([alliance.pk], start, end, keys=keys)[alliance.pk]
        by_type = active_member_counts_by_type(alliance)
        projects = project_figures(alliance, start, end)
        taking_part = participation(alliance, year)
        plan = AnnualPlan.objects.filter(alliance=alliance, year=year).first()
        execution = execution_of(plan, today) if plan is not None else None
        charts = {
            "members": [(str(label), by_type.get(value, 0)) for value, label in Organization.Type.choices
                        if by_type.get(value)],
            "cooperation": [(str(label), projects["projects_by_kind"].get(value, 0))
                            for value, label in Project.Kind.choices],
            "outcomes": [(str(label), projects.get(value, 0)) for value, label in Outcome.Metric.choices
                         if value not in ("contract_value",)],
        }
        sections = []
        for code, label, section_keys in SECTIONS:
            sections.append({
                "code": code, "title": str(label),
                "rows": [_figure_row(key, figures.get(key)) for key in section_keys if metric(key)],
                "narrative": str(narratives.get(code, "")),
            })
        data = {
            "layout": LAYOUT_VERSION, "language": language,
            "alliance": display_name(alliance, language), "alliance_id": alliance.pk, "year": year,
            "city": display_name(alliance.city, language) if alliance.city_id else "",
            "period": {"start": _date(start), "end": _date(end)},
            "report_due": _date(report_due(year)), "plan_due": _date(plan_due(year)),
            "sections": sections, "charts": charts,
            "participation": {
                "members": taking_part["members"], "active": taking_part["active"],
                "active_share": present(taking_part["active_share"]),
                "projects": taking_part["projects"], "projects_by_lead_units": taking_part["projects_by_lead_units"],
                "lead_unit_project_share": present(taking_part["lead_unit_project_share"]),
                "funds": _number(taking_part["funds"]),
                "lead_unit_funds_share": present(taking_part["lead_unit_funds_share"]),
            },
            "plan": _plan_data(plan, execution),
        }
    return data


def _plan_data(plan, execution) -> dict:
    if plan is None:
        return {"exists": False, "submitted": False, "rate": None, "items": []}
    return {
        "exists": True, "submitted": plan.status == AnnualPlan.Status.SUBMITTED,
        "submitted_on": _date(timezone.localdate(plan.submitted_at)) if plan.submitted_at else "",
        "late": bool(plan.submitted_at and timezone.localdate(plan.submitted_at) > plan_due(plan.year)),
        "summary": plan.summary, "rate": present(execution.rate), "until": _date(execution.until),
        "items": [{"kind": item["kind"], "label": str(item["label"]), "unit": str(item["unit"]),
                   "target": _number(item["target"]), "achieved": _number(item["achieved"]),
                   "weight": present(item["weight"]), "percent": present(item["percent"])}
                  for item in execution.items],
    }


def bar_svg(rows: list, *, width: int = 640, bar_colour: str = "#1f6fb2") -> str:
    """Labelled horizontal bars as an inline SVG (text stays text in the PDF): rows of (label, value)."""
    rows = [(label, value) for label, value in rows]
    if not rows or not any(value for _label, value in rows):
        return ""
    label_width, value_width, row_height = 190, 70, 20
    bar_space = width - label_width - value_width
    top = max(value for _label, value in rows) or 1
    height = row_height * len(rows) + 6
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="{FONT_FAMILY}" font-size="10">']
    for index, (label, value) in enumerate(rows):
        y = index * row_height + 3
        length = bar_space * float(value) / float(top)
        parts.append(f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row_height - 7}" '
                     f'fill="{bar_colour}"/>')
        parts.append(f'<text x="{label_width + length + 4:.1f}" y="{y + 13}">{escape(_number(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def shown(alliance, year: int, report, *, language: str = LANGUAGE) -> dict:
    """What the year's report shows now: the data frozen when it was submitted, else drawn from the records (with
    the draft's narratives, if any) in `language`."""
    if report is not None and report.status == report.Status.SUBMITTED:
        return report.data
    return report_data(alliance, year, report.narratives if report is not None else {}, language=language)


def pdf_of(alliance, year: int, report) -> tuple[bytes, str]:
    """The report's PDF and its file name: the file kept when it was submitted, else drawn from the records now."""
    if report is not None and report.status == report.Status.SUBMITTED and report.file:
        with report.file.open("rb") as handle:
            return handle.read(), file_name(report.data)
    data = shown(alliance, year, report)
    return render(data), file_name(data)


def render(data: dict) -> bytes:
    """The report as a PDF (in Chinese)."""
    charts = {code: bar_svg(rows) for code, rows in data["charts"].items()}
    return render_pdf("assessments/annual/report_pdf.html", {"data": data, "charts": charts},
                      language=data["language"])


def file_name(data: dict) -> str:
    with translation.override(data["language"]):
        return safe_filename(f"{data['alliance']}-{data['year']}-{_('annual report')}.pdf")
