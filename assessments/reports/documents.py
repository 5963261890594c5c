"""The documents of an assessment: the alliance's report (PDF) and the city comparison (PDF, Excel).

Each document is drawn from one JSON-able dict of everything it shows (`assessment_data`,
`city_data`). The sha256 of that dict is the report's data_hash: a built file is reused until
something it shows changes. Documents are in the requester's language (the report's `language`, Chinese by
default): labels from the catalogue, names in their English form where one exists (kernel/names.py); the
language is part of the data, so each language's file is cached apart.
"""

import hashlib
import io
import json
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from assessments import frameworks
from assessments.models import Assessment, Cycle, Indicator, Report, Review
from assessments.scoring import mean
from kernel.downloads import PDF, XLSX
from kernel.errors import StateConflict
from kernel.names import display_name
from kernel.pdf import FONT_FAMILY, LANGUAGE, render_pdf
from kernel.xlsx import safe_row

# Bump when a template or the drawing changes, so files built from the old layout are not reused.
LAYOUT_VERSION = 3

EXTENSIONS = {Report.Kind.ASSESSMENT_PDF: "pdf", Report.Kind.CITY_PDF: "pdf", Report.Kind.CITY_XLSX: "xlsx"}
CONTENT_TYPES = {"pdf": PDF, "xlsx": XLSX}

# The heat map's colour scale (the same in the PDF and in Excel's conditional format): red, amber, green.
HEAT_LOW, HEAT_MID, HEAT_HIGH = "F8696B", "FFEB84", "63BE7B"


def digest(data: dict) -> str:
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def data_for(kind: str, *, assessment: Assessment | None = None, cycle: Cycle | None = None,
             language: str = LANGUAGE) -> dict:
    if kind == Report.Kind.ASSESSMENT_PDF:
        return assessment_data(assessment, language=language)
    return city_data(cycle, kind=kind, language=language)


def render(kind: str, data: dict) -> bytes:
    if kind == Report.Kind.ASSESSMENT_PDF:
        return assessment_pdf(data)
    if kind == Report.Kind.CITY_PDF:
        return city_pdf(data)
    return city_xlsx(data)


# Indicator shares ------------------------------------------------------------------

def _percent(fraction: Fraction) -> str:
    """An exact fraction as a percentage with one decimal, rounded half up."""
    value = Decimal(fraction.numerator * 100) / Decimal(fraction.denominator)
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def axes_of(indicators: list[Indicator], language: str = LANGUAGE) -> list[dict]:
    """The second-level indicators that carry weight (or a first-level one scored directly), with their leaves."""
    names = {indicator.code: display_name(indicator, language) for indicator in indicators}

    def leaf_codes(node):
        return [node["code"]] if not node["children"] else [
            code for child in node["children"] for code in leaf_codes(child)]

    return [
        {"code": node["code"], "name": names.get(node["code"], node["name"]), "leaves": leaf_codes(node)}
        for root in frameworks.nest(indicators)
        for node in root["children"] or [root]
        if not node["veto"]
    ]


def axis_shares(axes: list[dict], working: list[dict]) -> list[str | None]:
    """Per axis, the share of its weight achieved (percent): sum(w * mean / max) / sum(w) over its scored leaves."""
    leaves = {}
    for row in working:
        if row.get("veto") or not row.get("used"):
            continue
        achieved = mean([Decimal(score) for score in row["used"]]) / Fraction(Decimal(row["max_score"]))
        leaves[row["code"]] = (Fraction(Decimal(row["weight"])), achieved)
    shares = []
    for axis in axes:
        scored = [leaves[code] for code in axis["leaves"] if code in leaves]
        weight = sum(w for w, _share in scored)
        shares.append(_percent(sum(w * share for w, share in scored) / weight) if weight else None)
    return shares


# The alliance's assessment report ----------------------------------------------------

def ensure_decided(assessment: Assessment) -> None:
    if assessment.status != Assessment.Status.DECIDED:
        raise StateConflict(_("The assessment is not decided yet: its report is made once it is."))


