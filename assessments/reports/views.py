"""Pages of the reports: ask for one, watch it being built (polled with HTMX), download it.

Report files are served only here, after the permission check; never from MEDIA_URL.
"""

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments.models import Report
from assessments.reports import documents, services
from assessments.selectors import report_get_for_user, report_subject_for_user
from kernel.errors import DomainError, StateConflict
from kernel.pages import show_error


def _refused(request, exc: DomainError):
    """A report page has no form to show the refusal on: the refusal alone, said above the page."""
    return render(request, "assessments/reports/refused.html", status=show_error(request, exc))


def _status(request, report: Report):
    context = {"report": report, "in_progress": report.status in (Report.Status.PENDING, Report.Status.RUNNING)}
    template = "assessments/reports/_status.html" if request.htmx else "assessments/reports/status.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def report_request(request, kind, pk):
    subject = report_subject_for_user(request.user, kind, pk)
    try:
        report = services.request_report(actor=request.user, kind=kind, language=get_language(), **subject)
    except DomainError as exc:
        return _refused(request, exc)
    if request.htmx:
        return _status(request, report)
    return redirect("report-status", pk=report.pk)


@require_GET
def report_status(request, pk):
    return _status(request, report_get_for_user(request.user, pk))


@require_POST
def report_retry(request, pk):
    report = report_get_for_user(request.user, pk)
    try:
        report = services.retry_report(report=report, actor=request.user)
    except DomainError as exc:
        return _refused(request, exc)
    return redirect("report-status", pk=report.pk)


@require_GET
def report_download(request, pk):
    report = report_get_for_user(request.user, pk)
    if report.status != Report.Status.DONE:
        return _refused(request, StateConflict(_("The report is not ready yet.")))
    try:
        handle = report.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    extension = documents.EXTENSIONS[report.kind]
    response = FileResponse(handle, as_attachment=True, filename=services.download_name(report),
                            content_type=documents.CONTENT_TYPES[extension])
    response["Cache-Control"] = "private, no-store"
    return response
