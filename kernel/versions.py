"""The version of the data: a number in the shared cache that moves on after every request that may have written
(any method but GET, HEAD, OPTIONS and TRACE) and after every Celery task, so that an answer computed from the data
can be kept under the version it was computed at and is never served after a change.

A request with a safe method that wrote all the same (opening an announcement records that it was read) moves the
version on too: its statements are watched for INSERT, UPDATE and DELETE.

The bump comes once the request's answer is ready (or the task has run): the services' transactions have
committed by then (requests are not wrapped in one), so an answer computed before the change is kept under the
old version, and one computed after it under the old version too but with the change in it: neither is wrong. A
write outside requests and tasks (a management command, a restored database) does not move the version: whatever
is kept under it also expires after a short time (kernel/api/lists.py: LIST_SECONDS).

A request reads the version once (the first time it is asked for), however many kept things it looks up. A request
that may write, and a task, read none: nothing kept is used or kept while they run, since what they wrote is not
under a new version until they end (a page drawn after its own write must count what was written).

Inside a transaction (which may hold writes not committed yet; the suite's tests run in one) the version is None
too, so nothing kept is used or kept there.

The cache unreachable: the version is None and nothing is kept or served from it (callers compute afresh); after a
failure this process does not try again for RETRY_AFTER seconds, so that requests do not each wait for the cache's
timeout while it is down.
"""

import logging
import time
from contextvars import ContextVar

from celery.signals import task_postrun, task_prerun
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

KEY = "kernel:data-version"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
RETRY_AFTER = 10.0
_down_until = 0.0
_OUTSIDE, _UNREAD = object(), object()
# In a request: the version it read (once), or None in one that may write or in a task; _OUTSIDE elsewhere.
_read = ContextVar("data_version_read", default=_OUTSIDE)


def _down() -> bool:
    return time.monotonic() < _down_until


def _failed(error) -> None:
    global _down_until
    _down_until = time.monotonic() + RETRY_AFTER
    logger.warning("data version: the cache is unreachable (%s); not used for %.0f s", error, RETRY_AFTER)


def data_version() -> int | None:
    """The current version; None inside a transaction, in a request that may write, in a task, or when the cache
    cannot be reached. In a request, the one it read first."""
    if connection.in_atomic_block:
        return None
    read = _read.get()
    if read is _OUTSIDE:
        return _fetch()
    if read is _UNREAD:
        read = _fetch()
        _read.set(read)
    return read


def _fetch() -> int | None:
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


def kept(key: str | None):
    """What is kept under `key`; None when nothing is, when there is no key, or when the cache is unreachable."""
    if key is None:
        return None
    try:
        return cache.get(key)
    except Exception:  # the cache unreachable: the caller computes afresh
        return None


def keep(key: str | None, value, *, seconds: int, what: str) -> None:
    """Keep `value` under `key` (a key made with the data's version) for at most `seconds`."""
    if key is None:
        return
    try:
        cache.set(key, value, timeout=seconds)
    except Exception:
        logger.warning("%s was not kept: the cache is unreachable", what)


def bump(**_signal) -> None:
    """Move the version on (after a request that may have written, after a task; also called by the benchmark
    after loading its data). While the cache is down nothing was kept, so there is nothing to outdate; whatever
    is kept from before expires by its time."""
    if _down():
        return
    try:
        if hasattr(cache, "incr_or_create"):  # Redis (kernel/cache.py): one INCR
            cache.incr_or_create(KEY)
        else:
            cache.incr(KEY)
    except ValueError:  # not there yet (or evicted): any new value outdates what was kept under the old one
        cache.add(KEY, 1, timeout=None)
    except Exception as error:
        _failed(error)


class DataVersionMiddleware:
    """Moves the data's version on after each request that may have written, or that wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        safe = request.method in SAFE_METHODS
        token = _read.set(_UNREAD if safe else None)
        writes = _Writes()
        try:
            if safe:
                with connection.execute_wrapper(writes):
                    response = self.get_response(request)
            else:
                response = self.get_response(request)
        finally:
            _read.reset(token)
        if not safe or writes.seen:
            bump()
        return response


class _Writes:
    """Notes whether any statement writes (for a request whose method says it does not)."""

    WRITES = ("INSERT", "UPDATE", "DELETE")
    seen = False

    def __call__(self, execute, sql, params, many, context):
        if not self.seen and sql.lstrip()[:6].upper() in self.WRITES:
            self.seen = True
        return execute(sql, params, many, context)


def _task_starts(**_signal) -> None:
    _read.set(None)


def _task_ends(**_signal) -> None:
    _read.set(_OUTSIDE)
    bump()


def connect() -> None:
    """Nothing kept is used while a Celery task runs, and the version moves on after it (a task may write: the
    outbox, suggestions, the nightly checks)."""
    task_prerun.connect(_task_starts, dispatch_uid="kernel.versions.task-starts", weak=False)
    task_postrun.connect(_task_ends, dispatch_uid="kernel.versions.task", weak=False)
