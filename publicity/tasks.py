"""Periodic job of publicity (scheduled in config/celery.py): reminders of important announcements not read.
Safe to run twice, at once or after a worker died (a claimed receipt, a unique key per reminder)."""

import logging

from celery import shared_task

from publicity.services import announcement_remind_due

logger = logging.getLogger(__name__)


@shared_task
def announcement_reminders() -> int:
    sent = announcement_remind_due()
    if sent:
        logger.info("reminded %d contacts of important announcements they have not read", sent)
    return sent
