"""What seats open up to a user: its part of the request scope (kernel/scope.py)."""

from django.db.models import Q

from governance.models import Seat
from kernel.scope import contributes_to_scope


@contributes_to_scope
def seats(user) -> dict:
    """Seats held, and the alliances whose council business the user follows. An alternate acts for a
    seat at meetings, so sees its alliance's council business too."""
    held, alternate_alliances = [], set()
    for seat_id, alliance_id, holder_id in Seat.objects.filter(
        Q(user=user) | Q(alternate=user), term_end__isnull=True
    ).values_list("id", "body__alliance_id", "user_id"):
        if holder_id == user.id:
            held.append((seat_id, alliance_id))
        else:
            alternate_alliances.add(alliance_id)
    return {
        "seat_alliance_ids": frozenset(alliance_id for _, alliance_id in held) | alternate_alliances,
        "seat_ids": frozenset(seat_id for seat_id, _ in held),
    }
