"""What the cooperation pages share: refusals, error display, the paginated query string."""

from django.contrib import messages
from django.shortcuts import redirect, render

from kernel.errors import DomainError, NotAllowed, StateConflict

PAGE_SIZE = 50


def refused(request, message, status=403):
    return render(request, "cooperation/refused.html", {"message": message}, status=status)


def fail(request, exc: DomainError, form=None) -> int:
    """Put the service's message on the form (bad input) or above the page (a state or role refusal)."""
    if form is not None and not isinstance(exc, StateConflict | NotAllowed):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    else:
        messages.error(request, exc.message)
    return exc.status_code


def act(request, call, *, success, done: str, page=None):
    """A write without a form: run the service call; a refusal shows its message (a 403 on a page of its own,
    anything else above `done`)."""
    try:
        call()
    except DomainError as exc:
        if exc.status_code == 403:
            return refused(request, exc.message)
        messages.error(request, exc.message)
        return redirect(done)
    messages.success(request, success)
    return redirect(done)


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
