"""The one domain error type services raise; pages show it, the API maps it."""


class DomainError(Exception):
    """A refused request, with a translated message for the user (HTTP 400)."""

    status_code = 400

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StateConflict(DomainError):
    """The object's current state does not allow the request (HTTP 409)."""

    status_code = 409


class NotAllowed(DomainError):
    """The user may see the object but not do this to it (HTTP 403)."""

    status_code = 403
