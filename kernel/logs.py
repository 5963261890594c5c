"""Log records that say which request, user and Celery task they belong to.

Every record passing the console handler gets `request_id`, `user_id` and `task_id` (empty when there
is none) from `ContextFilter`; settings.LOGGING formats them as JSON lines in production (LOG_FORMAT).

- Web: `RequestIdMiddleware` takes the request id from the `X-Request-ID` header (a load balancer or
  proxy may set it) or makes one, sends it back in the response header, and logs one line per request
  (method, path, status, duration). The user id is read from the request only once something has
  resolved the user (the session middleware's lazy user, or DRF's token authentication): logging never
  queries the database itself.
- Worker: `bind_task` / `unbind_task`, connected to Celery's task_prerun / task_postrun signals in
  config/celery.py, give the records of a running task its id and name.

This module imports no model: it is loaded while logging is configured, before the apps.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.utils.functional import empty

_request = ContextVar("request", default=None)
_request_id = ContextVar("request_id", default="")
_task = ContextVar("task", default=("", ""))

# What a request id from outside may look like: a UUID, a hex or base64-ish trace id; anything else is replaced.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")

requests_logger = logging.getLogger("kernel.requests")


def current_request_id() -> str:
    return _request_id.get()


def _resolved_user_id(request) -> str:
    """The id of the request's user if it has been resolved already; never triggers a query."""
    if request is None:
        return ""
    user = request.__dict__.get("user")  # DRF sets the authenticated user here too
    if user is None:
        return ""
    wrapped = getattr(user, "_wrapped", user)  # SimpleLazyObject: look only if evaluated
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return ""
    return str(wrapped.pk)


class ContextFilter(logging.Filter):
    """Adds request_id, user_id, task_id and task_name to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(record, "request_id", "") or _request_id.get()
        record.user_id = getattr(record, "user_id", "") or _resolved_user_id(_request.get())
        task_id, task_name = _task.get()
        record.task_id = getattr(record, "task_id", "") or task_id
        record.task_name = getattr(record, "task_name", "") or task_name
        return True


class RequestIdMiddleware:
    """Binds a request id (from X-Request-ID or new) to the request's log records and logs the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        request_token, id_token = _request.set(request), _request_id.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            requests_logger.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"method": request.method, "path": request.path, "status": response.status_code,
                       "duration_ms": round((time.monotonic() - started) * 1000, 1)},
            )
            return response
        finally:
            _request.reset(request_token)
            _request_id.reset(id_token)


def bind_task(task_id: str | None, task_name: str | None) -> None:
    _task.set((task_id or "", task_name or ""))


def unbind_task() -> None:
    _task.set(("", ""))
