"""The lists' card on an alliance's page (registered with alliance/extensions.py)."""

from cooperation.kinds import KINDS
from cooperation.permissions import can_curate, can_read_all, can_read_events
from cooperation.selectors import list_counts_for_alliance


def alliance_lists(request, alliance) -> dict:
    return {
        "alliance": alliance,
        "counts": list_counts_for_alliance(request.user, alliance),
        "can_curate": can_curate(request.user, alliance),
        "reads_all": can_read_all(request.user, alliance),
        "reads_events": request.user.is_authenticated and can_read_events(request.user, alliance),
        "imports": [(kind.slug, kind.plural) for kind in KINDS.values()],
    }
