"""Reads of bodies and seats, scoped to the user. Meetings and votes come with the governance issue."""

from django.db.models import Q, QuerySet

from alliance.models import Alliance
from alliance.scope import scope_of
from alliance.selectors import visible_alliance_filter
from governance.models import Body, Seat


def bodies_for_user(user) -> QuerySet[Body]:
    return Body.objects.filter(
        alliance__in=Alliance.objects.filter(visible_alliance_filter(user))
    ).select_related("alliance")


def seats_for_user(user) -> QuerySet[Seat]:
    """Seats (who sits for which unit) are shown to the alliance's own people and its officials."""
    scope = scope_of(user)
    queryset = Seat.objects.select_related("body", "user", "organization")
    if scope.is_superuser:
        return queryset
    visible = Q(pk__in=[])
    own = scope.secretariat_alliance_ids | scope.seat_alliance_ids
    if own:
        visible |= Q(body__alliance_id__in=own)
    if scope.official_city_ids:
        visible |= Q(body__alliance__city_id__in=scope.official_city_ids)
    return queryset.filter(visible)
