"""The one domain error type services raise; pages show it, the API maps it."""

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A refused request, with a translated message for the user (HTTP 400)."""

    status_code = 400

    def __init__(self, message, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})

    @classmethod
    def from_validation_error(cls, exc) -> "DomainError":
        """Keep a model's per-field messages (full_clean) for the API's {"field": [...]} answer."""
        errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        return cls(" ".join(exc.messages), field=next(iter(errors), None), errors=errors)


class StateConflict(DomainError):
    """The object's current state does not allow the request (HTTP 409)."""

    status_code = 409


class NotAllowed(DomainError):
    """The user may see the object but not do this to it (HTTP 403)."""

    status_code = 403


def full_clean_or_raise(instance, **kwargs) -> None:
    """Run the model's own validation, turning its errors into a DomainError."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise DomainError.from_validation_error(exc) from exc
