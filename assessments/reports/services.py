"""Reports of the assessments: who may get which, asking for one, and trying a failed one again.

A report is built by Celery (`assessments.reports.tasks.build_report`) and cached: asking again while the
data it shows is unchanged (same kind, subject and data_hash) returns the report already built or
being built. Who may get a report:
- the city's officials: every report of their city's assessments and cycles;
- an alliance's secretariat: its own assessment report, once the assessment is decided;
- anyone: the report of a published assessment.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment, Cycle, Report
from assessments.permissions import can_get_report
from assessments.reports import documents
from assessments.reports.tasks import build_report
from kernel.downloads import safe_filename
from kernel.errors import DomainError, NotAllowed, StateConflict
from kernel.names import display_name
from kernel.pdf import document_language

logger = logging.getLogger(__name__)

# A report still waiting or generating after this long lost its worker; asking again starts afresh.
STALE_AFTER = timedelta(minutes=15)


# Reads -----------------------------------------------------------------------------------

def download_name(report: Report) -> str:
    """The file name the user saves: the subject's names in the report's language, never the storage path."""
    if report.assessment_id:
        stem = f"{display_name(report.assessment.alliance, report.language)}-{report.assessment.cycle.title}"
    else:
        stem = f"{display_name(report.cycle.city, report.language)}-{report.cycle.title}"
    return f"{safe_filename(stem)}.{documents.EXTENSIONS[report.kind]}"


# Writes ----------------------------------------------------------------------------------

def _check_subject(kind: str, assessment, cycle) -> None:
    if kind not in Report.Kind.values:
        raise DomainError(_("Unknown kind of report."), field="kind")
    if kind == Report.Kind.ASSESSMENT_PDF and (assessment is None or cycle is not None):
        raise DomainError(_("An assessment report is about one assessment."), field="assessment")
    if kind != Report.Kind.ASSESSMENT_PDF and (cycle is None or assessment is not None):
        raise DomainError(_("A city comparison is about one assessment cycle."), field="cycle")


def _file_present(report: Report) -> bool:
    return bool(report.file) and report.file.storage.exists(report.file.name)


def _request(*, actor, kind: str, assessment: Assessment | None, cycle: Cycle | None, language: str) -> Report:
    """The report of this data in this language: the one built or being built, else a new one queued after
    commit (the language is part of the data, so of its digest)."""
    # Lock the subject so that two simultaneous requests cannot both queue a build.
    if assessment is not None:
        assessment = (Assessment.objects.select_for_update(of=("self",))
                      .select_related("cycle__framework", "cycle__city", "alliance").get(pk=assessment.pk))
    else:
        cycle = Cycle.objects.select_for_update(of=("self",)).select_related("framework", "city").get(pk=cycle.pk)
    data_hash = documents.digest(documents.data_for(kind, assessment=assessment, cycle=cycle, language=language))
    existing = (Report.objects.filter(kind=kind, assessment=assessment, cycle=cycle, data_hash=data_hash)
                .exclude(status=Report.Status.FAILED).order_by("-created_at").first())
    if existing is not None:
        if existing.status == Report.Status.DONE:
            if _file_present(existing):
                return existing
        elif existing.created_at > timezone.now() - STALE_AFTER:
            return existing
        else:
            existing.status = Report.Status.FAILED
            existing.error = _("The generation did not finish in time.")
            existing.finished_at = timezone.now()
            existing.save(update_fields=["status", "error", "finished_at"])
    report = Report.objects.create(
        kind=kind, assessment=assessment, cycle=cycle, data_hash=data_hash, language=language,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    transaction.on_commit(lambda: _queue(report.id))
    logger.info("report %s (%s) requested by %s", report.id, kind, actor)
    return report


def _queue(report_id: int) -> None:
    """Queue the build after commit. With the broker unreachable the request still answers (the report
    waits as PENDING; asked for again once it is stale, a fresh build is queued)."""
    try:
        build_report.delay(report_id)
    except Exception as error:  # kombu's OperationalError, redis' ConnectionError …: the broker is down
        logger.warning("report %s: the build could not be queued (broker unreachable: %s); it waits", report_id,
                       error)


@transaction.atomic
def request_report(*, actor, kind: str, assessment: Assessment | None = None, cycle: Cycle | None = None,
                   language: str | None = None) -> Report:
    """Ask for a report in `language` (the requester's; Chinese when not given)."""
    _check_subject(kind, assessment, cycle)
    if kind == Report.Kind.ASSESSMENT_PDF:
        documents.ensure_decided(assessment)  # say so to whoever may see it, before asking who may get it
    if not can_get_report(actor, kind, assessment=assessment, cycle=cycle):
        raise NotAllowed(_("You may not get this report."))
    return _request(actor=actor, kind=kind, assessment=assessment, cycle=cycle, language=document_language(language))


@transaction.atomic
def retry_report(*, report: Report, actor) -> Report:
    """Try a failed report again: built afresh from the current data (or the report of that data, if any)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    subject = {"assessment": report.assessment, "cycle": report.cycle}
    if not can_get_report(actor, report.kind, **subject):
        raise NotAllowed(_("You may not get this report."))
    if report.status != Report.Status.FAILED:
        raise StateConflict(_("Only a failed report can be tried again."))
    return _request(actor=actor, kind=report.kind, language=report.language, **subject)