def assessment_data(assessment: Assessment, *, language: str = LANGUAGE) -> dict:
    """Everything the alliance's report shows, in `language`. Refused while the assessment is not decided."""
    with translation.override(language):
        ensure_decided(assessment)
        cycle, framework = assessment.cycle, assessment.cycle.framework
        indicators = list(framework.indicators.order_by("position"))
        reviews = list(assessment.reviews.filter(status=Review.Status.SUBMITTED).order_by("id"))
        experts = {review.id: _("Expert %(number)d") % {"number": n} for n, review in enumerate(reviews, 1)}
        working = {row["code"]: row for row in assessment.working}
        names = {indicator.code: display_name(indicator, language) for indicator in indicators}
        axes = axes_of(indicators, language)
        shares = axis_shares(axes, assessment.working)
        parent_ids = {indicator.parent_id for indicator in indicators if indicator.parent_id}
        table = []
        for indicator in indicators:
            if indicator.id in parent_ids:
                table.append({"group": True, "code": indicator.code, "name": names[indicator.code],
                              "weight": str(indicator.weight), "veto": indicator.veto})
                continue
            row = working.get(indicator.code, {})
            table.append({
                "group": False, "code": indicator.code, "name": names[indicator.code], "veto": indicator.veto,
                "weight": str(indicator.weight), "max_score": str(indicator.max_score),
                "scores": row.get("scores", []), "used": row.get("used", []), "mean": row.get("mean", ""),
                "contribution": row.get("contribution", ""), "failed": row.get("failed", False),
                "failed_by": row.get("failed_by", 0),
            })
        comments = []
        for indicator in indicators:
            said = [{"expert": experts[review.id], "text": text}
                    for review in reviews if (text := str(review.comments.get(indicator.code, "")).strip())]
            if said:
                comments.append({"code": indicator.code, "name": names[indicator.code], "comments": said})
        return {
            "layout": LAYOUT_VERSION, "language": language, "kind": Report.Kind.ASSESSMENT_PDF,
            "alliance": display_name(assessment.alliance, language), "alliance_en": assessment.alliance.name_en,
            "city": display_name(cycle.city, language), "cycle": cycle.title,
            "framework": display_name(framework, language), "framework_version": framework.version,
            "thresholds": {"excellent": str(cycle.excellent_from), "qualified": str(cycle.qualified_from),
                           "rectify": str(cycle.rectify_from)},
            "final_score": str(assessment.final_score), "grade": assessment.grade,
            "grade_label": str(Assessment.Grade(assessment.grade).label) if assessment.grade else "",
            "veto_failed": bool(assessment.veto_failed),
            "failed_veto": [{"code": code, "name": names.get(code, code)}
                            for code, row in working.items() if row.get("veto") and row.get("failed")],
            "decided_on": _date(timezone.localdate(assessment.decided_at)) if assessment.decided_at else "",
            "decision_note": assessment.decision_note, "rectify_by": _date(assessment.rectify_by),
            "rectification_items": [
                {"text": item.text, "due_on": _date(item.due_on), "done": item.done_at is not None,
                 "done_note": item.done_note}
                for item in assessment.rectification_items.order_by("due_on", "id")
            ],
            "experts": len(reviews),
            "axes": [{"code": axis["code"], "name": axis["name"], "share": share}
                     for axis, share in zip(axes, shares, strict=True)],
            "table": table,
            "comments": comments,
            "overall_comments": [{"expert": experts[review.id], "text": review.comment.strip()}
                                 for review in reviews if review.comment.strip()],
        }


def _date(date) -> str:
    """A date as the active language writes it (2026年12月1日, Dec. 1, 2026)."""
    return formats.date_format(date, "DATE_FORMAT") if date else ""


