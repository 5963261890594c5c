"""When a step of an assessment is overdue: the one rule for lists, pages, the dashboard and its filter.

A step is overdue the day after its due date while it is still waiting: a self-assessment still in
draft, a review still assigned. The services refuse late submissions on their own (deadline checks).
"""

import datetime

from django.db.models import Exists, OuterRef, Q

from assessments.models import Assessment, Review


def self_assessment_overdue(status: str, due: datetime.date, today: datetime.date) -> bool:
    return status == Assessment.Status.DRAFT and today > due


def review_overdue(status: str, due: datetime.date, today: datetime.date) -> bool:
    return status == Review.Status.ASSIGNED and today > due


def assessment_reviews_overdue(status: str, reviews_pending: int, due: datetime.date, today: datetime.date) -> bool:
    return status == Assessment.Status.UNDER_REVIEW and reviews_pending > 0 and today > due


def overdue_q(today: datetime.date) -> Q:
    """The same rules as a filter on assessments."""
    pending = Review.objects.filter(assessment=OuterRef("pk"), status=Review.Status.ASSIGNED)
    return (Q(status=Assessment.Status.DRAFT, cycle__self_assessment_due__lt=today)
            | (Q(status=Assessment.Status.UNDER_REVIEW, cycle__review_due__lt=today) & Q(Exists(pending))))
