"""Periodic jobs of the council's business (scheduled in config/celery.py).

Both are safe to run twice, at once or after a worker died: closing locks the motion and
skips one already closed; each reminder's unique key makes it exist once.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from governance import notices
from governance.models import Ballot, Meeting, Minutes, Motion, Task
from governance.services import votes
from governance.services.tasks import owner_contacts
from members.selectors import secretaries_of

logger = logging.getLogger(__name__)


@shared_task
def close_due_motions() -> int:
    closed = votes.close_due_motions()
    if closed:
        logger.info("closed %d motions at their deadline", closed)
    return closed


def meeting_reminders(now) -> int:
    soon = now + timedelta(hours=settings.MEETING_REMINDER_HOURS)
    sent = 0
    meetings = Meeting.objects.filter(status=Meeting.Status.PLANNED, starts_at__gt=now, starts_at__lte=soon,
                                      invitations_sent_at__isnull=False).select_related("body")
    for meeting in meetings:
        for invitation in meeting.invitations.filter(seat__term_end__isnull=True).exclude(
                response="declined").select_related("seat__user"):
            sent += notices.meeting_reminder(meeting, invitation.seat)
    return sent


def vote_reminders(now) -> int:
    """Each seat that may vote and has not, reminded once before the motion closes."""
    soon = now + timedelta(hours=settings.VOTE_REMINDER_HOURS)
    sent = 0
    for motion in Motion.objects.filter(state=Motion.State.OPEN, closes_at__gt=now, closes_at__lte=soon):
        voted = set(Ballot.objects.filter(motion=motion).values_list("seat_id", flat=True))
        for seat, caster, _as_proxy in votes.castable(motion):
            if seat.pk not in voted:
                sent += notices.vote_reminder(motion, caster)
    return sent


def task_reminders(today) -> int:
    sent = 0
    due = Task.objects.filter(status__in=[Task.Status.OPEN, Task.Status.RETURNED], due_on__gte=today,
                              due_on__lte=today + timedelta(days=settings.TASK_REMINDER_DAYS)).select_related("owner")
    for task in due:
        for user in owner_contacts(task):
            sent += notices.task_due_reminder(task, user)
    return sent


def minutes_reminders(now) -> int:
    sent = 0
    stale = Minutes.objects.filter(status=Minutes.Status.CIRCULATED,
                                   circulated_at__lte=now - timedelta(days=settings.MINUTES_REMINDER_DAYS),
                                   ).exclude(approval_motions__state__in=["draft", "open"]
                                   ).select_related("meeting__body__alliance")
    for minutes in stale:
        for user in secretaries_of(minutes.meeting.body.alliance):
            sent += notices.minutes_approval_reminder(minutes, user)
    return sent


@shared_task
def governance_reminders() -> dict:
    now = timezone.now()
    report = {
        "meetings": meeting_reminders(now),
        "votes": vote_reminders(now),
        "tasks": task_reminders(timezone.localdate(now)),
        "minutes": minutes_reminders(now),
    }
    if any(report.values()):
        logger.info("governance reminders created: %s", report)
    return report


