"""Map errors to HTTP, as one place for the whole API.

Every error body carries a stable machine-readable code beside the translated message, keeping the shapes
shared/API.md fixes:
- `{"detail": "message", "code": "not_found"}` for an error that concerns no field (DRF's codes:
  `not_authenticated`, `authentication_failed`, `permission_denied`, `not_found`, `method_not_allowed`,
  `unsupported_media_type`, `parse_error`, `throttled`; the domain's: `invalid`, `state_conflict`,
  `permission_denied`, or the one a service names);
- `{"field": ["message"], "codes": {"field": ["code"]}}` for field errors (DRF's codes: `required`, `null`,
  `blank`, `invalid`, `max_length`, `invalid_choice`, `does_not_exist`, ...). A field holding an object or a
  list nests its messages, and its codes, one level deeper.
"""

import logging

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kernel.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        if exc.errors and exc.status_code == 400:
            body = {field: [str(message) for message in messages] if isinstance(messages, list) else messages
                    for field, messages in exc.errors.items()}
            body["codes"] = exc.codes
        else:
            body = {"detail": str(exc.message), "code": exc.code}
        return Response(body, status=exc.status_code)
    if isinstance(exc, SuspiciousOperation):
        # Django's own refusals of a request's data (too large, too many fields or files): a 400 in the
        # API's shape, where Django would answer its HTML page (or, in DEBUG, the debug page). Logged as
        # Django logs them, to the django.security loggers.
        request = context.get("request")
        logging.getLogger(f"django.security.{type(exc).__name__}").error(
            str(exc), extra={"status_code": 400, "request": getattr(request, "_request", request)})
        message, code = suspicious_message(exc)
        return Response({"detail": message, "code": code}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(get_error_detail(exc))
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = with_codes(exc, response.data)
    return response


def with_codes(exc, data):
    """DRF's error body with the codes beside the messages."""
    if isinstance(exc, exceptions.ValidationError) and isinstance(data, list):
        # A refusal that names no field: one message in the {"detail"} shape, not a bare list.
        codes = exc.get_codes()
        return {"detail": " ".join(str(message) for message in data),
                "code": codes[0] if isinstance(codes, list) and codes and isinstance(codes[0], str) else "invalid"}
    if isinstance(exc, exceptions.ValidationError) and isinstance(data, dict):
        return {**data, "codes": exc.get_codes()}
    if isinstance(data, dict) and "detail" in data:
        code = getattr(data["detail"], "code", None) or getattr(exc, "default_code", "error")
        return {"detail": str(data["detail"]), "code": code}
    return data


def suspicious_message(exc) -> tuple[str, str]:
    if isinstance(exc, RequestDataTooBig):
        return body_too_large_message(), "request_too_large"
    if isinstance(exc, TooManyFieldsSent):
        return _("The request has too many fields."), "too_many_fields"
    if isinstance(exc, TooManyFilesSent):
        return _("The request has too many files."), "too_many_files"
    return _("Bad request."), "bad_request"


def body_too_large_message() -> str:
    return _("The request body is larger than %(limit)d bytes.") % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
