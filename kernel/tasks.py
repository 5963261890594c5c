"""The outbox's periodic job (scheduled in config/celery.py)."""

from dataclasses import asdict

from celery import shared_task

from kernel.notify import send_due_mail


@shared_task
def send_notifications() -> dict:
    """Mail the due notifications; safe to run twice at once (rows are claimed with SKIP LOCKED)."""
    return asdict(send_due_mail())
