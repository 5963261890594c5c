"""Reminders before assessment deadlines: self-assessments in draft, reviews not submitted, rectification
items not done. Each is a notification row with a unique key, so it is created once however often the
beat runs (assessments/tasks.py: assessment_reminders, hourly)."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assessments.annual.plans import plan_due, report_due
from assessments.early_warnings.rules import watched_alliances
from assessments.models import (
    AnnualPlan,
    AnnualReport,
    Assessment,
    Cycle,
    RectificationItem,
    Review,
)
from kernel.dates import local_date
from kernel.notify import existing_keys, notify
from members.selectors import secretaries_by_alliance

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    user: object
    key: str
    subject: object
    body: object
    url: str


def _self_assessment_reminders(today, last_day) -> list[Reminder]:
    drafts = list(
        Assessment.objects.filter(
            status=Assessment.Status.DRAFT,
            cycle__status=Cycle.Status.OPEN,
            cycle__self_assessment_due__range=(today, last_day),
        ).select_related("cycle", "alliance")
    )
    secretaries = secretaries_by_alliance(a.alliance_id for a in drafts)
    return [
        Reminder(
            user=user,
            key=f"assessment-self-due:{assessment.id}:{user.id}",
            subject=format_lazy(
                _("Self-assessment due on {due}: {alliance}"),
                due=local_date(assessment.cycle.self_assessment_due), alliance=assessment.alliance.name,
            ),
            body=format_lazy(
                _("The self-assessment of {alliance} in “{cycle}” is still a draft. It is due on {due}: "
                  "please complete and submit it."),
                alliance=assessment.alliance.name, cycle=assessment.cycle.title,
                due=local_date(assessment.cycle.self_assessment_due),
            ),
            url=reverse("assessments:detail", args=[assessment.id]),
        )
        for assessment in drafts
        for user in secretaries[assessment.alliance_id]
    ]


def _review_reminders(today, last_day) -> list[Reminder]:
    reviews = Review.objects.filter(
        status=Review.Status.ASSIGNED,
        expert__is_active=True,
        assessment__cycle__status=Cycle.Status.OPEN,
        assessment__cycle__review_due__range=(today, last_day),
    ).select_related("assessment__cycle", "assessment__alliance", "expert")
    return [
        Reminder(
            user=review.expert,
            key=f"assessment-review-due:{review.id}:{review.expert_id}",
            subject=format_lazy(
                _("Expert review due on {due}: {alliance}"),
                due=local_date(review.assessment.cycle.review_due), alliance=review.assessment.alliance.name,
            ),
            body=format_lazy(
                _("Your review of {alliance} in “{cycle}” is not submitted yet. It is due on {due}."),
                alliance=review.assessment.alliance.name, cycle=review.assessment.cycle.title,
                due=local_date(review.assessment.cycle.review_due),
            ),
            url=reverse("assessments:review", args=[review.id]),
        )
        for review in reviews
    ]


def _rectification_reminders(today, last_day) -> list[Reminder]:
    """One reminder per assessment and deadline, listing its items not done.

    Not limited to open cycles: rectification deadlines fall after the cycle's own.
    """
    items = RectificationItem.objects.filter(
        done_at__isnull=True,
        assessment__status=Assessment.Status.DECIDED,
        due_on__range=(today, last_day),
    ).select_related("assessment__cycle", "assessment__alliance")
    open_items = defaultdict(list)
    for item in items:
        open_items[item.assessment, item.due_on].append(item.text)
    secretaries = secretaries_by_alliance(assessment.alliance_id for assessment, _due in open_items)
    return [
        Reminder(
            user=user,
            key=f"assessment-rectify-due:{assessment.id}:{due_on.isoformat()}:{user.id}",
            subject=format_lazy(
                _("Rectification due on {due}: {alliance}"), due=local_date(due_on),
                alliance=assessment.alliance.name
            ),
            body=format_lazy(
                _("These rectification items of {alliance} (“{cycle}”) are not done yet; they are due on {due}:"
                  "\n{items}"),
                alliance=assessment.alliance.name, cycle=assessment.cycle.title, due=local_date(due_on),
                items="\n".join(f"- {text}" for text in texts),
            ),
            url=reverse("assessments:detail", args=[assessment.id]),
        )
        for (assessment, due_on), texts in open_items.items()
        for user in secretaries[assessment.alliance_id]
    ]


def _annual_reminders(today, last_day) -> list[Reminder]:
    """Before 31 January, the secretariats of running alliances without a submitted plan for the year; before
    31 December, those without a submitted report. One reminder per alliance, year, deadline and person."""
    reminders = []
    for kind, due, model, subject, body, url_name in (
        ("plan", plan_due(today.year), AnnualPlan, _("Annual work plan due on {due}: {alliance}"),
         _("The work plan of {alliance} for {year} is not submitted yet. It is due on {due}."),
         "assessments:annual-plan"),
        ("report", report_due(today.year), AnnualReport,
         _("Construction self-assessment report due on {due}: {alliance}"),
         _("The construction self-assessment report of {alliance} for {year} is not submitted yet. It is due on "
           "{due}."), "assessments:annual-report"),
    ):
        if not today <= due <= last_day:
            continue
        done = model.objects.filter(year=due.year, status=model.Status.SUBMITTED).values("alliance_id")
        alliances = list(watched_alliances().exclude(id__in=done).only("id", "name"))
        secretaries = secretaries_by_alliance(alliance.pk for alliance in alliances)
        reminders += [
            Reminder(
                user=user, key=f"annual-{kind}-due:{alliance.pk}:{due.year}:{user.id}",
                subject=format_lazy(subject, due=local_date(due), alliance=alliance.name),
                body=format_lazy(body, alliance=alliance.name, year=due.year, due=local_date(due)),
                url=reverse(url_name, args=[alliance.pk, due.year]),
            )
            for alliance in alliances
            for user in secretaries[alliance.pk]
        ]
    return reminders


def create_due_reminders() -> int:
    """Remind who has not yet done their part, ASSESSMENT_REMINDER_DAYS before each deadline.

    Covers self-assessments still in draft, reviews not submitted, rectification items not
    done, and (ANNUAL_REMINDER_DAYS before) the year's work plan and report not submitted. Each
    reminder is created once, however often this runs; returns how many are new.
    """
    today = timezone.localdate()
    last_day = today + timedelta(days=settings.ASSESSMENT_REMINDER_DAYS)
    reminders = (
        _self_assessment_reminders(today, last_day)
        + _review_reminders(today, last_day)
        + _rectification_reminders(today, last_day)
        + _annual_reminders(today, today + timedelta(days=settings.ANNUAL_REMINDER_DAYS))
    )
    already = existing_keys(reminder.key for reminder in reminders)
    created = 0
    for reminder in reminders:
        if reminder.key in already:
            continue
        _notification, is_new = notify(
            user=reminder.user, key=reminder.key, subject=reminder.subject, body=reminder.body, url=reminder.url
        )
        created += is_new
    if created:
        logger.info("assessment reminders: %d created", created)
    return created
