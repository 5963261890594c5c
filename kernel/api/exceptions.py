"""Map domain errors to HTTP, as one place for the whole API."""

from django.core.exceptions import ValidationError as DjangoValidationError
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
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data = {"detail": str(exc.detail)}
    return response
