"""The three lists' card on an alliance's page (registered with alliance/extensions.py)."""

from cooperation.permissions import can_curate
from cooperation.selectors import list_counts_for_alliance


def alliance_lists(request, alliance) -> dict:
    return {
        "alliance": alliance,
        "counts": list_counts_for_alliance(request.user, alliance),
        "can_curate": can_curate(request.user, alliance),
    }
