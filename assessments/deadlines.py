"""When a step of an assessment is overdue: the one rule for lists, pages, the dashboard and its filter.

A step is overdue the day after its due date while it is still waiting: a self-assessment still in
draft, a review still assigned, a rectification item not done. The services refuse late submissions
by the same date (past_due).
"""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from assessments.models import Assessment, Review


def past_due(due: datetime.date, today: datetime.date | None = None) -> bool:
    """A due date is past from the day after it."""
    return (today or timezone.localdate()) > due


def self_assessment_overdue(status: str, due: datetime.date, today: datetime.date) -> bool:
    return status == Assessment.Status.DRAFT and past_due(due, today)


def review_overdue(status: str, due: datetime.date, today: datetime.date) -> bool:
    return status == Review.Status.ASSIGNED and past_due(due, today)


def assessment_reviews_overdue(status: str, reviews_pending: int, due: datetime.date, today: datetime.date) -> bool:
    return status == Assessment.Status.UNDER_REVIEW and reviews_pending > 0 and past_due(due, today)


def rectification_overdue(done: bool, due: datetime.date, today: datetime.date) -> bool:
    return not done and past_due(due, today)


def overdue_q(today: datetime.date) -> Q:
    """The same rules as a filter on assessments."""
    pending = Review.objects.filter(assessment=OuterRef("pk"), status=Review.Status.ASSIGNED)
    return (Q(status=Assessment.Status.DRAFT, cycle__self_assessment_due__lt=today)
            | (Q(status=Assessment.Status.UNDER_REVIEW, cycle__review_due__lt=today) & Q(Exists(pending))))