def radar_svg(axes: list[dict], size: int = 420) -> str:
    """The axes' achieved shares (percent) as a radar chart: an inline SVG drawn point by point."""
    if len(axes) < 3:
        return ""
    centre, radius = size / 2, size / 2 - 80
    count = len(axes)

    def point(index, fraction):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return centre + radius * fraction * math.cos(angle), centre + radius * fraction * math.sin(angle)

    def points(fractions):
        return " ".join("{:.1f},{:.1f}".format(*point(i, f)) for i, f in enumerate(fractions))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
             f'viewBox="0 0 {size} {size}" font-family="{FONT_FAMILY}" font-size="9">']
    for ring in (0.2, 0.4, 0.6, 0.8, 1.0):
        parts.append(f'<polygon points="{points([ring] * count)}" fill="none" stroke="#cfd6de" stroke-width="0.6"/>')
    for index in range(count):
        x, y = point(index, 1)
        parts.append(f'<line x1="{centre:.1f}" y1="{centre:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
                     'stroke="#cfd6de" stroke-width="0.6"/>')
    fractions = [min(max(float(axis["share"] or 0) / 100, 0), 1) for axis in axes]
    parts.append(f'<polygon points="{points(fractions)}" fill="#1f6fb2" fill-opacity="0.25" '
                 'stroke="#1f6fb2" stroke-width="1.5"/>')
    for index, axis in enumerate(axes):
        x, y = point(index, 1.12)
        cosine = math.cos(-math.pi / 2 + 2 * math.pi * index / count)
        anchor = "middle" if abs(cosine) < 0.3 else ("start" if cosine > 0 else "end")
        label = escape(f'{axis["code"]} {axis["name"][:10]}')
        share = f'{axis["share"]}%' if axis["share"] is not None else "—"
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{label}</text>')
        parts.append(f'<text x="{x:.1f}" y="{y + 11:.1f}" text-anchor="{anchor}" fill="#55606b">{share}</text>')
    parts.append("</svg>")
    return "".join(parts)


def assessment_pdf(data: dict) -> bytes:
    return render_pdf("assessments/reports/assessment.html", {"data": data, "radar": radar_svg(data["axes"])},
                      language=data["language"])


# The city comparison -------------------------------------------------------------------

def city_data(cycle: Cycle, *, kind: str = Report.Kind.CITY_PDF, language: str = LANGUAGE) -> dict:
    """Everything the city comparison shows, in `language`: ranking, grade distribution, heat map. Needs one
    decided result."""
    with translation.override(language):
        assessments = list(cycle.assessments.select_related("alliance").order_by("alliance__name", "id"))
        decided = [a for a in assessments if a.status == Assessment.Status.DECIDED]
        if not decided:
            raise StateConflict(_("No assessment of this cycle is decided yet."))
        axes = axes_of(list(cycle.framework.indicators.order_by("position")), language)
        # By final score; a failed veto fails the assessment whatever its score, so those rank last.
        decided.sort(key=lambda a: (bool(a.veto_failed), -a.final_score, a.alliance.name))
        ranking, rank = [], 0
        for position, assessment in enumerate(decided, 1):
            previous = decided[position - 2] if position > 1 else None
            if previous is None or (previous.veto_failed, previous.final_score) != (assessment.veto_failed,
                                                                                      assessment.final_score):
                rank = position
            ranking.append({
                "rank": rank, "alliance": display_name(assessment.alliance, language),
                "final_score": str(assessment.final_score),
                "grade": assessment.grade, "grade_label": str(Assessment.Grade(assessment.grade).label),
                "veto_failed": bool(assessment.veto_failed), "shares": axis_shares(axes, assessment.working),
            })
        counts = defaultdict(int)
        for assessment in decided:
            counts[assessment.grade] += 1
        return {
            "layout": LAYOUT_VERSION, "language": language, "kind": kind,
            "city": display_name(cycle.city, language), "cycle": cycle.title,
            "framework": display_name(cycle.framework, language), "framework_version": cycle.framework.version,
            "ranking": ranking,
            "distribution": [
                {"grade": grade.value, "label": str(grade.label), "count": counts[grade.value],
                 "percent": _percent(Fraction(counts[grade.value], len(decided)))}
                for grade in Assessment.Grade
            ],
            "undecided": [display_name(a.alliance, language) for a in assessments
                          if a.status != Assessment.Status.DECIDED],
            "axes": [{"code": axis["code"], "name": axis["name"]} for axis in axes],
        }


