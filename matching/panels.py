"""The matching's card on an alliance's page (alliance/extensions.py): a link to its matching page, for who
reads it."""

from matching.permissions import can_read_alliance_matching


def alliance_matching(request, alliance):
    if not can_read_alliance_matching(request.user, alliance):
        return None
    return {"alliance": alliance}
