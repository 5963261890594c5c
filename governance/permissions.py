"""Who may do what in an alliance's council business. Pages and the API both ask these."""

from django.utils.translation import gettext as _

from alliance.permissions import can_edit_alliance, can_view_private, is_secretariat_of
from governance.models import Meeting, Minutes, Motion, Seat
from kernel.scope import scope_of


def can_manage(user, alliance) -> bool:
    """The alliance's secretariat runs meetings, motions, minutes and tasks."""
    return is_secretariat_of(user, alliance)


def can_manage_seats(user, alliance) -> bool:
    """Seats are kept by those who edit the alliance: the secretariat and the city's officials."""
    return can_edit_alliance(user, alliance)


def can_read_council_business(user, alliance) -> bool:
    """Meetings, papers, motions and minutes are the alliance's private business: the secretariat, the seats
    (and alternates), the city's officials."""
    return can_view_private(user, alliance)


def takes_part_in_council_business(user) -> bool:
    """Officials, secretariats and the seats' holders (and alternates) have council business (the menu shows
    it to them)."""
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.official_city_ids or scope.secretariat_alliance_ids
                                       or scope.seat_alliance_ids)


def holds_a_seat(user) -> bool:
    """Whoever holds a seat votes on its motions (the menu shows the ballots waiting)."""
    return bool(scope_of(user).seat_ids)


def held_seats(user):
    """The user's current seats (cached on the user for the request)."""
    if not scope_of(user).seat_ids:
        return []
    if not hasattr(user, "_held_seats"):
        user._held_seats = list(Seat.objects.filter(id__in=scope_of(user).seat_ids))
    return user._held_seats


def reports_on_tasks(user) -> bool:
    """The member units' contacts report on their units' tasks (the menu shows them their tasks)."""
    return bool(scope_of(user).contact_organization_ids)


def can_report_on_task(user, task) -> bool:
    """The owner unit's contacts report progress on its tasks."""
    scope = scope_of(user)
    return scope.is_superuser or task.owner_id in scope.contact_organization_ids


def minutes_locked_because(meeting: Meeting, minutes: Minutes | None) -> str | None:
    """Why the meeting's minutes cannot be written now, or None when they can: minutes are kept for a held
    meeting; approved ones are locked; while a vote on them is open they do not change."""
    if meeting.status != Meeting.Status.HELD:
        return _("Minutes are kept for a meeting that has been held.")
    if minutes is None:
        return None
    if minutes.status == Minutes.Status.APPROVED:
        return _("Approved minutes are locked.")
    if minutes.approval_motions.filter(state=Motion.State.OPEN).exists():
        return _("These minutes are being voted on; they cannot change now.")
    return None


def can_edit_minutes(user, meeting: Meeting, minutes: Minutes | None) -> bool:
    """The secretariat writes a held meeting's minutes until they are put to a vote and approved."""
    return can_manage(user, meeting.body.alliance) and minutes_locked_because(meeting, minutes) is None
