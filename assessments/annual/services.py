"""Writes of the annual cycle: the secretariat saves and submits the year's work plan and its construction
self-assessment report. Each checks who acts and what state the record is in (a submitted plan or report never
changes: 409), validates everything before writing anything, runs in a transaction and is audited."""

import datetime
from decimal import Decimal, InvalidOperation

from auditlog.context import set_actor
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.models import Alliance
from assessments.annual import document
from assessments.annual.plans import is_target_metric
from assessments.models import AnnualPlan, AnnualReport, PlanTarget
from assessments.permissions import runs_alliance
from cooperation.models import Project
from governance.figures import tasks_as_figures
from kernel.errors import DomainError, NotAllowed, StateConflict

MAX_TARGETS = 40
MAX_VALUE = Decimal("99999999999999")
NOTE_MAX = 300


def _check_year(year, today: datetime.date) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError(_("Give the year as a number."), field="year") from None
    if not 2000 <= year <= today.year + 1:
        raise DomainError(_("The year must be between 2000 and next year."), field="year")
    return year


def _decimal(value, *, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(label)s must be a number.") % {"label": label}, field=field) from None
    if not number.is_finite() or number <= 0 or number > MAX_VALUE:
        raise DomainError(_("%(label)s must be greater than zero.") % {"label": label}, field=field)
    return number.quantize(Decimal("0.01"))


def clean_targets(targets) -> list[dict]:
    """Each target: a metric of the registry that can be targeted, once, with a target and a weight above
    zero. Raises a DomainError naming `targets` for the first fault."""
    if not isinstance(targets, list) or len(targets) > MAX_TARGETS:
        raise DomainError(_("Give at most %(count)d targets as a list.") % {"count": MAX_TARGETS}, field="targets")
    cleaned, seen = [], set()
    for target in targets:
        if not isinstance(target, dict):
            raise DomainError(_("Each target has a metric and a target value."), field="targets")
        key = str(target.get("metric") or "")
        if not is_target_metric(key):
            raise DomainError(_("“%(metric)s” is not a metric a target can be set on.") % {"metric": key[:60]},
                              field="targets", code="unknown_metric")
        if key in seen:
            raise DomainError(_("The metric “%(metric)s” has two targets.") % {"metric": key}, field="targets",
                              code="duplicate")
        seen.add(key)
        cleaned.append({
            "metric": key,
            "target": _decimal(target.get("target"), field="targets", label=_("The target")),
            "weight": _decimal(target.get("weight", 1) if target.get("weight") not in (None, "") else 1,
                               field="targets", label=_("The weight")),
            "note": str(target.get("note") or "")[:NOTE_MAX],
        })
    return cleaned


def _check_links(alliance: Alliance, task_ids, project_ids) -> tuple[list[int], list[int]]:
    try:
        task_ids = sorted({int(pk) for pk in task_ids or []})
        project_ids = sorted({int(pk) for pk in project_ids or []})
    except (TypeError, ValueError):
        raise DomainError(_("Tasks and projects are given by their ids."), field="tasks") from None
    tasks = tasks_as_figures(task_ids)
    if len(tasks) != len(task_ids) or any(task["alliance_id"] != alliance.pk for task in tasks.values()):
        raise DomainError(_("A plan carries only tasks of its own alliance's council."), field="tasks")
    found = set(Project.objects.filter(alliance=alliance, id__in=project_ids).values_list("id", flat=True))
    if found != set(project_ids):
        raise DomainError(_("A plan carries only its own alliance's cooperation projects."), field="projects")
    return task_ids, project_ids


@transaction.atomic
def plan_save(*, actor, alliance: Alliance, year, summary: str = "", targets=None, task_ids=None,
              project_ids=None) -> AnnualPlan:
    """Create the year's plan, or change it while it is a draft: its summary, targets (replaced as a whole), tasks
    and projects."""
    if not runs_alliance(actor, alliance):
        raise NotAllowed(_("Only the alliance's secretariat writes its annual work plan."))
    year = _check_year(year, timezone.localdate())
    cleaned = clean_targets(targets if targets is not None else [])
    task_ids, project_ids = _check_links(alliance, task_ids, project_ids)
    plan = AnnualPlan.objects.select_for_update().filter(alliance=alliance, year=year).first()
    if plan is not None and plan.status != AnnualPlan.Status.DRAFT:
        raise StateConflict(_("The plan is submitted and no longer changes."), code="submitted")
    with set_actor(actor):
        if plan is None:
            try:
                with transaction.atomic():
                    plan = AnnualPlan.objects.create(alliance=alliance, year=year, summary=summary or "",
                                                     created_by=actor)
            except IntegrityError:  # created by a simultaneous request
                raise StateConflict(_("The plan of this year was just created: open it again."),
                                    code="exists") from None
        else:
            plan.summary = summary or ""
            plan.save(update_fields=["summary", "updated_at"])
        plan.targets.all().delete()
        PlanTarget.objects.bulk_create([PlanTarget(plan=plan, **target) for target in cleaned])
        plan.tasks.set(task_ids)
        plan.projects.set(project_ids)
    return plan


@transaction.atomic
def plan_submit(*, actor, plan: AnnualPlan) -> AnnualPlan:
    """Submit the plan (after 31 January too: it is then shown as late). It needs a target or a task."""
    plan = AnnualPlan.objects.select_for_update().select_related("alliance").get(pk=plan.pk)
    if not runs_alliance(actor, plan.alliance):
        raise NotAllowed(_("Only the alliance's secretariat submits its annual work plan."))
    if plan.status != AnnualPlan.Status.DRAFT:
        raise StateConflict(_("The plan is already submitted."), code="submitted")
    if not plan.targets.exists() and not plan.tasks.exists():
        raise DomainError(_("A plan needs at least one target or task before it is submitted."), field="targets")
    with set_actor(actor):
        plan.status, plan.submitted_at, plan.submitted_by = AnnualPlan.Status.SUBMITTED, timezone.now(), actor
        plan.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    return plan


def clean_narratives(narratives) -> dict:
    if not isinstance(narratives, dict):
        raise DomainError(_("Give the narratives as an object of sections."), field="narratives")
    cleaned = {}
    for code, text in narratives.items():
        if code not in document.SECTION_CODES:
            raise DomainError(_("The report has no section “%(section)s”.") % {"section": str(code)[:40]},
                              field="narratives", code="unknown_section")
        if not isinstance(text, str) or len(text) > document.NARRATIVE_MAX:
            raise DomainError(_("A section's narrative is text of at most %(count)d characters.")
                              % {"count": document.NARRATIVE_MAX}, field="narratives")
        if text.strip():
            cleaned[code] = text.strip()
    return cleaned


@transaction.atomic
def report_save(*, actor, alliance: Alliance, year, narratives=None) -> AnnualReport:
    """Create the year's report, or change its narratives (given sections are replaced) while it is a draft."""
    if not runs_alliance(actor, alliance):
        raise NotAllowed(_("Only the alliance's secretariat writes its annual report."))
    today = timezone.localdate()
    year = _check_year(year, today)
    if year > today.year:
        raise DomainError(_("The report of a year is written once the year has begun."), field="year")
    cleaned = clean_narratives(narratives if narratives is not None else {})
    report = AnnualReport.objects.select_for_update().filter(alliance=alliance, year=year).first()
    if report is not None and report.status != AnnualReport.Status.DRAFT:
        raise StateConflict(_("The report is submitted and no longer changes."), code="submitted")
    with set_actor(actor):
        if report is None:
            try:
                with transaction.atomic():
                    report = AnnualReport.objects.create(alliance=alliance, year=year, narratives=cleaned,
                                                         created_by=actor)
            except IntegrityError:
                raise StateConflict(_("The report of this year was just created: open it again."),
                                    code="exists") from None
        else:
            report.narratives = {**report.narratives, **{code: "" for code in narratives or {}}, **cleaned}
            report.narratives = {code: text for code, text in report.narratives.items() if text}
            report.save(update_fields=["narratives", "updated_at"])
    return report


@transaction.atomic
def report_submit(*, actor, report: AnnualReport) -> AnnualReport:
    """Submit the report: its data is frozen as it is now and its PDF kept (after 31 December too: then late)."""
    report = AnnualReport.objects.select_for_update().select_related("alliance__city").get(pk=report.pk)
    if not runs_alliance(actor, report.alliance):
        raise NotAllowed(_("Only the alliance's secretariat submits its annual report."))
    if report.status != AnnualReport.Status.DRAFT:
        raise StateConflict(_("The report is already submitted."), code="submitted")
    data = document.report_data(report.alliance, report.year, report.narratives)
    content = document.render(data)
    with set_actor(actor):
        report.data = data
        report.file.save(f"annual-report-{report.alliance_id}-{report.year}.pdf", ContentFile(content), save=False)
        report.status, report.submitted_at, report.submitted_by = (AnnualReport.Status.SUBMITTED, timezone.now(),
                                                                   actor)
        report.save(update_fields=["data", "file", "status", "submitted_at", "submitted_by", "updated_at"])
    return report
