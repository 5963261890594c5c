"""What the governance pages share: the secretariat's refusal, safe redirects, the alliance read."""

from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from alliance.selectors import alliance_get_for_user
from governance.permissions import can_read_council_business

PAGE_SIZE = 50


def _secretariat_only():
    return _("Only the alliance's secretariat does this.")


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _council_alliance(request, alliance_id):
    """The alliance (404 if hidden) and whether the user may read its council business."""
    alliance = alliance_get_for_user(request.user, alliance_id)
    return alliance, can_read_council_business(request.user, alliance)
