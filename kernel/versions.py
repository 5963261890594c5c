"""The version of the data: a number in the shared cache that moves on after every committed write, so that an
answer computed from the data can be kept under the version it was computed at and is never served after a change.

Every model's save, delete and many-to-many change schedules a bump for after its transaction commits (a write
rolled back moves nothing). Writes to records no public answer shows (sessions, tokens, the audit log, login
attempts, two-factor devices, notifications) are left out, so a signed-in request does not throw away what was
kept. A write that sends no signal (QuerySet.update, bulk_create, raw SQL, a restored database) does not move the
version: whatever is kept under it also expires after a short time (kernel/api/lists.py: PUBLIC_LIST_SECONDS).

The cache unreachable: the version is None and nothing is kept or served from it (callers compute afresh); after a
failure this process does not try again for RETRY_AFTER seconds, so that writes and reads do not each wait for the
cache's timeout while it is down.
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

KEY = "kernel:data-version"
# Records no public answer shows: their writes leave the version alone.
UNSEEN_APPS = {"admin", "auditlog", "axes", "knox", "otp_static", "otp_totp", "sessions"}
UNSEEN_MODELS = {"kernel.notification"}
RETRY_AFTER = 10.0
_down_until = 0.0


def _down() -> bool:
    return time.monotonic() < _down_until


def _failed(error) -> None:
    global _down_until
    _down_until = time.monotonic() + RETRY_AFTER
    logger.warning("data version: the cache is unreachable (%s); not used for %.0f s", error, RETRY_AFTER)


def data_version() -> int | None:
    """The current version, or None when the cache cannot be reached."""
    if _down():
        return None
    try:
        version = cache.get(KEY)
        if version is None:
            cache.add(KEY, 1, timeout=None)
            version = cache.get(KEY)
        return version
    except Exception as error:  # redis' ConnectionError and the like: nothing is kept while it is down
        _failed(error)
        return None


def bump() -> None:
    """Move the version on (after a commit; also called by the benchmark after loading data without signals).
    While the cache is down nothing was kept, so there is nothing to outdate; whatever is kept from before
    expires by its time."""
    if _down():
        return
    try:
        cache.incr(KEY)
    except ValueError:  # not there yet (or evicted): any new value outdates what was kept under the old one
        cache.add(KEY, 1, timeout=None)
    except Exception as error:
        _failed(error)


def _seen(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    return meta is not None and meta.app_label not in UNSEEN_APPS and meta.label_lower not in UNSEEN_MODELS


def _written(sender, **kwargs) -> None:
    if kwargs.get("raw") or not _seen(sender):
        return
    transaction.on_commit(bump, using=kwargs.get("using"))


def _m2m_written(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_") and _seen(type(instance)):
        transaction.on_commit(bump, using=kwargs.get("using"))


def connect() -> None:
    post_save.connect(_written, dispatch_uid="kernel.versions.save")
    post_delete.connect(_written, dispatch_uid="kernel.versions.delete")
    m2m_changed.connect(_m2m_written, dispatch_uid="kernel.versions.m2m")
