"""The one domain error type services raise; pages show it, the API maps it.

Each error carries a stable machine-readable `code` beside its translated message: the class's default
(`invalid`, `state_conflict`, `permission_denied`) unless the service names a more precise one
(`raise StateConflict(_("..."), code="already_voted")`). The API answers it as `{"detail", "code"}`, or for
field errors as `{"field": ["message"], "codes": {"field": ["code"]}}`.
"""

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A refused request, with a translated message for the user (HTTP 400)."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message, *, field: str | None = None, errors: dict | None = None, code: str | None = None,
                 codes: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code
        self.errors = errors or ({field: [message]} if field else {})
        # {field: [code per message]}: given (a model's validation keeps Django's codes) or this error's code.
        self.codes = codes or {name: [self.code] * len(messages) if isinstance(messages, list) else self.code
                               for name, messages in self.errors.items()}

    @classmethod
    def from_validation_error(cls, exc) -> "DomainError":
        """Keep a model's per-field messages and codes (full_clean) for the API's {"field": [...]} answer."""
        errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        codes = ({name: [error.code or cls.default_code for error in field_errors]
                  for name, field_errors in exc.error_dict.items()} if hasattr(exc, "error_dict") else None)
        return cls(" ".join(exc.messages), field=next(iter(errors), None), errors=errors, codes=codes)


class StateConflict(DomainError):
    """The object's current state does not allow the request (HTTP 409)."""

    status_code = 409
    default_code = "state_conflict"


class NotAllowed(DomainError):
    """The user may see the object but not do this to it (HTTP 403)."""

    status_code = 403
    default_code = "permission_denied"


def full_clean_or_raise(instance, **kwargs) -> None:
    """Run the model's own validation, turning its errors into a DomainError."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise DomainError.from_validation_error(exc) from exc
