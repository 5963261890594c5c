"""Pages of tasks: created from a resolution, reported on by the owner unit, accepted or returned."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance import selectors
from governance.forms import ReasonForm, TaskForm, TaskReportForm
from governance.models import Task
from governance.permissions import can_manage, can_report_on_task
from governance.services import tasks as task_services
from governance.views.common import PAGE_SIZE, _secretariat_only
from kernel.counts import Paginator
from kernel.errors import DomainError
from kernel.pages import act, show_error


@login_required
def task_create(request, pk):
    motion = selectors.motion_get_for_user(request.user, pk)
    if not can_manage(request.user, motion.alliance):
        raise PermissionDenied(_secretariat_only())
    units = selectors.active_member_units(motion.alliance)
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, units=units)
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                task = task_services.task_create(alliance=motion.alliance, actor=request.user, motion=motion,
                                                 owner=data.pop("owner"), **data)
            except DomainError as exc:
                status = show_error(request, exc, form)
            else:
                messages.success(request, _("The task was given to %(unit)s.") % {"unit": task.owner.name})
                return redirect("governance:motion", pk=motion.pk)
    else:
        form = TaskForm(units=units, initial={"title": motion.title})
    return render(request, "governance/task_form.html", {"motion": motion, "form": form}, status=status)


@login_required
def tasks(request):
    """My tasks: the owner units' contacts see theirs; the secretariat and officials see the alliance's."""
    rows = selectors.tasks_for_user(request.user).order_by("status", "due_on", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "governance/tasks.html", {"page": page, "today": timezone.localdate()})


def _task_page(request, task, *, status=200, report_form=None, return_form=None):
    reporter = can_report_on_task(request.user, task)
    manager = can_manage(request.user, task.alliance)
    open_for_report = task.status in (Task.Status.OPEN, Task.Status.RETURNED)
    return render(request, "governance/task_detail.html", {
        "task": task,
        "reports": list(task.reports.select_related("reported_by")),
        "report_form": (report_form or TaskReportForm(initial={"achieved": task.progress}))
        if reporter and open_for_report else None,
        "can_manage": manager,
        "return_form": (return_form or ReasonForm()) if manager and task.status == Task.Status.SUBMITTED else None,
    }, status=status)


@login_required
def task_detail(request, pk):
    return _task_page(request, selectors.task_get_for_user(request.user, pk))


@login_required
@require_POST
def task_report(request, pk):
    task = selectors.task_get_for_user(request.user, pk)
    if not can_report_on_task(request.user, task):
        raise PermissionDenied(_("Only the owner unit's contacts report on this task."))
    form = TaskReportForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            task_services.task_report(task=task, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("Your report was recorded."))
            return redirect("governance:task", pk=task.pk)
    return _task_page(request, task, status=status, report_form=form)


@login_required
@require_POST
def task_accept(request, pk):
    task = selectors.task_get_for_user(request.user, pk)
    if not can_manage(request.user, task.alliance):
        raise PermissionDenied(_secretariat_only())
    return act(request, lambda: task_services.task_accept(task=task, actor=request.user),
               success=_("The task was accepted."), done=reverse("governance:task", args=[task.pk]),
               page=lambda status: _task_page(request, task, status=status))


@login_required
@require_POST
def task_return(request, pk):
    task = selectors.task_get_for_user(request.user, pk)
    if not can_manage(request.user, task.alliance):
        raise PermissionDenied(_secretariat_only())
    form = ReasonForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            task_services.task_return(task=task, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("The task was returned to its owner."))
            return redirect("governance:task", pk=task.pk)
    return _task_page(request, task, status=status, return_form=form)


@login_required
def task_evidence(request, pk, report_pk):
    task = selectors.task_get_for_user(request.user, pk)
    report = task.reports.filter(pk=report_pk).exclude(evidence="").first()
    if report is None:
        raise Http404
    return FileResponse(report.evidence.open("rb"), as_attachment=True,
                        filename=report.evidence.name.rsplit("/", 1)[-1])
