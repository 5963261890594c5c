"""Suggestions are recomputed off the request path: a Celery task queued once the transaction commits.
A broker that cannot be reached never fails the request: the task is logged as not queued, and the
beat's periodic refresh (config/celery.py) brings the suggestions up to date later."""

import logging

from django.db import transaction

from cooperation import tasks

logger = logging.getLogger(__name__)


def _send(task, *args) -> None:
    try:
        task.delay(*args)
    except Exception:  # kombu's OperationalError, redis' ConnectionError …: the broker is down
        logger.warning("%s%r could not be queued (broker unreachable); the periodic refresh will catch up",
                       task.name, args, exc_info=True)


def refresh_need_later(need) -> None:
    kind = tasks.kind_of(need)
    transaction.on_commit(lambda: _send(tasks.refresh_need_suggestions, kind, need.pk))


def refresh_city_later(city_id: int) -> None:
    transaction.on_commit(lambda: _send(tasks.refresh_city_suggestions, city_id))
