"""The matching pages: an alliance's (its secretariat, council and the city's officials), the city's comparison
and the city's industry figures (its officials). Each reads what `matching.compute` answers, in a fixed number
of queries."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alliance.models import City
from alliance.selectors import alliance_get_for_user
from cooperation.catalogue import CATEGORY_NAMES, category_name
from kernel.downloads import PDF, XLSX, attachment
from kernel.errors import DomainError
from kernel.names import display_name
from kernel.pages import show_error
from kernel.pdf import document_language
from kernel.selectors import get_or_404
from matching import documents, excel, selectors, services
from matching.compute import Mapping, alliance_matching, city_matching
from matching.forms import FigureForm, FigureImportForm, MappingForm, MatchingQueryForm
from matching.models import IndustryFigure, Scheme, Sector
from matching.permissions import (
    can_manage_city,
    can_read_alliance_matching,
    can_read_city_comparison,
)


def _query(request):
    form = MatchingQueryForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    return form, (form.query() if request.GET else {"year": None, "basis": "graduates", "weight": "value_added"})


def _working_parts(result) -> list:
    """Each subsystem's working as (title, {"indicators", "rows": [(object, normalised values, U)]})."""
    if not result or not result["working"]["education"]:
        return []
    working = result["working"]
    parts = []
    for title, key in ((_("Education subsystem (U1)"), "education"), (_("Industry subsystem (U2)"), "industry")):
        subsystem = working[key]
        rows = list(zip(working["objects"], subsystem["normalised"], subsystem["index"], strict=True))
        parts.append((title, {"indicators": subsystem["indicators"], "rows": rows}))
    return parts


def _chart(result) -> dict:
    return {"labels": [row["name"] for row in result["sectors"]],
            "supply": [row["supply_share"] for row in result["sectors"]],
            "industry": [row["industry_share"] for row in result["sectors"]],
            "supply_label": _("Supply share"), "industry_label": _("Industry share")}


@login_required
def alliance_page(request, pk):
    alliance = alliance_get_for_user(request.user, pk)
    if not can_read_alliance_matching(request.user, alliance):
        raise PermissionDenied(_("Only the alliance's secretariat, its council and the city's officials read its "
                                 "matching."))
    form, query = _query(request)
    result = alliance_matching(alliance, **query, language=get_language()) if query else None
    status = 200 if query else 400
    chart = None
    if result:
        chart = _chart(result)
        chart["trend"] = {"labels": [row["year"] for row in result["coupling_trend"]],
                          "d": [row["d"] for row in result["coupling_trend"]], "label": _("Coupling coordination D")}
    return render(request, "matching/alliance.html", {
        "alliance": alliance, "form": form, "result": result, "chart": chart, "working_parts": _working_parts(result),
        "city_comparison": can_read_city_comparison(request.user, alliance.city_id),
        "manages_city": can_manage_city(request.user, alliance.city_id)}, status=status)


@login_required
def city_page(request, pk):
    city = get_or_404(City.objects.all(), pk)
    if not can_read_city_comparison(request.user, city.pk):
        raise PermissionDenied(_("Only the city's officials read the comparison of its alliances."))
    form, query = _query(request)
    result = city_matching(city, **query, language=get_language()) if query else None
    chart = None
    if result:
        chart = _chart(result)
        rows = [row for row in result["alliances"] if row["coupling"]]
        chart["alliances"] = {"labels": [row["name"] for row in rows], "d": [row["coupling"]["d"] for row in rows],
                              "label": _("Coupling coordination D")}
    return render(request, "matching/city.html", {"city": city, "form": form, "result": result, "chart": chart,
                                                  "working_parts": _working_parts(result)},
                  status=200 if query else 400)


