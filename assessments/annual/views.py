"""Pages of the annual cycle: the year's plans and reports of the alliances a secretariat runs or an official
oversees; an alliance's plan (targets, tasks, projects, execution) and its report (figures, narratives, PDF)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliance.selectors import alliances_for_user, alliances_overseen_by
from assessments.annual import document, services
from assessments.annual.forms import NarrativesForm, PlanForm
from assessments.annual.plans import (
    execution_of,
    executions,
    is_late,
    is_open,
    plan_due,
    report_due,
)
from assessments.models import AnnualPlan, AnnualReport
from assessments.permissions import oversees_alliance, oversees_any, runs_alliance
from cooperation.selectors import project_choices_for_year
from governance.figures import task_choices
from kernel.counts import Paginator
from kernel.downloads import PDF, attachment
from kernel.errors import DomainError
from kernel.pages import act, show_error
from kernel.selectors import get_or_404

PAGE_SIZE = 50
YEARS_BACK = 5


def _known(year: int) -> bool:
    return 2000 <= year <= timezone.localdate().year + 1


def _year(value) -> int:
    """The year asked for in the list's filter; this year when none (or one out of range) is."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if _known(year) else timezone.localdate().year


def _alliance(request, alliance_id):
    alliance = get_or_404(alliances_for_user(request.user).select_related("city"), alliance_id)
    if not oversees_alliance(request.user, alliance):
        raise PermissionDenied(_("The annual work plan and report are for the alliance's secretariat and the "
                                 "city's officials."))
    return alliance


def _checked_year(year: int) -> int:
    if not _known(year):
        raise Http404
    return year


