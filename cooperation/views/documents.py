"""The lists as files: each list exported and imported as Excel by the secretariat (the city's officials may
export too), and the three lists of a year as one workbook and one PDF in Chinese."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.selectors import alliance_get_for_user
from cooperation import documents, excel
from cooperation.forms import ImportForm, YearForm
from cooperation.kinds import kind_named
from cooperation.permissions import can_curate, can_read_all
from cooperation.views.common import refused
from kernel.downloads import PDF, XLSX, attachment
from kernel.errors import DomainError


@login_required
def list_export(request, alliance_id, kind):
    kind = kind_named(kind)
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_read_all(request.user, alliance):
        return refused(request, _("Only the alliance's secretariat and the city's officials export its lists."))
    rows = (kind.model.objects.filter(alliance=alliance).select_related("organization", "chain")
            .order_by("organization__name", "id"))
    return attachment(excel.export_list(kind.model, rows), XLSX,
                       f"{kind.slug}-{alliance.pk}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def list_import(request, alliance_id, kind):
    kind = kind_named(kind)
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_curate(request.user, alliance):
        return refused(request, _("Only the alliance's secretariat curates its lists."))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = excel.import_list(model=kind.model, alliance=alliance, uploaded=form.cleaned_data["file"],
                                       actor=request.user, publish=form.cleaned_data["publish"])
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            if result.ok:
                messages.success(request, _("%(created)d entries were added and %(updated)d changed.")
                                 % {"created": result.created, "updated": result.updated})
                return redirect(f"{reverse('cooperation:list', args=[kind.slug])}?alliance={alliance.pk}")
    status = 400 if request.method == "POST" and (form.errors or (result and not result.ok)) else 200
    return render(request, "cooperation/import.html",
                  {"alliance": alliance, "kind": kind, "form": form, "result": result,
                   "columns": [str(label) for key, label in excel.COLUMNS[kind.model]
                               if key not in excel.NOT_IMPORTED]}, status=status)


def _annual(request, alliance_id):
    alliance = alliance_get_for_user(request.user, alliance_id)
    form = YearForm(request.GET or None)
    year = (form.cleaned_data["year"] if form.is_valid() else None) or timezone.localdate().year
    return alliance, year


@login_required
def annual_workbook(request, alliance_id):
    alliance, year = _annual(request, alliance_id)
    if not can_read_all(request.user, alliance):
        return refused(request, _("Only the alliance's secretariat and the city's officials download its lists."))
    data = documents.annual_lists(alliance, year)
    return attachment(excel.annual_workbook(data), XLSX, f"{documents.file_stem(alliance, year)}.xlsx")


@login_required
def annual_pdf(request, alliance_id):
    alliance, year = _annual(request, alliance_id)
    if not can_read_all(request.user, alliance):
        return refused(request, _("Only the alliance's secretariat and the city's officials download its lists."))
    data = documents.annual_lists(alliance, year)
    return attachment(documents.annual_pdf(data), PDF, f"{documents.file_stem(alliance, year)}.pdf",
                       inline=True)
