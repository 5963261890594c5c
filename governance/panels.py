"""The council's card on an alliance's page (registered with alliance/extensions.py)."""

from governance.permissions import can_manage_seats, can_read_council_business


def alliance_council(request, alliance) -> dict | None:
    if not can_read_council_business(request.user, alliance):
        return None
    return {"alliance": alliance, "can_manage_seats": can_manage_seats(request.user, alliance)}
