"""The matching as an Excel workbook and a PDF, in the requester's language: the sectors' shares and deviation,
the coupling (per year, or per alliance) and the working — the same dict the pages render."""

import io

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from kernel.pdf import render_pdf
from kernel.xlsx import safe_row

COUPLING = ["u1", "u2", "c", "t", "d"]


def _sheet(workbook, title, header, rows, *, first=False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title[:31]
    sheet.append(safe_row(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))
    return sheet


def _grade(coupling) -> str:
    return f"{coupling['grade']} ({coupling['grade_code']})" if coupling else ""


def workbook(result: dict, title: str, language: str) -> bytes:
    with translation.override(language):
        book = Workbook()
        sheet = _sheet(book, pgettext("industry", "Sectors"), [pgettext("industry", "Sector"), _("Supply share"), _("Industry share"),
                                            _("Deviation D"), _("Note")],
                       [[row["name"], row["supply_share"], row["industry_share"], row["deviation"],
                         row["reason"]["message"] if row["reason"] else ""] for row in result["sectors"]],
                       first=True)
        sheet.insert_rows(1)
        sheet["A1"] = title
        sheet.append([])
        sheet.append(safe_row([_("Mean |D|"), result["mean_abs_deviation"]]))
        sheet.append(safe_row([_("Similarity S"), result["similarity"]]))
        if "coupling_trend" in result:
            _sheet(book, _("Coupling"), [_("Year"), "U1", "U2", "C", "T", "D", pgettext("coupling", "Grade")],
                   [[row["year"], *[row[key] for key in COUPLING], _grade(row)] for row in result["coupling_trend"]])
        else:
            _sheet(book, _("Coupling"), [_("Alliance"), _("Mean |D|"), _("Similarity S"), "U1", "U2", "C", "T", "D",
                                         pgettext("coupling", "Grade")],
                   [[row["name"], row["mean_abs_deviation"], row["similarity"],
                     *[(row["coupling"] or {}).get(key) for key in COUPLING], _grade(row["coupling"])]
                    for row in result["alliances"]])
        working = result["working"]
        for key, name in (("education", _("Education subsystem (U1)")), ("industry", _("Industry subsystem (U2)"))):
            part = working.get(key)
            if not part:
                continue
            labels = [item["label"] for item in part["indicators"]]
            sheet = _sheet(book, name, [_("Compared object"), *labels, "U"],
                           [[obj, *values, index] for obj, values, index in
                            zip(working["objects"], part["normalised"], part["index"], strict=True)])
            sheet.append([])
            sheet.append(safe_row([_("Entropy e"), *[item["entropy"] for item in part["indicators"]]]))
            sheet.append(safe_row([_("Weight w"), *[item["weight"] for item in part["indicators"]]]))
        buffer = io.BytesIO()
        book.save(buffer)
    return buffer.getvalue()


def pdf(result: dict, title: str, language: str) -> bytes:
    return render_pdf("matching/matching_pdf.html", {"result": result, "title": title}, language=language)
