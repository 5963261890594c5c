"""Domain errors on pages: the twin of the API's exception handler (kernel/api/exceptions.py).

A service's refusal is shown the same way on every page:
- NotAllowed (403): the refusal page, naming why (PermissionDenied, drawn by kernel.views.permission_denied);
- bad input (400) with a form: on the form, under its field when the form has that field;
- a state conflict (409), or any refusal without a form: said above the page.
The page then answers with the status the API would give, or redirects as it did.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from kernel.errors import DomainError, NotAllowed, StateConflict


def form_error(exc: DomainError, form=None, *, field: str | None = None) -> str | None:
    """Put bad input on the form (under `field` when it names none of the form's: a file's or a tree's
    content); answer the 403 page for NotAllowed. Returns the message the form cannot hold (a state
    conflict, or no form), for the page to say."""
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message) from exc
    if form is not None and not isinstance(exc, StateConflict):
        form.add_error(exc.field if exc.field in form.fields else field, exc.message)
        return None
    return exc.message


def show_error(request, exc: DomainError, form=None, *, field: str | None = None) -> int:
    """Show the refusal (see form_error), a message the form cannot hold above the page; returns the status."""
    message = form_error(exc, form, field=field)
    if message is not None:
        messages.error(request, message)
    return exc.status_code


def act(request, call, *, success, done: str, page=None):
    """A write without a form: run `call()`; then say `success` (or `success(result)`) and redirect to `done`.
    A refusal is said above `page(status)`, with the status the API would give; without a page, above `done`."""
    try:
        result = call()
    except DomainError as exc:
        status = show_error(request, exc)
        return page(status) if page is not None else redirect(done)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(done)
