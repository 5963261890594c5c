"""The council's card on an alliance's page and its published resolutions on the alliance's public page
(registered with alliance/extensions.py)."""

from governance.permissions import can_manage_seats, can_read_council_business
from governance.selectors import published_resolutions


def alliance_council(request, alliance) -> dict | None:
    if not can_read_council_business(request.user, alliance):
        return None
    return {"alliance": alliance, "can_manage_seats": can_manage_seats(request.user, alliance)}


PUBLIC_RESOLUTIONS = 10


def public_resolutions(alliance) -> dict:
    """The public page's section: the alliance's latest published resolutions (alliance/extensions.py)."""
    return {"alliance": alliance,
            "resolutions": list(published_resolutions().filter(alliance=alliance)[:PUBLIC_RESOLUTIONS])}
