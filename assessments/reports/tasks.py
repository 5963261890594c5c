import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.models import Report
from assessments.reports import documents
from kernel.errors import DomainError

logger = logging.getLogger(__name__)


def _progress(report_id: int, percent: int) -> None:
    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(progress=percent)


@shared_task
def build_report(report_id: int) -> str:
    """Build a waiting report's file. Idempotent: a report already claimed, built or gone is left alone.

    Not retried automatically: a failure is stored with its reason, shown on the page, and the user
    tries again (assessments.reports.services.retry_report).
    """
    with transaction.atomic():
        report = (Report.objects.select_for_update(skip_locked=True)
                  .filter(pk=report_id, status=Report.Status.PENDING).first())
        if report is None:
            logger.info("report %s: nothing to build (claimed elsewhere, built or gone)", report_id)
            return "skipped"
        report.status, report.progress = Report.Status.RUNNING, 5
        report.save(update_fields=["status", "progress"])
    # Loaded again outside the lock, with what the documents show, so related rows are neither locked nor
    # fetched one by one.
    report = Report.objects.select_related(
        "assessment__cycle__framework", "assessment__cycle__city", "assessment__alliance",
        "cycle__framework", "cycle__city",
    ).get(pk=report_id)
    # Only a build still running may finish: one given up as stale meanwhile stays failed.
    running = Report.objects.filter(pk=report_id, status=Report.Status.RUNNING)
    try:
        data = documents.data_for(report.kind, assessment=report.assessment, cycle=report.cycle,
                                  language=report.language)
        _progress(report.id, 30)
        content = documents.render(report.kind, data)
        _progress(report.id, 80)
        data_hash = documents.digest(data)
        subject_id = report.assessment_id or report.cycle_id
        name = f"{report.kind.replace('_', '-')}-{subject_id}-{data_hash[:12]}.{documents.EXTENSIONS[report.kind]}"
        report.file.save(name, ContentFile(content), save=False)
    except Exception as exc:
        if isinstance(exc, DomainError):
            error = exc.message
            logger.warning("report %s (%s) failed: %s", report_id, report.kind, error)
        else:
            with translation.override(report.language):
                error = _("The report could not be generated: %(error)s") % {
                    "error": f"{type(exc).__name__}: {exc}"[:500]}
            logger.exception("report %s (%s) failed", report_id, report.kind)
        running.update(status=Report.Status.FAILED, error=str(error), finished_at=timezone.now())
        return "failed"
    # The file shows the data as it was when built; its digest is what later requests compare with.
    running.update(status=Report.Status.DONE, progress=100, file=report.file.name, data_hash=data_hash, error="",
                   finished_at=timezone.now())
    logger.info("report %s (%s) built: %d bytes", report_id, report.kind, len(content))
    return "done"
