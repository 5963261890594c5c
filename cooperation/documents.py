"""The three lists of an alliance for a year, as sent to the education bureau: one workbook (excel.py) and
one PDF, both in Chinese. They hold what the secretariat has published and not closed, in three queries
whatever the number of entries."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cooperation.catalogue import category_name
from cooperation.models import CoreProduct, TalentNeed, TechnologyNeed
from kernel.downloads import safe_filename
from kernel.pdf import LANGUAGE, render_pdf


def _published(model, alliance, year):
    return (model.objects.filter(alliance=alliance, year=year, published_at__isnull=False, merged_into__isnull=True)
            .exclude(status=model.CLOSED).select_related("organization", "chain").order_by("organization__name", "id"))


def annual_lists(alliance, year: int) -> dict:
    with translation.override(LANGUAGE):
        return {
            "alliance": alliance,
            "year": year,
            "products": list(_published(CoreProduct, alliance, year)),
            "technology_needs": list(_published(TechnologyNeed, alliance, year)),
            "talent_needs": list(_published(TalentNeed, alliance, year)),
            "sheet_titles": {"products": _("Core products list"), "technology_needs": _("Technology needs list"),
                             "talent_needs": _("Talent needs list")},
            "made_on": timezone.localdate(),
        }


def annual_pdf(data: dict) -> bytes:
    with translation.override(LANGUAGE):
        for need in data["talent_needs"]:
            need.category_label = f"{need.major_category} {category_name(need.major_category)}"
        headcount = sum(need.headcount for need in data["talent_needs"])
    return render_pdf("cooperation/lists_pdf.html", {"data": data, "headcount": headcount})


def file_stem(alliance, year: int) -> str:
    with translation.override(LANGUAGE):
        stem = f"{alliance.name}-{year}-{_('three lists')}"
    return safe_filename(stem)
