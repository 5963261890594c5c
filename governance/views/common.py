"""What the governance pages share: refusals, error display, safe redirects, the alliance read."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from alliance.selectors import alliance_get_for_user
from governance.permissions import can_read_council_business
from kernel.errors import DomainError, NotAllowed, StateConflict

PAGE_SIZE = 50


def _secretariat_only():
    return _("Only the alliance's secretariat does this.")


def _refused(request, message, status=403):
    return render(request, "governance/refused.html", {"message": message}, status=status)


def _field_of(exc: DomainError, form) -> str | None:
    return exc.field if form is not None and exc.field in form.fields else None


def _fail(request, exc: DomainError, form=None):
    """Put the service's message on the form (bad input) or above the page (a state or role refusal)."""
    if form is not None and not isinstance(exc, (StateConflict, NotAllowed)):
        form.add_error(_field_of(exc, form), exc.message)
    else:
        messages.error(request, exc.message)
    return exc.status_code


def _act(request, call, *, success, done: str, page):
    """A write without a form: run the service call; a refusal shows its message above `page(status)`, with
    the status the API would give; otherwise the success message (or `success(result)`) and a redirect."""
    try:
        result = call()
    except DomainError as exc:
        messages.error(request, exc.message)
        return page(exc.status_code)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(done)


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _council_alliance(request, alliance_id):
    """The alliance (404 if hidden) and whether the user may read its council business."""
    alliance = alliance_get_for_user(request.user, alliance_id)
    return alliance, can_read_council_business(request.user, alliance)
