"""Tasks from adopted resolutions: assigned to member units, reported on with evidence, accepted
or returned by the secretariat."""

from decimal import Decimal, InvalidOperation

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import notices
from governance.models import Motion, Task, TaskReport
from governance.permissions import can_manage, can_report_on_task
from kernel.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise
from members.models import Membership, User

TASK_FIELDS = ("title", "description", "target_value", "target_unit", "weight", "due_on")


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a number."), field=field) from None
    if not number.is_finite() or number < 0:
        raise DomainError(_("Enter a number of zero or more."), field=field)
    return number


def owner_contacts(task: Task):
    return User.objects.filter(contacts__organization=task.owner_id, is_active=True)


@transaction.atomic
def task_create(*, alliance, actor, owner, motion: Motion | None = None, **fields) -> Task:
    if not can_manage(actor, alliance):
        raise NotAllowed(_("Only the alliance's secretariat does this."))
    if motion is not None:
        motion = Motion.objects.get(pk=motion.pk)
    if motion is not None and (motion.alliance_id != alliance.pk or not motion.adopted):
        raise StateConflict(_("Tasks follow from an adopted resolution of this alliance."))
    if not Membership.objects.filter(alliance=alliance, organization=owner, status=Membership.Status.ACTIVE).exists():
        raise DomainError(_("The owner must be an active member unit of the alliance."), field="owner")
    task = Task(alliance=alliance, motion=motion, owner=owner, created_by=actor,
                **{k: v for k, v in fields.items() if k in TASK_FIELDS})
    for name in ("target_value", "weight"):
        if name in fields:
            setattr(task, name, _decimal(fields[name], name))
    full_clean_or_raise(task, exclude=["created_by", "alliance", "owner", "motion"])
    with set_actor(actor):
        task.save()
    for user in owner_contacts(task):
        notices.task_assigned(task, user)
    return task


def _lock(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).select_related("alliance", "owner").get(pk=task.pk)


@transaction.atomic
def task_report(*, task: Task, actor, achieved, note: str = "", evidence=None, done: bool = False) -> TaskReport:
    """The owner unit reports what it has achieved so far; `done` hands it to the secretariat to accept."""
    task = _lock(task)
    if not can_report_on_task(actor, task):
        raise NotAllowed(_("Only the owner unit's contacts report on this task."))
    if task.status in (Task.Status.SUBMITTED, Task.Status.ACCEPTED):
        raise StateConflict(_("This task is with the secretariat or already accepted."))
    report = TaskReport(task=task, achieved=_decimal(achieved, "achieved"), note=(note or "").strip(),
                        reported_by=actor)
    if evidence:
        report.evidence = evidence
    if done and not (evidence or task.reports.exclude(evidence="").exists()):
        raise DomainError(_("Attach evidence before reporting the task done."), field="evidence")
    full_clean_or_raise(report, exclude=["task", "reported_by"])
    with set_actor(actor):
        report.save()
        task.progress = report.achieved
        task.status = Task.Status.SUBMITTED if done else Task.Status.OPEN
        task.save(update_fields=["progress", "status"])
    return report


@transaction.atomic
def task_accept(*, task: Task, actor) -> Task:
    task = _lock(task)
    if not can_manage(actor, task.alliance):
        raise NotAllowed(_("Only the alliance's secretariat does this."))
    if task.status != Task.Status.SUBMITTED:
        raise StateConflict(_("Only a task reported done can be accepted."))
    with set_actor(actor):
        task.status, task.accepted_at, task.return_reason = Task.Status.ACCEPTED, timezone.now(), ""
        task.save(update_fields=["status", "accepted_at", "return_reason"])
    for user in owner_contacts(task):
        notices.task_decided(task, user, accepted=True)
    return task


@transaction.atomic
def task_return(*, task: Task, actor, reason: str) -> Task:
    task = _lock(task)
    if not can_manage(actor, task.alliance):
        raise NotAllowed(_("Only the alliance's secretariat does this."))
    if task.status != Task.Status.SUBMITTED:
        raise StateConflict(_("Only a task reported done can be returned."))
    if not (reason or "").strip():
        raise DomainError(_("Say why the task is returned."), field="reason")
    with set_actor(actor):
        task.status, task.return_reason = Task.Status.RETURNED, reason.strip()
        task.save(update_fields=["status", "return_reason"])
    for user in owner_contacts(task):
        notices.task_decided(task, user, accepted=False)
    return task
