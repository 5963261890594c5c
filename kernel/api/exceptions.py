"""Map domain errors to HTTP, as one place for the whole API."""

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
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kernel.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        if exc.errors and exc.status_code == 400:
            body = {field: [str(message) for message in messages] for field, messages in exc.errors.items()}
        else:
            body = {"detail": str(exc.message)}
        return Response(body, status=exc.status_code)
    if isinstance(exc, SuspiciousOperation):
        # Django's own refusals of a request's data (too large, too many fields or files): a 400 in the
        # API's shape, where Django would answer its HTML page (or, in DEBUG, the debug page). Logged as
        # Django logs them, to the django.security loggers.
        request = context.get("request")
        logging.getLogger(f"django.security.{type(exc).__name__}").error(
            str(exc), extra={"status_code": 400, "request": getattr(request, "_request", request)})
        return Response({"detail": suspicious_message(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data = {"detail": str(exc.detail)}
    return response


def suspicious_message(exc) -> str:
    if isinstance(exc, RequestDataTooBig):
        return body_too_large_message()
    if isinstance(exc, TooManyFieldsSent):
        return _("The request has too many fields.")
    if isinstance(exc, TooManyFilesSent):
        return _("The request has too many files.")
    return _("Bad request.")


def body_too_large_message() -> str:
    return _("The request body is larger than %(limit)d bytes.") % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
