"""Who may do what in an alliance's council business. Pages and the API both ask these."""

from alliance.scope import scope_of


def can_manage(user, alliance) -> bool:
    """The alliance's secretariat runs meetings, motions, minutes and tasks."""
    scope = scope_of(user)
    return scope.is_superuser or alliance.id in scope.secretariat_alliance_ids


def can_manage_seats(user, alliance) -> bool:
    """Seats are kept by the secretariat and by the city's officials."""
    scope = scope_of(user)
    return can_manage(user, alliance) or alliance.city_id in scope.official_city_ids


def can_read_council_business(user, alliance) -> bool:
    """Meetings, papers, motions and minutes: the secretariat, the seats (and alternates), the city's officials."""
    scope = scope_of(user)
    return (can_manage_seats(user, alliance) or alliance.id in scope.seat_alliance_ids)


def holds_seat_in(user, body) -> bool:
    return any(seat.body_id == body.id for seat in held_seats(user))


def held_seats(user):
    """The user's current seats (cached on the user for the request)."""
    if not scope_of(user).seat_ids:
        return []
    if not hasattr(user, "_held_seats"):
        from governance.models import Seat

        user._held_seats = list(Seat.objects.filter(id__in=scope_of(user).seat_ids))
    return user._held_seats


def can_report_on_task(user, task) -> bool:
    """The owner unit's contacts report progress on its tasks."""
    scope = scope_of(user)
    return scope.is_superuser or task.owner_id in scope.contact_organization_ids
