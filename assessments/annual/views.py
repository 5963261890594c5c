"""Pages of the annual cycle: the year's plans and reports of the alliances a secretariat runs or an official
oversees; an alliance's plan (targets, tasks, projects, execution) and its report (figures, narratives, PDF)."""

import datetime
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliance.selectors import alliances_for_user, alliances_overseen_by
from assessments.annual import document, services
from assessments.annual.forms import NarrativesForm, PlanForm
from assessments.annual.plans import (
    can_edit,
    can_read,
    executions,
    plan_due,
    report_due,
    takes_part,
)
from assessments.models import AnnualPlan, AnnualReport
from cooperation.models import Project
from governance.figures import task_choices
from kernel.errors import DomainError
from kernel.pages import act, show_error
from kernel.selectors import get_or_404

PAGE_SIZE = 50
YEARS_BACK = 5


def _year(value, today: datetime.date) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _alliance(request, alliance_id):
    alliance = get_or_404(alliances_for_user(request.user).select_related("city"), alliance_id)
    if not can_read(request.user, alliance):
        raise PermissionDenied(_("The annual work plan and report are for the alliance's secretariat and the "
                                 "city's officials."))
    return alliance


def _checked_year(year: int) -> int:
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404
    return year


@login_required
@require_GET
def annual_home(request):
    """The year's plans and reports of the alliances the user oversees, with each plan's execution rate."""
    if not takes_part(request.user):
        raise PermissionDenied(_("The annual work plan and report are for the alliance's secretariat and the "
                                 "city's officials."))
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today)
    alliances = alliances_overseen_by(request.user).select_related("city").order_by("city_id", "name", "id")
    page = Paginator(alliances, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [alliance.pk for alliance in page]
    plans = {plan.alliance_id: plan for plan in AnnualPlan.objects.filter(alliance_id__in=ids, year=year)}
    reports = {report.alliance_id: report for report in AnnualReport.objects.filter(alliance_id__in=ids, year=year)}
    rates = executions(plans.values(), today)
    rows = [{"alliance": alliance, "plan": plans.get(alliance.pk), "report": reports.get(alliance.pk),
             "rate": rates[plans[alliance.pk].pk].rate if alliance.pk in plans else None}
            for alliance in page]
    for row in rows:
        row["plan_late"] = _late(row["plan"], plan_due(year), today)
        row["report_late"] = _late(row["report"], report_due(year), today)
    return render(request, "assessments/annual/home.html", {
        "year": year, "years": list(range(today.year + 1, today.year - YEARS_BACK, -1)), "page": page,
        "rows": rows, "plan_due": plan_due(year), "report_due": report_due(year), "query": f"year={year}",
    })


def _late(record, due: datetime.date, today: datetime.date) -> bool:
    """Submitted after its deadline, or not submitted and the deadline is past."""
    if record is not None and record.submitted_at:
        return timezone.localdate(record.submitted_at) > due
    return today > due


def _plan_form(alliance, year, plan, data=None):
    projects = (Project.objects.filter(alliance=alliance, starts_on__year__lte=year)
                .exclude(ends_on__year__lt=year).order_by("starts_on", "id").values_list("id", "title"))
    return PlanForm(data, initial=PlanForm.initial_for(plan), task_choices=task_choices(alliance.pk, year),
                    project_choices=projects)


def _plan_page(request, alliance, year, plan, form, status=200):
    today = timezone.localdate()
    execution = executions([plan], today)[plan.pk] if plan is not None else None
    editable = can_edit(request.user, alliance) and (plan is None or plan.status == AnnualPlan.Status.DRAFT)
    return render(request, "assessments/annual/plan.html", {
        "alliance": alliance, "year": year, "plan": plan, "execution": execution,
        "form": form if editable else None, "can_submit": editable and plan is not None,
        "due": plan_due(year), "late": _late(plan, plan_due(year), today),
    }, status=status)


@login_required
def plan_detail(request, alliance_id, year):
    alliance = _alliance(request, alliance_id)
    year = _checked_year(year)
    plan = AnnualPlan.objects.filter(alliance=alliance, year=year).select_related("submitted_by").first()
    if request.method != "POST":
        return _plan_page(request, alliance, year, plan, _plan_form(alliance, year, plan))
    if not can_edit(request.user, alliance):
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
    editable = can_edit(request.user, alliance) and (report is None or report.status == AnnualReport.Status.DRAFT)
    if report is not None and report.status == AnnualReport.Status.SUBMITTED:
        data = report.data
    else:
        data = document.report_data(alliance, year, report.narratives if report else {}, language=get_language())
    return render(request, "assessments/annual/report.html", {
        "alliance": alliance, "year": year, "report": report, "data": data,
        "form": form if editable else None, "can_submit": editable and report is not None,
        "due": report_due(year), "late": _late(report, report_due(year), timezone.localdate()),
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
    if not can_edit(request.user, alliance):
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
    if report is not None and report.status == AnnualReport.Status.SUBMITTED and report.file:
        handle, name = report.file.open("rb"), document.file_name(report.data)
    else:
        data = document.report_data(alliance, year, report.narratives if report else {})
        handle, name = io.BytesIO(document.render(data)), document.file_name(data)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response
