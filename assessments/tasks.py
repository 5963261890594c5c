"""The assessments' periodic job (scheduled in config/celery.py); report building is in reports/tasks.py."""

from celery import shared_task

from assessments import reminders
from assessments.early_warnings import rules


@shared_task
def assessment_reminders() -> int:
    """Remind who has not yet done their part before each assessment deadline (created once each)."""
    return reminders.create_due_reminders()


@shared_task
def check_early_warnings() -> dict:
    """Check every running alliance against the early-warning rules (opens, updates and ends warnings)."""
    return rules.evaluate()
