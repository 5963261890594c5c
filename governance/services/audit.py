"""Audit rows written by hand, for a save that must not be logged by the signals as it happens.

django-auditlog logs a save against the row as the database holds it at that moment. A service that
first moves rows into an intermediate state (to get past a unique index halfway through) saves with the
signals off and logs each row here against what it was before the service began, under the actor.
"""

import copy

from auditlog.context import set_actor
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings


def snapshot(instances) -> dict:
    """{pk: a copy of the instance as loaded}, to log against once it has changed."""
    return {instance.pk: copy.copy(instance) for instance in instances}


def log_saved(instance, before, actor) -> None:
    """The entry auditlog would write for saving `instance` over `before` (None: it was created)."""
    changes = model_instance_diff(before, instance, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES)
    if not changes:
        return
    action = LogEntry.Action.CREATE if before is None else LogEntry.Action.UPDATE
    with set_actor(actor):
        LogEntry.objects.log_create(instance, action=action, changes=changes)