@login_required
@require_GET
def annual_home(request):
    """The year's plans and reports of the alliances the user oversees, with each plan's execution rate."""
    if not oversees_any(request.user):
        raise PermissionDenied(_("The annual work plan and report are for the alliance's secretariat and the "
                                 "city's officials."))
    today = timezone.localdate()
    year = _year(request.GET.get("year"))
    alliances = alliances_overseen_by(request.user).select_related("city").order_by("city_id", "name", "id")
    page = Paginator(alliances, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [alliance.pk for alliance in page]
    plans = {plan.alliance_id: plan for plan in AnnualPlan.objects.filter(alliance_id__in=ids, year=year)}
    reports = {report.alliance_id: report for report in AnnualReport.objects.filter(alliance_id__in=ids, year=year)}
    rates = executions(plans.values(), today)
    rows = [{"alliance": alliance, "plan": plans.get(alliance.pk), "report": reports.get(alliance.pk),
             "rate": rates[plans[alliance.pk].pk].rate if alliance.pk in plans else None,
             "plan_late": is_late(plans.get(alliance.pk), plan_due(year), today),
             "report_late": is_late(reports.get(alliance.pk), report_due(year), today)}
            for alliance in page]
    return render(request, "assessments/annual/home.html", {
        "year": year, "years": list(range(today.year + 1, today.year - YEARS_BACK, -1)), "page": page,
        "rows": rows, "plan_due": plan_due(year), "report_due": report_due(year), "query": f"year={year}",
    })


def _plan_form(alliance, year, plan, data=None):
    return PlanForm(data, initial=PlanForm.initial_for(plan), task_choices=task_choices(alliance.pk, year),
                    project_choices=project_choices_for_year(alliance, year))


def _plan_page(request, alliance, year, plan, form, status=200):
    editable = runs_alliance(request.user, alliance) and is_open(plan)
    return render(request, "assessments/annual/plan.html", {
        "alliance": alliance, "year": year, "plan": plan,
        "execution": execution_of(plan) if plan is not None else None,
        "form": form if editable else None, "can_submit": editable and plan is not None,
        "due": plan_due(year), "late": is_late(plan, plan_due(year)),
    }, status=status)


@login_required
def plan_detail(request, alliance_id, year):
    alliance = _alliance(request, alliance_id)
    year = _checked_year(year)
    plan = AnnualPlan.objects.filter(alliance=alliance, year=year).select_related("submitted_by").first()
    if request.method != "POST":
        return _plan_page(request, alliance, year, plan, _plan_form(alliance, year, plan))
    if not runs_alliance(request.user, alliance):
        raise PermissionDenied(_("Only the alliance's secretariat writes its annual work plan."))
    form = _plan_form(alliance, year, plan, request.POST)
    if form.is_valid():
        try:
            plan = services.plan_save(actor=request.user, alliance=alliance, year=year,
                                      summary=form.cleaned_data["summary"], targets=form.targets(),
                                      task_ids=form.cleaned_data["tasks"], project_ids=form.cleaned_data["projects"])
        except DomainError as exc:
            return _plan_page(request, alliance, year, plan, form, status=show_error(request, exc, form))
        messages.success(request, _("The plan is saved."))
        return redirect("assessments:annual-plan", alliance_id=alliance.pk, year=year)
    return _plan_page(request, alliance, year, plan, form, status=400)


@login_required
@require_POST
def plan_submit(request, alliance_id, year):
    alliance = _alliance(request, alliance_id)
    plan = AnnualPlan.objects.filter(alliance=alliance, year=_checked_year(year)).first()
    if plan is None:
        raise Http404
    done = redirect("assessments:annual-plan", alliance_id=alliance.pk, year=year).url
    return act(request, lambda: services.plan_submit(actor=request.user, plan=plan),
               success=_("The plan is submitted."), done=done)


def _report_page(request, alliance, year, report, form, status=200):
    editable = runs_alliance(request.user, alliance) and is_open(report)
    data = document.shown(alliance, year, report, language=get_language())
    return render(request, "assessments/annual/report.html", {
        "alliance": alliance, "year": year, "report": report, "data": data,
        "form": form if editable else None, "can_submit": editable and report is not None,
        "due": report_due(year), "late": is_late(report, report_due(year)),
        "sections": [(section, form[section["code"]] if editable and section["code"] in form.fields else None)
                     for section in data["sections"]],
    }, status=status)


@login_required
def report_detail(request, alliance_id, year):
    alliance = _alliance(request, alliance_id)
    year = _checked_year(year)
    report = AnnualReport.objects.filter(alliance=alliance, year=year).first()
    if request.method != "POST":
        form = NarrativesForm(initial=report.narratives if report else {})
        return _report_page(request, alliance, year, report, form)
    if not runs_alliance(request.user, alliance):
        raise PermissionDenied(_("Only the alliance's secretariat writes its annual report."))
    form = NarrativesForm(request.POST)
    if form.is_valid():
        try:
            services.report_save(actor=request.user, alliance=alliance, year=year, narratives=form.cleaned_data)
        except DomainError as exc:
            return _report_page(request, alliance, year, report, form, status=show_error(request, exc, form))
        messages.success(request, _("The report is saved."))
        return redirect("assessments:annual-report", alliance_id=alliance.pk, year=year)
    return _report_page(request, alliance, year, report, form, status=400)


@login_required
@require_POST
def report_submit(request, alliance_id, year):
    alliance = _alliance(request, alliance_id)
    report = AnnualReport.objects.filter(alliance=alliance, year=_checked_year(year)).first()
    if report is None:
        raise Http404
    done = redirect("assessments:annual-report", alliance_id=alliance.pk, year=year).url
    return act(request, lambda: services.report_submit(actor=request.user, report=report),
               success=_("The report is submitted."), done=done)


@login_required
@require_GET
def report_pdf(request, alliance_id, year):
    """The report as a PDF: the file kept when it was submitted, else drawn now from the records."""
    alliance = _alliance(request, alliance_id)
    report = AnnualReport.objects.filter(alliance=alliance, year=_checked_year(year)).first()
    content, name = document.pdf_of(alliance, year, report)
    response = attachment(content, PDF, name)
    response["Cache-Control"] = "private, no-store"
    return response
