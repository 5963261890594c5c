"""Minutes: drafted and edited by the secretariat, circulated to the body, approved by an adopted
motion (services/votes.py), then locked."""

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import notices
from governance.models import Meeting, Minutes
from governance.permissions import minutes_locked_because
from governance.selectors import active_seats
from governance.services.meetings import _lock, _require_manager
from kernel.errors import DomainError, StateConflict


@transaction.atomic
def minutes_save(*, meeting: Meeting, actor, text: str) -> Minutes:
    """Write or rewrite the draft. Circulated minutes go back to draft when changed; approved ones never change."""
    meeting = _lock(meeting)
    _require_manager(actor, meeting.body.alliance)
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    locked = minutes_locked_because(meeting, minutes)
    if locked:
        raise StateConflict(locked)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the minutes first."), field="text")
    if minutes is None:
        minutes = Minutes(meeting=meeting, drafted_by=actor)
    minutes.text, minutes.status, minutes.circulated_at = text, Minutes.Status.DRAFT, None
    with set_actor(actor):
        minutes.save()
    return minutes


@transaction.atomic
def minutes_circulate(*, minutes: Minutes, actor) -> Minutes:
    minutes = Minutes.objects.select_for_update().select_related("meeting__body__alliance").get(pk=minutes.pk)
    _require_manager(actor, minutes.meeting.body.alliance)
    if minutes.status != Minutes.Status.DRAFT:
        raise StateConflict(_("Only draft minutes can be circulated."))
    with set_actor(actor):
        minutes.status, minutes.circulated_at = Minutes.Status.CIRCULATED, timezone.now()
        minutes.save(update_fields=["status", "circulated_at"])
    for seat in active_seats(minutes.meeting.body_id).select_related("user"):
        notices.minutes_circulated(minutes, seat.user)
    return minutes


def minutes_approval_motion_defaults(minutes: Minutes) -> dict:
    """Title and text for the motion that approves these minutes (the secretariat may edit them)."""
    return {
        "title": _("Approval of the minutes of %(meeting)s") % {"meeting": minutes.meeting.title},
        "text": _("The council approves the minutes of %(meeting)s held on %(date)s as circulated.")
        % {"meeting": minutes.meeting.title, "date": timezone.localdate(minutes.meeting.starts_at)},
    }