@login_required
@require_http_methods(["GET", "POST"])
def figures_page(request, pk):
    city = get_or_404(City.objects.all(), pk)
    if not can_manage_city(request.user, city.pk):
        raise PermissionDenied(_("Only an official of the city enters its industry figures and mappings."))
    sectors = list(Sector.objects.filter(city=city).order_by("code")) + list(
        Sector.objects.filter(city__isnull=True).order_by("code"))
    form = FigureForm(request.POST if request.method == "POST" else None, sectors=sectors)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sector = next(s for s in sectors if str(s.pk) == data["sector"])
        try:
            existing = IndustryFigure.objects.filter(city=city, year=data["year"], sector=sector).first()
            if existing:
                services.figure_update(figure=existing, actor=request.user, value_added=data["value_added"],
                                       jobs=data["jobs"])
            else:
                services.figure_create(city=city, year=data["year"], sector=sector, value_added=data["value_added"],
                                       jobs=data["jobs"], actor=request.user)
            return redirect("matching:figures", city.pk)
        except DomainError as exc:
            status = show_error(request, exc, form)
    elif request.method == "POST":
        status = 400
    figures = list(selectors.figures_for_user(request.user).filter(city=city).order_by("-year", "sector__scheme",
                                                                                        "sector__code"))
    return render(request, "matching/figures.html", {"city": city, "form": form, "figures": figures,
                                                     "import_form": FigureImportForm()}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def figures_import(request, pk):
    city = get_or_404(City.objects.all(), pk)
    if not can_manage_city(request.user, city.pk):
        raise PermissionDenied(_("Only an official of the city enters its industry figures and mappings."))
    form = FigureImportForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            report = excel.import_figures(city=city, upload=form.cleaned_data["file"], actor=request.user)
            status = 200 if report["ok"] else 400
        else:
            status = 400
    return render(request, "matching/import.html", {"city": city, "form": form, "report": report}, status=status)


def template_workbook(request, pk):
    city = get_or_404(City.objects.all(), pk)
    if not can_manage_city(request.user, city.pk):
        raise PermissionDenied(_("Only an official of the city enters its industry figures and mappings."))
    return excel.template_response(city)


def _official_city(request, pk) -> City:
    city = get_or_404(City.objects.all(), pk)
    if not can_manage_city(request.user, city.pk):
        raise PermissionDenied(_("Only an official of the city enters its industry figures and mappings."))
    return city


def _scheme(request) -> str:
    scheme = request.GET.get("scheme", Scheme.CHAIN)
    return scheme if scheme in Scheme.values else Scheme.CHAIN


@login_required
def mappings_page(request, pk):
    """The effective mapping of each major category in one scheme; the city's own marked apart from the
    default."""
    city = _official_city(request, pk)
    scheme = _scheme(request)
    sectors = selectors.sectors_of_city(city.pk, scheme)
    mapping = Mapping(city.pk, scheme, sectors)
    names = {sector.pk: sector for sector in sectors}
    language = get_language()
    rows = [{"code": code, "name": category_name(code, language), "customised": code in mapping.customised,
             "shares": [(names[sector_id], share) for sector_id, share in mapping.categories[code]]}
            for code in CATEGORY_NAMES]
    return render(request, "matching/mappings.html", {"city": city, "scheme": scheme, "rows": rows,
                                                      "schemes": Scheme.choices})


@login_required
@require_http_methods(["GET", "POST"])
def mapping_edit(request, pk, scheme, category):
    city = _official_city(request, pk)
    if scheme not in Scheme.values or category not in CATEGORY_NAMES:
        raise Http404
    sectors = selectors.sectors_of_city(city.pk, scheme)
    current = dict(Mapping(city.pk, scheme, sectors).categories[category])
    initial = {f"share_{sector_id}": share for sector_id, share in current.items()}
    form = MappingForm(request.POST or None, initial=initial, sectors=sectors)
    status = 200
    if request.method == "POST":
        if "default" in request.POST or form.is_valid():
            shares = [] if "default" in request.POST else form.shares()
            try:
                services.mapping_set(city=city, scheme=scheme, major_category=category, shares=shares,
                                     actor=request.user)
                return redirect(f"{reverse('matching:mappings', args=[city.pk])}?scheme={scheme}")
            except DomainError as exc:
                status = show_error(request, exc, form)
        else:
            status = 400
    return render(request, "matching/mapping_form.html", {
        "city": city, "scheme": scheme, "category": category, "category_name": category_name(category, get_language()),
        "form": form}, status=status)


DOCUMENT_KINDS = ("xlsx", "pdf")


def _document(request, result, title, stem, kind):
    language = document_language(get_language())
    if kind == "xlsx":
        return attachment(documents.workbook(result, title, language), XLSX, f"{stem}.xlsx")
    return attachment(documents.pdf(result, title, language), PDF, f"{stem}.pdf", inline=True)


@login_required
def alliance_document(request, pk, kind):
    if kind not in DOCUMENT_KINDS:
        raise Http404
    alliance = alliance_get_for_user(request.user, pk)
    if not can_read_alliance_matching(request.user, alliance):
        raise PermissionDenied(_("Only the alliance's secretariat, its council and the city's officials read its "
                                 "matching."))
    form, query = _query(request)
    if query is None:
        return render(request, "matching/alliance.html", {"alliance": alliance, "form": form}, status=400)
    language = document_language(get_language())
    with translation.override(language):
        result = alliance_matching(alliance, **query, language=language)
        title = f"{display_name(alliance, language)} · {_('Matching of majors and industry')} · {result['year']}"
    return _document(request, result, title, f"matching-{alliance.pk}-{result['year']}", kind)


@login_required
def city_document(request, pk, kind):
    if kind not in DOCUMENT_KINDS:
        raise Http404
    city = get_or_404(City.objects.all(), pk)
    if not can_read_city_comparison(request.user, city.pk):
        raise PermissionDenied(_("Only the city's officials read the comparison of its alliances."))
    form, query = _query(request)
    if query is None:
        return render(request, "matching/city.html", {"city": city, "form": form}, status=400)
    language = document_language(get_language())
    with translation.override(language):
        result = city_matching(city, **query, language=language)
        heading = _("Matching: the city's alliances compared")
        title = f"{display_name(city, language)} · {heading} · {result['year']}"
    return _document(request, result, title, f"matching-city-{city.pk}-{result['year']}", kind)