def heat_colour(share: str | None) -> str:
    """The heat map's cell colour for a share (percent): red at 0, amber at 50, green at 100."""
    if share is None:
        return "#ffffff"
    value = min(max(float(share), 0.0), 100.0)
    low, high, fraction = (HEAT_LOW, HEAT_MID, value / 50) if value <= 50 else (HEAT_MID, HEAT_HIGH, value / 50 - 1)
    channels = [
        round(int(low[i:i + 2], 16) + (int(high[i:i + 2], 16) - int(low[i:i + 2], 16)) * fraction)
        for i in (0, 2, 4)
    ]
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def city_pdf(data: dict) -> bytes:
    # The heat map's cells name their colour by a class (one rule per colour in the document's style sheet):
    # a style attribute on each of 150 × 16 cells made WeasyPrint compute every cell's style apart.
    classes = {}
    rows = [{**row, "cells": [{"share": share, "class": classes.setdefault(heat_colour(share), f"h{len(classes)}")}
                              for share in row["shares"]]}
            for row in data["ranking"]]
    return render_pdf("assessments/reports/city.html",
                      {"data": data, "rows": rows, "heat_classes": [(name, colour) for colour, name in classes.items()]},
                      language=data["language"])


def city_xlsx(data: dict) -> bytes:
    bold = Font(bold=True)
    with translation.override(data["language"]):
        workbook = Workbook()
        ranking = workbook.active
        ranking.title = _("Ranking")
        ranking.append(safe_row([_("Rank"), _("Alliance"), _("Final score"), _("Grade"), _("Veto")]))
        for row in data["ranking"]:
            ranking.append(safe_row([row["rank"], row["alliance"], Decimal(row["final_score"]), row["grade_label"],
                                     _("Not passed") if row["veto_failed"] else _("Passed")]))
        for column, width in zip("ABCDE", (8, 40, 12, 18, 10), strict=True):
            ranking.column_dimensions[column].width = width

        distribution = workbook.create_sheet(_("Grade distribution"))
        distribution.append(safe_row([_("Grade"), _("Alliances"), _("Share (%)")]))
        for row in data["distribution"]:
            distribution.append(safe_row([row["label"], row["count"], Decimal(row["percent"])]))
        distribution.column_dimensions["A"].width = 22

        heat = workbook.create_sheet(_("Heat map"))
        heat.append(safe_row([_("Alliance")] + [f'{axis["code"]} {axis["name"]}' for axis in data["axes"]]))
        for row in data["ranking"]:
            heat.append(safe_row([row["alliance"]]
                                 + [Decimal(share) if share is not None else None for share in row["shares"]]))
        heat.column_dimensions["A"].width = 40
        for index in range(2, len(data["axes"]) + 2):
            heat.column_dimensions[get_column_letter(index)].width = 12
            heat.cell(row=1, column=index).alignment = Alignment(wrap_text=True, vertical="top")
        if data["ranking"] and data["axes"]:
            cells = f"B2:{get_column_letter(len(data['axes']) + 1)}{len(data['ranking']) + 1}"
            heat.conditional_formatting.add(cells, ColorScaleRule(
                start_type="num", start_value=0, start_color=HEAT_LOW,
                mid_type="num", mid_value=50, mid_color=HEAT_MID,
                end_type="num", end_value=100, end_color=HEAT_HIGH,
            ))
            for line in heat.iter_rows(min_row=2, min_col=2):
                for cell in line:
                    cell.number_format = "0.0"

        for sheet in (ranking, distribution, heat):
            sheet.freeze_panes = "B2"
            for cell in sheet[1]:
                cell.font = bold
        output = io.BytesIO()
        workbook.save(output)
    return output.getvalue()
